"""The Kubernetes API clients for the calls kopf does not make itself (creating Jobs, reading Secrets)."""

from __future__ import annotations

import dataclasses
import os
from typing import Any

import kopf
from kubernetes import client, config


def api_client() -> client.ApiClient:
    """In a pod: its service account; elsewhere: ``$KUBECONFIG`` (read now) or ``~/.kube/config``."""
    try:
        config.load_incluster_config()
    except config.ConfigException:
        config.load_kube_config(config_file=os.environ.get("KUBECONFIG"))
    return client.ApiClient()


@kopf.on.login()
def login(**kwargs: Any) -> kopf.ConnectionInfo | None:
    """kopf logs in the same way (its own default reads ``$KUBECONFIG`` once, at import).

    In a pod, the API server is where the pod's environment says (``KUBERNETES_SERVICE_HOST`` and
    ``_PORT``, as client-go and ``load_incluster_config`` do), not at ``kubernetes.default.svc``
    (kopf's choice), which needs cluster DNS."""
    in_cluster = kopf.login_with_service_account(**kwargs)
    if in_cluster is None:
        return kopf.login_with_kubeconfig(**kwargs)
    host, port = os.environ.get("KUBERNETES_SERVICE_HOST"), os.environ.get("KUBERNETES_SERVICE_PORT")
    if host and port:
        host = f"[{host}]" if ":" in host else host
        in_cluster = dataclasses.replace(in_cluster, server=f"https://{host}:{port}")
    return in_cluster
