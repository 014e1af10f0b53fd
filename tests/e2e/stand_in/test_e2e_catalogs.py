"""AssetCatalogs on the real control plane, with the shared vector store (the session's ``chroma run``)
and catalogs served by a local HTTP server of real models (Debian's Sweet Home 3D libraries):

* a Cap3D catalog (captions CSV + Objaverse's object-paths.json.gz in shard folders) reaches Ready with
  its counts, is listed by ``kubectl get assetcatalogs``, and a request whose prompt names one of its
  models renders that model (plan.json names it, the render pod fetched it, the video decodes);
* a JSON-lines catalog with 3 corrupt records of 100 imports 97 and says which 3 failed, never quoting them;
* an import pod killed mid-download is replaced by the Job and the import ends with exactly 100
  entries, none twice;
* two operators with peering (one active, one standing by, then taking over) plan the same prompt and
  seed against the same store to the same assets.

Node: the process-based stand-in (``support.node_agent``): import and render pods run as local
processes, so the catalog server on 127.0.0.1 is reachable from them and is on the chart's URL
allow-list. On a real kubelet node the server must listen on the node's address instead, and the
allow-list name that address.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from typing import Any

import av
import numpy as np
import pytest
import yaml
from kubernetes import client

from simfarm.cluster.spec import CATALOG_PLURAL, GROUP, VERSION
from simfarm.plan.models import RequestPlan
from simfarm.retrieval.entries import CatalogKind
from simfarm.retrieval.index import CatalogIndex
from simfarm.storage import parse_location
from support.catalog_data import MARKER, corrupt, model_mirror, objaverse_layout, write_jsonl
from support.file_server import FileServer
from support.operator_process import OperatorProcess
from support.waiting import wait_for

from e2e_config import REQUEST_NAMESPACE, TINY_RENDER, VENV_BIN

IMPORT_TIMEOUT = 240
RENDER_TIMEOUT = 300
PEERS_NAMESPACE = "renders-peers"
PLANNED = f"Planned {PEERS_NAMESPACE}/by-"  # the operator's log line once it planned a request


@pytest.fixture(scope="module")
def served(control_plane, operator, tmp_path_factory) -> Iterator[FileServer]:
    """The catalogs' server. Afterwards the catalogs go (and their entries with them) before it does: later
    requests in the namespace would otherwise search them and fetch from a server that is gone."""
    server = FileServer(tmp_path_factory.mktemp("catalog-server"))
    yield server
    control_plane.kubectl("delete", "assetcatalogs", "--all", "-n", REQUEST_NAMESPACE, "--timeout=120s")
    server.close()


@pytest.fixture(scope="module")
def store(chroma_server) -> CatalogIndex:
    return CatalogIndex.server(chroma_server.url)


def apply_catalog(control_plane, name: str, source: dict[str, Any], namespace: str = REQUEST_NAMESPACE,
                  **spec: Any) -> None:
    manifest = {"apiVersion": f"{GROUP}/{VERSION}", "kind": "AssetCatalog",
                "metadata": {"name": name, "namespace": namespace}, "spec": {"source": source, **spec}}
    control_plane.kubectl("apply", "-f", "-", stdin=yaml.safe_dump(manifest))


def catalog(control_plane, name: str, namespace: str = REQUEST_NAMESPACE) -> dict[str, Any]:
    return client.CustomObjectsApi(control_plane.api_client()).get_namespaced_custom_object(
        GROUP, VERSION, namespace, CATALOG_PLURAL, name)


def import_pods(control_plane, name: str, namespace: str = REQUEST_NAMESPACE) -> list[dict[str, Any]]:
    uid = catalog(control_plane, name, namespace)["metadata"]["uid"]
    listing = client.CoreV1Api(control_plane.api_client()).list_namespaced_pod(
        namespace, label_selector=f"simfarm.dev/catalog-uid={uid}", _preload_content=False)
    return json.loads(listing.data)["items"]


def catalog_report(control_plane, name: str, operator: OperatorProcess, namespace: str = REQUEST_NAMESPACE) -> str:
    found = catalog(control_plane, name, namespace)
    pods = [(p["metadata"]["name"], p["status"].get("phase"), p["status"].get("containerStatuses"))
            for p in import_pods(control_plane, name, namespace)]
    return f"status={json.dumps(found.get('status'))}\npods={pods}\n--- operator ---\n{operator.log_tail(40)}"


def wait_until_imported(control_plane, name: str, operator: OperatorProcess,
                        namespace: str = REQUEST_NAMESPACE) -> dict[str, Any]:
    def imported() -> dict[str, Any] | None:
        status = catalog(control_plane, name, namespace).get("status") or {}
        return status if status.get("phase") in ("Ready", "Failed") and status.get("observedGeneration") else None

    return wait_for(imported, f"AssetCatalog {name} imported", IMPORT_TIMEOUT, interval=1,
                    details=lambda: catalog_report(control_plane, name, operator, namespace))


def plan_of(request: dict[str, Any], minio_server) -> RequestPlan:
    location = parse_location(request["status"]["plan"]["uri"])
    return RequestPlan.model_validate_json(minio_server.client().get_object(location.bucket, location.key).read())


def decoded_frames(uri: str, minio_server) -> list[np.ndarray]:
    location = parse_location(uri)
    video = minio_server.client().get_object(location.bucket, location.key).read()
    with av.open(io.BytesIO(video)) as container:
        return [frame.to_ndarray(format="rgb24") for frame in container.decode(video=0)]


def test_a_cap3d_catalog_is_ready_and_a_request_renders_one_of_its_models(
        control_plane, operator, served, store, submit, cluster_state, minio_server, report):
    layout = objaverse_layout(served.root / "objaverse", 100)
    apply_catalog(control_plane, "objaverse", {
        "format": "cap3d", "url": f"{served.url}/objaverse/{layout.captions.name}",
        "objectPaths": f"{served.url}/objaverse/{layout.object_paths.name}"}, kinds=["object"])
    status = wait_until_imported(control_plane, "objaverse", operator)
    assert status["phase"] == "Ready", catalog_report(control_plane, "objaverse", operator)
    assert status["counts"] == {"object": 100, "hdri": 0, "material": 0} and status["rejected"] == 0
    assert status["source"] == f"{REQUEST_NAMESPACE}/objaverse"
    assert len(store.keys(CatalogKind.object, f"{REQUEST_NAMESPACE}/objaverse")) == 100
    table = control_plane.kubectl("get", "assetcatalogs", "-n", REQUEST_NAMESPACE).stdout.splitlines()
    assert table[0].split()[:7] == ["NAME", "PHASE", "FORMAT", "OBJECTS", "HDRIS", "MATERIALS", "REJECTED"], table
    report.extend(["kubectl get assetcatalogs:", *table])
    row = next(line.split() for line in table[1:] if line.startswith("objaverse "))
    assert row[:7] == ["objaverse", "Ready", "cap3d", "100", "0", "0", "0"], table

    names = layout.names
    counts = {name.lower(): sum(n.lower() == name.lower() for n in names.values()) for name in names.values()}
    uid, name = next((uid, name) for uid, name in names.items()
                     if counts[name.lower()] == 1 and len(name.split()) >= 2)  # a distinctive model
    served.requests.clear()
    submit("catalog-model", prompt=f"a {name.lower()} in a bright studio, slow orbit")
    done = cluster_state.wait_for_phase("catalog-model", ("Succeeded", "Failed"), RENDER_TIMEOUT)
    assert done["status"]["phase"] == "Succeeded", cluster_state.report("catalog-model")
    plan = plan_of(done, minio_server)
    assert f"{REQUEST_NAMESPACE}/objaverse" in plan.catalogs
    subject = plan.variants[0].objects[0]
    assert subject.asset.catalog == f"{REQUEST_NAMESPACE}/objaverse", subject.asset
    assert subject.asset.id == uid, (subject.asset, name)
    shard = next(path for path in served.requests if path.endswith(f"{uid}.obj"))
    assert served.requests[shard] >= 1, "the render pod did not fetch the model"
    frames = decoded_frames(done["status"]["outputs"][0]["uri"], minio_server)
    assert len(frames) == TINY_RENDER["frames"] and frames[0].shape == (TINY_RENDER["height"], TINY_RENDER["width"], 3)
    assert max(float(np.abs(frames[0].astype(int) - frame.astype(int)).mean()) for frame in frames[1:]) > 0.5


def test_three_corrupt_records_of_a_hundred_import_97_and_are_named(control_plane, operator, served):
    records = model_mirror(served.root / "mirror", f"{served.url}/mirror", 100)
    write_jsonl(served.root / "corrupt.jsonl", corrupt(records, {11: "json", 47: "schema", 83: "metadata"}))
    apply_catalog(control_plane, "corrupt", {"format": "jsonl", "url": f"{served.url}/corrupt.jsonl"})
    status = wait_until_imported(control_plane, "corrupt", operator)
    assert status["phase"] == "Ready", catalog_report(control_plane, "corrupt", operator)
    assert status["counts"]["object"] == 97 and (status["records"], status["rejected"]) == (100, 3)
    assert [sample.split(":")[0] for sample in status["rejectedRecords"]] == ["record 12", "record 48", "record 84"]
    assert status["rejectedRecords"][2] == "record 84: its URL is refused (a link-local (cloud metadata) address)"
    flagged = next(c for c in status["conditions"] if c["type"] == "RecordsRejected")
    assert flagged["status"] == "True" and "3 of 100 records rejected" in flagged["message"]
    everything = json.dumps(catalog(control_plane, "corrupt")) + control_plane.kubectl(
        "get", "events", "-n", REQUEST_NAMESPACE, "-o", "json").stdout
    assert MARKER not in everything
    pods = import_pods(control_plane, "corrupt")
    assert MARKER not in json.dumps([p["status"] for p in pods])


def test_a_killed_import_pod_is_replaced_and_the_import_ends_with_exactly_the_records(
        control_plane, operator, served, store):
    records = model_mirror(served.root / "resume", f"{served.url}/resume", 100)
    write_jsonl(served.root / "resume.jsonl", records)
    served.hold("/resume.jsonl", lines=50)
    apply_catalog(control_plane, "resume", {"format": "jsonl", "url": f"{served.url}/resume.jsonl"})

    def half_written() -> dict[str, Any] | None:
        status = catalog(control_plane, "resume").get("status") or {}
        return status if status.get("progress") == "50 records read, 50 embedded" else None
    wait_for(half_written, "half the records imported", IMPORT_TIMEOUT, interval=0.5,
             details=lambda: catalog_report(control_plane, "resume", operator))
    (first,) = import_pods(control_plane, "resume")
    control_plane.kubectl("delete", "pod", first["metadata"]["name"], "-n", REQUEST_NAMESPACE, "--wait=false")
    wait_for(lambda: [p for p in import_pods(control_plane, "resume") if p["metadata"]["uid"] != first["metadata"]["uid"]],
             "a replacement import pod", IMPORT_TIMEOUT, details=lambda: catalog_report(control_plane, "resume", operator))
    served.release()  # the replacement's download gets the whole file
    status = wait_until_imported(control_plane, "resume", operator)
    assert status["phase"] == "Ready", catalog_report(control_plane, "resume", operator)
    assert status["counts"]["object"] == 100
    keys = store.keys(CatalogKind.object, f"{REQUEST_NAMESPACE}/resume")
    assert keys == sorted(f"{REQUEST_NAMESPACE}/resume:{record['id']}" for record in records)  # none twice
    state = store.import_state(f"{REQUEST_NAMESPACE}/resume")
    assert (state["written"], state["unchanged"]) == (50, 50), state  # the second pod re-embedded none of the first's
    job = client.BatchV1Api(control_plane.api_client()).read_namespaced_job(status["importJob"], REQUEST_NAMESPACE)
    assert (job.status.failed, job.status.succeeded) == (1, 1), job.status  # the killed pod, its replacement


def peer_operator(control_plane, tmp_path, base_env: dict[str, str], name: str, priority: int) -> OperatorProcess:
    workdir = tmp_path / name
    workdir.mkdir()
    env = {**base_env, "HOME": str(workdir), "KUBECONFIG": str(control_plane.admin_kubeconfig),
           "SIMFARM_HOME": str(workdir / "home")}
    return OperatorProcess(VENV_BIN / "simfarm", ["--namespace", PEERS_NAMESPACE, "--peering", "simfarm-peers",
                                                  f"--priority={priority}"], env=env, workdir=workdir)


def assets_of(plan: RequestPlan) -> list[tuple]:
    return [(variant.index, tuple((o.asset.catalog, o.asset.id, o.asset.uri) for o in variant.objects),
             (variant.background.catalog, variant.background.id), (variant.stage.material.catalog,
                                                                    variant.stage.material.id))
            for variant in plan.variants]


def test_two_peering_operators_plan_the_same_assets_from_the_same_store(
        control_plane, operator, served, tmp_path, minio_server, chart_release):
    """Operators in another namespace, with peering: the first (higher priority) plans, is stopped, the
    second takes over and plans the same prompt and seed. (Admin credentials: the chart serves `renders`.)"""
    control_plane.kubectl("create", "namespace", PEERS_NAMESPACE)
    control_plane.kubectl("apply", "-f", "-", stdin=yaml.safe_dump({
        "apiVersion": "kopf.dev/v1", "kind": "KopfPeering",
        "metadata": {"name": "simfarm-peers", "namespace": PEERS_NAMESPACE}}))
    secret = json.loads(control_plane.kubectl("get", "secret", "simfarm-s3", "-n", chart_release, "-o", "json").stdout)
    secret["metadata"] = {"name": "simfarm-s3", "namespace": PEERS_NAMESPACE}
    control_plane.kubectl("apply", "-f", "-", stdin=json.dumps(secret))
    records = model_mirror(served.root / "peers", f"{served.url}/peers", 40)
    write_jsonl(served.root / "peers.jsonl", records)
    first = peer_operator(control_plane, tmp_path, operator.env, "first", 200)
    second = peer_operator(control_plane, tmp_path, operator.env, "second", 100)
    first.start()
    second.start()
    try:
        apply_catalog(control_plane, "shared", {"format": "jsonl", "url": f"{served.url}/peers.jsonl"},
                      namespace=PEERS_NAMESPACE)
        assert wait_until_imported(control_plane, "shared", first, PEERS_NAMESPACE)["phase"] == "Ready"
        names = [record["name"].lower() for record in records[20:22]]
        spec = {"prompt": f"a {names[0]} beside a {names[1]} on a wooden floor", "variants": 2, "seed": 5,
                "render": dict(TINY_RENDER)}
        plans = []
        for name, planner in (("by-first", first), ("by-second", second)):
            control_plane.kubectl("apply", "-f", "-", stdin=yaml.safe_dump({
                "apiVersion": f"{GROUP}/{VERSION}", "kind": "VideoRequest",
                "metadata": {"name": name, "namespace": PEERS_NAMESPACE}, "spec": spec}))
            api = client.CustomObjectsApi(control_plane.api_client())
            planned = wait_for(lambda: (api.get_namespaced_custom_object(
                GROUP, VERSION, PEERS_NAMESPACE, "videorequests", name).get("status") or {}).get("plan") and
                api.get_namespaced_custom_object(GROUP, VERSION, PEERS_NAMESPACE, "videorequests", name),
                f"{name} planned", RENDER_TIMEOUT, details=lambda: planner.log_tail(40))
            plans.append(plan_of(planned, minio_server))
            # each request was planned once, by the operator active at the time: the standby did nothing
            assert [first.log_file.read_text().count(PLANNED), second.log_file.read_text().count(PLANNED)] == \
                [1, 0 if planner is first else 1], (first.log_tail(20), second.log_tail(20))
            if planner is first:
                first.stop()  # the standby takes over
        assert assets_of(plans[0]) == assets_of(plans[1])
        assert plans[0].catalogs == plans[1].catalogs and plans[0].catalogs[-1] == f"{PEERS_NAMESPACE}/shared"
        assert any(o.asset.catalog == f"{PEERS_NAMESPACE}/shared" for v in plans[0].variants for o in v.objects)
    finally:
        first.stop()
        control_plane.kubectl("delete", "assetcatalogs", "--all", "-n", PEERS_NAMESPACE, "--timeout=120s",
                              check=False)  # while an operator still runs to release its finalizer
        second.stop()
