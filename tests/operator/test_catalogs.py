"""AssetCatalogs through the operator (kmock) with a real vector store (``chroma run``): the import Job it
creates, the status the import leaves, requests that search the namespace's catalogs (or wait for the ones
they name), a failed import, a new generation, and deletion removing the catalog's entries.

The tests play the Job controller: they run each import Job's own command in this process (its argv and
environment, against a local HTTP server of real Sweet Home 3D models) and report the Job finished."""

from __future__ import annotations

import json

import pytest

from simfarm.plan.models import RequestPlan
from simfarm.retrieval.entries import CatalogKind
from support.catalog_data import MARKER, corrupt, model_mirror, write_jsonl
from support.file_server import FileServer

from catalog_support import asset_catalog, catalog_status, import_job, import_now
from operator_support import CATALOGS_URL, NAMESPACE, VR_URL, Operator, eventually, phase_of, read, write
from operator_objects import video_request

LOCAL_POLICY = json.dumps({"allowedHosts": ["127.0.0.1"], "deniedNetworks": ["10.96.0.0/12"]})


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    server = FileServer(tmp_path_factory.mktemp("catalog-files"))
    records = model_mirror(server.root, server.url, 24)
    write_jsonl(server.root / "mirror.jsonl", corrupt(records, {4: "json", 9: "metadata"}))
    server.records = records
    yield server
    server.close()


@pytest.fixture
async def operator(cluster, planner, monkeypatch):
    """The operator, with the test server on its URL allow-list (as the e2e chart values set)."""
    monkeypatch.setenv("SIMFARM_URL_POLICY", LOCAL_POLICY)
    running = Operator(planner)
    await running.start()
    try:
        yield running
    finally:
        await running.stop()


def plan_of(tmp_path, request: dict) -> RequestPlan:
    uid = request["metadata"]["uid"].replace("-", "")[:8]
    path = tmp_path / "out" / NAMESPACE / request["metadata"]["name"] / uid / "plan.json"
    return RequestPlan.model_validate_json(path.read_text())


async def test_a_catalog_imports_to_ready_and_requests_take_its_assets(cluster, operator, served, planner, tmp_path):
    await write(cluster, "POST", CATALOGS_URL, asset_catalog("mirror", f"{served.url}/mirror.jsonl"))
    job = await import_job(cluster, "mirror")
    catalog = await read(cluster, f"{CATALOGS_URL}/mirror")
    assert job["metadata"]["ownerReferences"][0]["uid"] == catalog["metadata"]["uid"]
    # kopf creates the Job inside the handler and patches the status when the handler returns
    async def importing_status():
        status = await catalog_status(cluster, "mirror")
        return status if "phase" in status else None
    importing = await eventually(importing_status, "the catalog's phase")
    assert importing["phase"] == "Importing" and importing["source"] == "renders/mirror"

    status = await import_now(cluster, "mirror", tmp_path)
    assert status["phase"] == "Ready", status
    assert status["counts"] == {"object": 22, "hdri": 0, "material": 0} and status["entries"] == 22
    assert (status["records"], status["rejected"]) == (24, 2)
    assert status["rejectedRecords"][0].startswith("record 5: not valid JSON")
    assert status["rejectedRecords"][1] == "record 10: its URL is refused (a link-local (cloud metadata) address)"
    assert MARKER not in json.dumps(status)
    conditions = {c["type"]: c["status"] for c in status["conditions"]}
    assert conditions == {"Ready": "True", "RecordsRejected": "True"}

    wanted = served.records[12]
    request = video_request("uses-catalog", prompt=f"a {wanted['name'].lower()} on a marble floor, slow orbit",
                            render={"frames": 8})
    await write(cluster, "POST", VR_URL, request)
    await eventually(lambda: phase_of(cluster, "uses-catalog", "Rendering"), "phase Rendering", timeout=60)
    plan = plan_of(tmp_path, request)
    assert plan.catalogs == [*planner.resolver.catalog.builtin_sources, "renders/mirror"]
    (subject, *_) = plan.variants[0].objects
    assert (subject.asset.catalog, subject.asset.id, subject.asset.uri) == ("renders/mirror", wanted["id"],
                                                                             wanted["uri"])
    assert subject.asset.license == wanted["license"] and subject.asset.creator == wanted["creator"]


async def test_a_request_naming_an_importing_catalog_waits_for_it(cluster, operator, served, tmp_path):
    await write(cluster, "POST", CATALOGS_URL, asset_catalog("later", f"{served.url}/mirror.jsonl"))
    await import_job(cluster, "later")
    request = video_request("waits", prompt="a wooden chair", assets={"catalogs": ["later"]}, render={"frames": 8})
    await write(cluster, "POST", VR_URL, request)

    async def waiting():
        status = ((await read(cluster, f"{VR_URL}/waits")) or {}).get("status", {})
        return status if "waiting for AssetCatalog later (Importing)" in status.get("message", "") else None
    status = await eventually(waiting, "the request waiting for the catalog")
    assert status["phase"] == "Planning" and "plan" not in status
    await import_now(cluster, "later", tmp_path)
    await eventually(lambda: phase_of(cluster, "waits", "Rendering"), "phase Rendering", timeout=60)
    assert plan_of(tmp_path, request).catalogs[-1] == "renders/later"


async def test_a_refused_source_fails_the_import_saying_why_and_requests_naming_it_fail(cluster, operator, tmp_path):
    await write(cluster, "POST", CATALOGS_URL, asset_catalog(
        "metadata", "http://169.254.169.254/latest/meta-data/iam/security-credentials/"))
    job = await import_job(cluster, "metadata")
    status = await import_now(cluster, "metadata", tmp_path)
    assert status["phase"] == "Failed" and "link-local (cloud metadata) address" in status["message"]
    assert not any(c["type"] == "Ready" and c["status"] == "True" for c in status["conditions"])
    assert job["spec"]["podFailurePolicy"]["rules"][0]["action"] == "FailJob"
    request = video_request("names-broken", assets={"catalogs": ["metadata"]}, render={"frames": 8})
    await write(cluster, "POST", VR_URL, request)
    failed = await eventually(lambda: phase_of(cluster, "names-broken", "Failed"), "phase Failed")
    assert "AssetCatalog metadata (import of generation 1 failed" in failed["status"]["message"]


async def test_a_new_generation_imports_again_and_deletion_removes_the_entries(cluster, operator, served, planner,
                                                                               tmp_path):
    store = planner.resolver.catalog.index
    await write(cluster, "POST", CATALOGS_URL, asset_catalog("changing", f"{served.url}/mirror.jsonl"))
    assert (await import_now(cluster, "changing", tmp_path))["counts"]["object"] == 22
    subset = write_jsonl(served.root / "subset.jsonl", served.records[:5])
    await write(cluster, "PATCH", f"{CATALOGS_URL}/changing", {
        "metadata": {"generation": 2}, "spec": {"source": {"format": "jsonl", "url": f"{served.url}/{subset.name}"}}})
    status = await import_now(cluster, "changing", tmp_path, generation=2)
    assert status["phase"] == "Ready" and status["observedGeneration"] == 2 and status["counts"]["object"] == 5
    assert len(store.keys(CatalogKind.object, "renders/changing")) == 5
    await cluster.delete(f"{CATALOGS_URL}/changing")
    await eventually(lambda: cluster.objects["simfarm.dev/v1alpha1/assetcatalogs", NAMESPACE, "changing"].deleted,
                     "deletion finished", timeout=30)
    assert store.keys(CatalogKind.object, "renders/changing") == []
    assert store.import_state("renders/changing") is None
