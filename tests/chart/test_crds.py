"""The chart ships the VideoRequest CRD byte for byte as generated from the spec models."""

from __future__ import annotations

from support.chart import CHART
from simfarm.cluster import crd
from support.minio import REPO_ROOT

CHART_CRD = CHART / "crds" / "videorequest.yaml"
TOP_LEVEL_CRD = REPO_ROOT / "crds" / "videorequest.yaml"


def test_chart_crd_is_the_generated_crd() -> None:
    assert CHART_CRD.read_text() == crd.render_yaml(), (
        "regenerate: python -m simfarm.cluster.crd > charts/simfarm/crds/videorequest.yaml")


def test_chart_crd_is_the_top_level_crd() -> None:
    assert TOP_LEVEL_CRD.is_file(), f"{TOP_LEVEL_CRD} is missing: python -m simfarm.cluster.crd > crds/videorequest.yaml"
    assert CHART_CRD.read_bytes() == TOP_LEVEL_CRD.read_bytes(), "cp crds/videorequest.yaml charts/simfarm/crds/"
