"""Helpers of both e2e node types: installing the chart, Secrets and MinIO users for workers,
and finding a request's running render pod."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
from pathlib import Path
from typing import Any

import yaml
from minio.credentials import StaticProvider
from minio.minioadmin import MinioAdmin

from simfarm.cluster.manifests import RENDER
from support.minio import require_binary

from e2e_config import CHART, RELEASE, RELEASE_NAMESPACE, REQUEST_NAMESPACE


def helm_install(control_plane, values: dict[str, Any], workdir: Path) -> str:
    """``helm install simfarm charts/simfarm`` into RELEASE_NAMESPACE with ``values``; returns helm's output
    once the CRD is established."""
    helm = require_binary("helm")
    values_file = workdir / "values.yaml"
    values_file.write_text(yaml.safe_dump(values))
    control_plane.kubectl("create", "namespace", REQUEST_NAMESPACE)
    env = {**os.environ, **{f"HELM_{kind}_HOME": str(workdir / kind.lower()) for kind in ("CACHE", "CONFIG", "DATA")}}
    args = ["install", RELEASE, str(CHART), "--namespace", RELEASE_NAMESPACE, "--create-namespace",
            "--values", str(values_file), f"--kubeconfig={control_plane.admin_kubeconfig}"]
    result = subprocess.run([str(helm), *args], capture_output=True, text=True, timeout=120, env=env)
    assert result.returncode == 0, f"helm install failed: {result.stderr.strip()}"
    control_plane.kubectl("wait", "--for=condition=Established", "--timeout=60s", "crd/videorequests.simfarm.dev")
    return result.stdout


def external_storage(minio_server) -> dict[str, Any]:
    """Chart values pointing the release at the test's MinIO (``storage.mode: external``)."""
    return {"mode": "external", "region": minio_server.region, "external": {
        "endpoint": minio_server.endpoint_url, "accessKeyId": minio_server.access_key,
        "secretAccessKey": minio_server.secret_key}}


def s3_secret(control_plane, name: str, endpoint: str, access_key: str, secret_key: str, region: str) -> str:
    """A worker S3 Secret in the request namespace, with the keys of the chart's own."""
    control_plane.kubectl("create", "secret", "generic", name, "-n", REQUEST_NAMESPACE,
                          f"--from-literal=AWS_ENDPOINT_URL={endpoint}", f"--from-literal=AWS_REGION={region}",
                          f"--from-literal=AWS_ACCESS_KEY_ID={access_key}",
                          f"--from-literal=AWS_SECRET_ACCESS_KEY={secret_key}")
    return name


def minio_user_denied(minio_server, tmp_path: Path, denied_keys: str) -> tuple[str, str]:
    """A new MinIO user that may do anything except put objects matching ``denied_keys``."""
    admin = MinioAdmin(endpoint=minio_server.reachable_address, secure=False,
                       credentials=StaticProvider(minio_server.access_key, minio_server.secret_key))
    policy = tmp_path / "policy.json"
    policy.write_text(json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": ["s3:*"], "Resource": ["arn:aws:s3:::*"]},
        {"Effect": "Deny", "Action": ["s3:PutObject"], "Resource": [f"arn:aws:s3:::{denied_keys}"]}]}))
    user, password = f"worker-{secrets.token_hex(4)}", secrets.token_hex(16)
    admin.policy_add(user, str(policy))
    admin.user_add(user, password)
    admin.attach_policy([user], user=user)
    return user, password


def running_pod(cluster_state, uid: str) -> dict[str, Any] | None:
    return next((p for p in cluster_state.pods(uid, RENDER) if p["status"].get("phase") == "Running"), None)
