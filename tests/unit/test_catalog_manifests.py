"""AssetCatalogs as pure functions: the import Job, when to import, the status an import leaves, and which
catalogs a request searches."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from simfarm.cluster import catalogs
from simfarm.cluster.config import OperatorConfig
from simfarm.cluster.manifests import RequestRef
from simfarm.cluster.spec import AssetCatalogSpec
from simfarm.cluster.status import WorkerResult
from simfarm.errors import InputError
from simfarm.retrieval.remote import ImportLimits, UrlPolicy

CATALOG = RequestRef("renders", "objaverse-cars", "uid-1")
CONFIG = OperatorConfig(vector_store_url="http://simfarm-vector-store.simfarm.svc:8000",
                        operator_image="registry.test/simfarm-operator:1", import_batch=64,
                        url_policy=UrlPolicy.of(["mirror.internal"], ["10.96.0.0/12"]),
                        import_limits=ImportLimits(max_records=5000))
CAP3D = AssetCatalogSpec.model_validate({
    "source": {"format": "cap3d", "url": "https://hf.example/Cap3D_automated_Objaverse_full.csv",
               "objectPaths": "s3://team/objaverse/object-paths.json.gz", "objectsBase": "https://hf.example/objaverse/",
               "s3SecretRef": "team-s3"},
    "kinds": ["object"], "licenses": ["CC-BY", "CC0"], "refreshInterval": "24h"})
JSONL = AssetCatalogSpec.model_validate({"source": {"format": "jsonl", "url": "https://mirror.internal/m.jsonl"}})
NOW = datetime(2026, 5, 1, 12, 0, tzinfo=timezone.utc)


def test_the_import_job_runs_the_import_command_with_no_api_access():
    job = catalogs.import_job(CATALOG, CAP3D, 3, 1, CONFIG)
    assert job["metadata"]["name"] == "objaverse-cars-g3r1-import"
    assert job["metadata"]["labels"]["simfarm.dev/catalog-uid"] == "uid-1"
    pod = job["spec"]["template"]["spec"]
    (container,) = pod["containers"]
    assert container["command"] == [
        "simfarm", "catalog", "import-url", "renders/objaverse-cars", "cap3d",
        "https://hf.example/Cap3D_automated_Objaverse_full.csv", "--store", CONFIG.vector_store_url,
        "--run", "objaverse-cars-g3r1-import", "--batch", "64", "--termination-log",
        "--object-paths", "s3://team/objaverse/object-paths.json.gz", "--objects-base", "https://hf.example/objaverse/",
        "--kind", "object", "--license", "CC-BY", "--license", "CC0"]
    assert container["image"] == "registry.test/simfarm-operator:1"
    assert pod["automountServiceAccountToken"] is False and "serviceAccountName" not in pod
    assert container["securityContext"]["readOnlyRootFilesystem"] and pod["securityContext"]["runAsNonRoot"]
    assert container["terminationMessagePolicy"] == "File"
    env = {e["name"]: e["value"] for e in container["env"] if "value" in e}
    sized = {e["name"]: e["valueFrom"]["resourceFieldRef"]["resource"] for e in container["env"] if "valueFrom" in e}
    assert sized == {"SIMFARM_CPUS": "limits.cpu", "OMP_NUM_THREADS": "limits.cpu", "OPENBLAS_NUM_THREADS": "limits.cpu"}
    assert UrlPolicy.from_json(env["SIMFARM_URL_POLICY"]) == CONFIG.url_policy
    assert ImportLimits.from_environ(env) == CONFIG.import_limits
    assert env["SIMFARM_S3_SECRET_DIR"] == "/var/run/secrets/simfarm/s3"
    assert {"name": "s3", "secret": {"secretName": "team-s3"}} in pod["volumes"]
    rules = job["spec"]["podFailurePolicy"]["rules"]
    assert rules[0] == {"action": "FailJob", "onExitCodes": {"containerName": "import", "operator": "In", "values": [2]}}
    assert job["spec"]["backoffLimit"] >= 1  # a killed pod is replaced and resumes


def test_an_https_source_mounts_no_secret():
    pod = catalogs.import_job(CATALOG, JSONL, 1, 0, CONFIG)["spec"]["template"]["spec"]
    assert [v["name"] for v in pod["volumes"]] == ["scratch"]
    assert "SIMFARM_S3_SECRET_DIR" not in {e["name"] for e in pod["containers"][0]["env"]}


def test_long_names_still_make_unique_job_names():
    long = "a" * 60
    names = {catalogs.import_job_name(long, generation, 0) for generation in range(1, 20)}
    assert len(names) == 19 and all(len(name) <= 52 for name in names)


@pytest.mark.parametrize("status,expected", [
    ({}, (4, 0)),
    ({"phase": "Ready", "observedGeneration": 3, "importRound": 0}, (4, 0)),
    ({"phase": "Importing", "observedGeneration": 3}, None),
    ({"phase": "Ready", "observedGeneration": 4, "importRound": 2,
      "lastAttemptTime": (NOW - timedelta(hours=23)).isoformat()}, None),
    ({"phase": "Ready", "observedGeneration": 4, "importRound": 2,
      "lastAttemptTime": (NOW - timedelta(hours=25)).isoformat()}, (4, 3)),
    ({"phase": "Failed", "observedGeneration": 4, "importRound": 0,
      "lastAttemptTime": (NOW - timedelta(hours=1)).isoformat()}, None),
])
def test_when_to_import(status, expected):
    assert catalogs.next_import(CAP3D, 4, status, NOW) == expected


def test_without_a_refresh_interval_only_a_new_generation_imports():
    done = {"phase": "Ready", "observedGeneration": 2, "lastAttemptTime": (NOW - timedelta(days=300)).isoformat()}
    assert catalogs.next_import(JSONL, 2, done, NOW) is None
    assert catalogs.next_import(JSONL, 3, done, NOW) == (3, 0)


SUCCEEDED = {"run": "c-g2r0-import", "phase": "Succeeded", "records": 100, "rejected": 3, "filtered": 4,
             "counts": {"object": 93, "hdri": 0, "material": 0},
             "samples": ["record 12: not valid JSON (Expecting value at column 1)", "record 48: name: Field required",
                         "record 84: its URL is refused (a link-local (cloud metadata) address)"]}


def ready_status(generation: int) -> dict:
    started = catalogs.started_status({}, "c-g2r0-import", generation, 0, NOW.isoformat())
    return {**started, **catalogs.finished_status(started, "Complete", SUCCEEDED, None, NOW.isoformat())}


def test_a_finished_import_is_ready_with_counts_and_the_rejected_records_named():
    status = ready_status(2)
    assert status["phase"] == "Ready" and catalogs.is_ready(status)
    assert status["counts"] == {"object": 93, "hdri": 0, "material": 0} and status["entries"] == 93
    assert (status["records"], status["rejected"], status["skipped"]) == (100, 3, 4)
    assert status["rejectedRecords"] == SUCCEEDED["samples"]
    rejected = next(c for c in status["conditions"] if c["type"] == "RecordsRejected")
    assert rejected["status"] == "True" and "record 84" in rejected["message"]
    assert status["observedGeneration"] == 2 and status["lastImportTime"] == NOW.isoformat()


def test_a_refresh_keeps_the_catalog_ready_even_when_it_fails():
    ready = ready_status(2)
    refreshing = {**ready, **catalogs.started_status(ready, "c-g2r1-import", 2, 1, NOW.isoformat())}
    assert refreshing["phase"] == "Importing" and catalogs.is_ready(refreshing)
    failed = {**refreshing, **catalogs.finished_status(refreshing, "Failed", None, "HTTP 503 Service Unavailable",
                                                       NOW.isoformat())}
    assert failed["phase"] == "Ready" and catalogs.is_ready(failed) and "refresh failed" in failed["message"]


def test_a_new_generation_is_not_ready_until_imported_and_a_failure_says_why():
    ready = ready_status(2)
    changing = {**ready, **catalogs.started_status(ready, "c-g3r0-import", 3, 0, NOW.isoformat())}
    assert not catalogs.is_ready(changing)
    state = {"run": "c-g3r0-import", "phase": "Failed", "message": "jsonl source https://x/m.jsonl: HTTP 404 Not Found"}
    failed = {**changing, **catalogs.finished_status(changing, "Failed", state, None, NOW.isoformat())}
    assert failed["phase"] == "Failed" and not catalogs.is_ready(failed)
    assert failed["message"] == "import of generation 3 failed: jsonl source https://x/m.jsonl: HTTP 404 Not Found"


def test_an_import_pods_failure_is_told_in_its_own_words():
    said = WorkerResult(0, 2, "Error", '{"error": "169.254.169.254: a link-local (cloud metadata) address"}')
    assert catalogs.import_failure(said) == "169.254.169.254: a link-local (cloud metadata) address"
    killed = WorkerResult(0, 137, "OOMKilled", "")
    assert catalogs.import_failure(killed) == "the import pod ended with exit code 137 (OOMKilled)"


BUILTIN = ["embedded", "sweethome3d-blendswap-cc-0"]
KNOWN = [("objaverse", ready_status(2)), ("polyhaven", {"phase": "Importing"}),
         ("broken", {"phase": "Failed", "message": "import of generation 1 failed: HTTP 404 Not Found"})]


def test_a_request_searches_the_ready_catalogs_of_its_namespace_by_default():
    assert catalogs.searched_sources(None, "renders", KNOWN, BUILTIN) == [*BUILTIN, "renders/objaverse"]
    assert catalogs.searched_sources([], "renders", KNOWN, BUILTIN) == BUILTIN
    assert catalogs.searched_sources(None, "other", [], BUILTIN) == BUILTIN


def test_a_request_naming_catalogs_waits_for_them_or_fails_clearly():
    assert catalogs.searched_sources(["objaverse", "objaverse"], "renders", KNOWN, BUILTIN) == [
        *BUILTIN, "renders/objaverse"]
    with pytest.raises(catalogs.CatalogsNotReady, match="waiting for AssetCatalog polyhaven \\(Importing\\)"):
        catalogs.searched_sources(["objaverse", "polyhaven"], "renders", KNOWN, BUILTIN)
    with pytest.raises(InputError, match="no AssetCatalog missing in namespace renders"):
        catalogs.searched_sources(["missing"], "renders", KNOWN, BUILTIN)
    with pytest.raises(InputError, match="broken \\(import of generation 1 failed: HTTP 404"):
        catalogs.searched_sources(["broken"], "renders", KNOWN, BUILTIN)
