"""The chart ships each CRD (VideoRequest, AssetCatalog) byte for byte as generated from the spec models."""

from __future__ import annotations

import pytest

from support.chart import CHART
from simfarm.cluster import crd
from support.minio import REPO_ROOT


@pytest.mark.parametrize("resource", crd.RESOURCES.values(), ids=crd.RESOURCES.keys())
def test_chart_crd_is_the_generated_crd(resource: crd.Resource) -> None:
    chart_crd = CHART / "crds" / resource.file_name
    assert chart_crd.read_text() == crd.render_yaml(resource), (
        f"regenerate: python -m simfarm.cluster.crd {resource.singular} > charts/simfarm/crds/{resource.file_name}")


@pytest.mark.parametrize("resource", crd.RESOURCES.values(), ids=crd.RESOURCES.keys())
def test_chart_crd_is_the_top_level_crd(resource: crd.Resource) -> None:
    top_level = REPO_ROOT / "crds" / resource.file_name
    assert top_level.is_file(), (f"{top_level} is missing: python -m simfarm.cluster.crd {resource.singular} > "
                                 f"crds/{resource.file_name}")
    assert (CHART / "crds" / resource.file_name).read_bytes() == top_level.read_bytes(), (
        f"cp crds/{resource.file_name} charts/simfarm/crds/")
