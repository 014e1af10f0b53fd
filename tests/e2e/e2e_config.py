"""Names and settings shared by the e2e fixtures and tests."""

from __future__ import annotations

import sys
from pathlib import Path

from support.minio import REPO_ROOT

CHART = REPO_ROOT / "charts" / "simfarm"
EXAMPLES = REPO_ROOT / "examples"
RELEASE = "simfarm"
RELEASE_NAMESPACE = "simfarm-system"
REQUEST_NAMESPACE = "renders"
SERVICE_ACCOUNT = "simfarm-operator"  # the chart's <fullname>-operator
S3_SECRET = "simfarm-s3"  # the chart's <fullname>-s3
GPU_NODES = ("gpu-node-a", "gpu-node-b")
VENV_BIN = Path(sys.executable).parent  # simfarm, simfarm-render
# Every e2e render: tiny and fast (the examples' own settings take minutes on a CPU).
TINY_RENDER = {"width": 64, "height": 36, "fps": 8, "frames": 8, "engine": "WORKBENCH", "samples": 1}
# The real node has this machine's CPUs and memory (2 cores): render pods ask for a share of them,
# and for the GPU the node advertises (an extended resource, see support.node).
REAL_NODE_RESOURCES = {"cpu": "800m", "memory": "1536Mi", "gpu": 1}
OPERATOR_SELECTOR = "app.kubernetes.io/component=operator"  # the chart's operator pods
METRICS_SERVICE = "simfarm-metrics"  # the chart's <fullname>-metrics
# The catalog settings the operator takes from the chart's Deployment (the rest it gets from the fixture).
CATALOG_SETTINGS = ("SIMFARM_VECTOR_STORE_URL", "SIMFARM_OPERATOR_IMAGE", "SIMFARM_URL_POLICY", "SIMFARM_IMPORT_LIMITS",
                    "SIMFARM_ASSET_MAX_BYTES", "SIMFARM_IMPORT_BATCH", "SIMFARM_IMPORT_RESOURCES")
CATALOG_IMPORT_BATCH = 10  # small batches: a killed import has written some of its entries
