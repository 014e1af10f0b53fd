"""Stand-in node: a story VideoRequest rendered by the real worker running as local processes
(``support.node_agent``), checked as ``film_request`` says."""

from __future__ import annotations

from film_request import check_story_film

from e2e_config import GPU_NODES


def test_story_request_renders_one_film_with_its_script(submit, cluster_state, minio_server):
    check_story_film("ball-film", submit, cluster_state, minio_server, nodes=GPU_NODES)
