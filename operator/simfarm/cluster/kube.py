"""The Kubernetes API clients for the calls kopf does not make itself (creating Jobs, reading Secrets)."""

from __future__ import annotations

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
    """kopf logs in the same way (its own default reads ``$KUBECONFIG`` once, at import)."""
    return kopf.login_with_service_account(**kwargs) or kopf.login_with_kubeconfig(**kwargs)
