"""What both e2e node types share: ``submit`` a VideoRequest with ``kubectl apply``.

Each folder brings its own cluster (package-scoped fixtures ``control_plane``, ``cluster_state``):

* ``stand_in/``: a control plane on loopback, GPU Nodes run by the process-based stand-in
  (``support.node_agent``) and the operator as a local process. Fast: the API server's validation,
  RBAC, storage retries through a cut network path, garbage collection.
* ``real_node/``: the control plane, MinIO, containerd, kubelet and kube-proxy in a network namespace
  of their own; the chart's operator Deployment runs the built operator image, render Jobs run the
  built render image. The render path, the failures that matter most, and the dashboard's queries.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import yaml

from e2e_config import EXAMPLES, REQUEST_NAMESPACE, TINY_RENDER


@pytest.fixture
def submit(control_plane, cluster_state) -> Callable[..., dict[str, Any]]:
    """``submit(name, **spec)``: ``kubectl apply`` examples/short-video.yaml renamed, with the tiny
    render settings (and the node type's ``render_resources``) and ``spec`` on top; returns the
    created VideoRequest."""

    def submit(name: str, example: str = "short-video.yaml", **spec: Any) -> dict[str, Any]:
        manifest = yaml.safe_load((EXAMPLES / example).read_text())
        manifest["metadata"] = {"name": name, "namespace": REQUEST_NAMESPACE}
        manifest["spec"] = {**manifest["spec"], "render": dict(TINY_RENDER), **cluster_state.request_defaults, **spec}
        control_plane.kubectl("apply", "-f", "-", stdin=yaml.safe_dump(manifest))
        return cluster_state.video_request(name)

    return submit
