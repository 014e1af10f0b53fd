"""Real node: a story VideoRequest planned by the operator pod (the built operator image) and rendered
and assembled by render containers (the built render image) on a real kubelet, checked as
``film_request`` says."""

from __future__ import annotations

from film_request import check_story_film


def test_story_request_renders_one_film_in_containers(submit, cluster_state, minio_server, node):
    check_story_film("real-ball-film", submit, cluster_state, minio_server)
