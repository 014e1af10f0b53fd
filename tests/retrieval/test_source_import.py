"""Catalog sources imported by URL into a real ChromaDB server (``chroma run``), from a local HTTP server:
JSON lines of a model mirror, Poly Haven records of two kinds, Cap3D captions with Objaverse's
object-paths.json, a Sweet Home 3D library. Bad records are counted and named by position, never quoted;
re-imports embed only what changed; a killed import run again ends with exactly the source's entries;
every cap and URL refusal holds. Two processes planning against the same store choose the same assets."""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from simfarm.errors import InputError
from simfarm.retrieval.catalog import Catalog
from simfarm.retrieval.entries import CatalogKind
from simfarm.retrieval.index import CatalogIndex
from simfarm.retrieval.remote import ImportLimits, TooLarge, UrlPolicy, UrlRefused
from simfarm.retrieval.source_import import ImportFailed, ImportProgress, SourceSpec, import_source
from support.catalog_data import (MARKER, corrupt, model_mirror, objaverse_layout, polyhaven_mixed,
                                  require_libraries, write_jsonl)
from support.file_server import FileServer
from support.processes import Daemon
from support.waiting import wait_for

LOCAL = UrlPolicy.of(allowed_hosts=["127.0.0.1"], denied_networks=["10.96.0.0/12"])
SIMFARM = Path(sys.executable).parent / "simfarm"


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    server = FileServer(tmp_path_factory.mktemp("served"))
    yield server
    server.close()


@pytest.fixture(scope="module")
def mirror(served) -> list[dict]:
    """100 real models and their JSON-lines records."""
    return model_mirror(served.root, served.url, 100)


@pytest.fixture(scope="module")
def store(chroma_server) -> CatalogIndex:
    return CatalogIndex.server(chroma_server.url)


def run_import(store, source, fmt, url, **options) -> ImportProgress:
    return import_source(store, source, SourceSpec(fmt, url, options.pop("object_paths", None)), run="test",
                         policy=options.pop("policy", LOCAL), **options)


def test_json_lines_with_three_corrupt_records_import_the_other_97_and_name_them(store, served, mirror):
    write_jsonl(served.root / "corrupt.jsonl", corrupt(mirror, {11: "json", 47: "schema", 83: "metadata"}))
    progress = run_import(store, "t1/mirror", "jsonl", f"{served.url}/corrupt.jsonl")
    assert progress.phase == "Succeeded" and progress.records == 100 and progress.rejected == 3
    assert progress.counts == {"object": 97, "hdri": 0, "material": 0}
    assert progress.samples[0].startswith("record 12: not valid JSON (")
    assert progress.samples[1:] == [
        "record 48: name: Field required; (unknown field): Extra inputs are not permitted",
        "record 84: its URL is refused (a link-local (cloud metadata) address)",
    ]
    assert len(store.keys(CatalogKind.object, "t1/mirror")) == 97
    recorded = store.import_state("t1/mirror")
    assert recorded == progress.to_json()
    assert MARKER not in json.dumps(recorded) and "169.254" not in json.dumps(recorded)


def test_reimports_embed_only_what_changed(store, served, mirror):
    path = write_jsonl(served.root / "incremental.jsonl", mirror)
    first = run_import(store, "t2/mirror", "jsonl", f"{served.url}/incremental.jsonl")
    assert (first.written, first.unchanged) == (100, 0)
    again = run_import(store, "t2/mirror", "jsonl", f"{served.url}/incremental.jsonl")
    assert (again.written, again.unchanged, again.removed) == (0, 100, 0)
    changed = [dict(record) for record in mirror[:90]]
    changed[5]["description"] += ", repainted"
    write_jsonl(path, changed)
    third = run_import(store, "t2/mirror", "jsonl", f"{served.url}/incremental.jsonl")
    assert (third.written, third.unchanged, third.removed) == (1, 89, 10)
    assert third.counts["object"] == 90


def test_a_killed_import_run_again_ends_with_exactly_the_sources_entries(chroma_server, store, served, mirror,
                                                                          tmp_path):
    write_jsonl(served.root / "slow.jsonl", mirror)
    served.hold("/slow.jsonl", lines=50)
    env = {"PATH": f"{SIMFARM.parent}:/usr/bin:/bin", "HOME": str(tmp_path), "HF_HUB_OFFLINE": "1",
           "SIMFARM_URL_POLICY": LOCAL.to_json()}
    command = [SIMFARM, "catalog", "import-url", "t3/mirror", "jsonl", f"{served.url}/slow.jsonl",
               "--store", chroma_server.url, "--batch", "10"]
    first = Daemon("import-1", [*command, "--run", "first"], tmp_path / "first.log", env=env).start()
    state = wait_for(lambda: (store.import_state("t3/mirror") or {}).get("written", 0) >= 50 and
                     store.import_state("t3/mirror"), "50 entries written", 120, details=first.log_tail)
    first.kill()  # SIGKILL mid-download, as an OOM kill or a lost node would
    assert state["phase"] == "Running" and state["run"] == "first"
    served.release()
    done = subprocess.run([*command, "--run", "second"], env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    final = store.import_state("t3/mirror")
    assert (final["phase"], final["run"], final["written"], final["unchanged"]) == ("Succeeded", "second", 50, 50)
    keys = store.keys(CatalogKind.object, "t3/mirror")
    assert keys == sorted(f"t3/mirror:{record['id']}" for record in mirror)  # exactly 100, none twice


def test_polyhaven_records_of_two_kinds_split_by_type_and_filter_by_kind_and_license(store, served):
    (served.root / "polyhaven.json").write_text(json.dumps(polyhaven_mixed()))
    url = f"{served.url}/polyhaven.json"
    both = run_import(store, "t4/polyhaven", "polyhaven", url, kinds=[CatalogKind.hdri, CatalogKind.material])
    assert both.counts == {"object": 0, "hdri": 100, "material": 42} and both.rejected == 0
    only_hdris = run_import(store, "t4/polyhaven", "polyhaven", url, kinds=[CatalogKind.hdri])
    assert only_hdris.counts["material"] == 0 and only_hdris.filtered == 42 and only_hdris.removed == 42
    by_license = run_import(store, "t4/polyhaven", "polyhaven", url, licenses=["CC-BY"])
    assert by_license.counts == {"object": 0, "hdri": 0, "material": 0} and by_license.filtered == 142


def test_cap3d_captions_locate_objects_through_objaverse_object_paths(store, served):
    layout = objaverse_layout(served.root / "objaverse", 40)
    rows = layout.captions.read_text().splitlines()
    rows[7] = "0123456789abcdef0123456789abcdef,A caption for an object that object-paths.json does not know."
    rows[20] = rows[20].split(",", 1)[0] + ","  # an empty caption
    layout.captions.write_text("uid,caption\n" + "\n".join(rows) + "\n")
    progress = run_import(store, "t5/objaverse", "cap3d", f"{served.url}/objaverse/{layout.captions.name}",
                          object_paths=f"{served.url}/objaverse/object-paths.json.gz")
    assert progress.counts["object"] == 38 and progress.rejected == 2
    assert progress.samples == ["record 9: the uid has no relative path in object-paths.json",
                                "record 22: expected a non-empty caption string"]
    entry = next(e for e in store.entries(CatalogKind.object, "t5/objaverse") if e.id == layout.uids[0])
    assert entry.uri == f"{served.url}/objaverse/glbs/000-015/{layout.uids[0]}.obj"
    assert entry.description.startswith("A 3D model of a ")


def test_a_sweet_home_3d_library_over_http_keeps_its_real_sizes_and_credits(store, served):
    library = min(require_libraries(), key=lambda path: path.stat().st_size)
    shutil.copy(library, served.root / library.name)
    progress = run_import(store, "t6/library", "sweethome3d", f"{served.url}/{library.name}")
    entries = store.entries(CatalogKind.object, "t6/library")
    assert progress.counts["object"] == len(entries) > 10 and progress.rejected == 0
    assert all(e.uri.startswith(f"{served.url}/{library.name}#model=") for e in entries)
    assert all(e.size_m and e.license for e in entries)


# ---- caps and refusals ----

def test_the_source_url_itself_is_checked(store, served):
    for url, reason, policy in (("http://169.254.169.254/latest/meta-data/", "link-local", LOCAL),
                                ("file:///etc/passwd", "scheme", LOCAL),
                                (f"{served.url.replace('127.0.0.1', 'localhost')}/x", "loopback", UrlPolicy.of())):
        with pytest.raises(UrlRefused, match=reason):
            run_import(store, "t7/refused", "jsonl", url, policy=policy)
        failed = store.import_state("t7/refused")
        assert failed["phase"] == "Failed" and reason in failed["message"]


def test_a_source_redirected_to_the_metadata_service_is_refused(store, served):
    served.redirect("/moved.jsonl", "http://169.254.169.254/latest/meta-data/iam/security-credentials/")
    with pytest.raises(UrlRefused, match="redirect to a link-local"):
        run_import(store, "t8/redirected", "jsonl", f"{served.url}/moved.jsonl")


def test_caps_on_source_bytes_record_count_and_record_size(store, served, mirror):
    write_jsonl(served.root / "capped.jsonl", mirror)
    url = f"{served.url}/capped.jsonl"
    with pytest.raises(TooLarge, match="over|exceeds"):
        run_import(store, "t9/capped", "jsonl", url, limits=ImportLimits(max_source_bytes=2000))
    first_ten = run_import(store, "t9/capped", "jsonl", url, limits=ImportLimits(max_records=10))
    assert first_ten.capped and first_ten.records == 10 and first_ten.counts["object"] == 10
    sizes = sorted(len(json.dumps(record)) for record in mirror)
    limit = sizes[len(sizes) // 2]
    small = run_import(store, "t9/capped", "jsonl", url, limits=ImportLimits(max_record_bytes=limit + 1))
    assert small.rejected == sum(size > limit + 1 for size in sizes) > 0
    assert all(sample.endswith(f"over the {limit + 1}-byte record limit") for sample in small.samples)


def test_a_gzip_bomb_stops_at_the_cap(store, served):
    import gzip

    (served.root / "bomb.jsonl.gz").write_bytes(gzip.compress(b"\n" * 5_000_000))
    with pytest.raises(TooLarge, match="decompressed"):
        run_import(store, "t10/bomb", "jsonl", f"{served.url}/bomb.jsonl.gz",
                   limits=ImportLimits(max_source_bytes=1_000_000))


def test_server_errors_never_reach_the_progress(store, served):
    served.answer("/secret.json", 403, f"Forbidden {MARKER}", f"<Error>{MARKER} AccessDenied</Error>".encode())
    with pytest.raises(InputError):
        run_import(store, "t11/errors", "polyhaven", f"{served.url}/secret.json")
    message = store.import_state("t11/errors")["message"]
    assert "HTTP 403 Forbidden" in message and MARKER not in message
    served.answer("/busy.json", 503, MARKER, MARKER.encode())
    with pytest.raises(ImportFailed) as busy:
        run_import(store, "t11/errors", "polyhaven", f"{served.url}/busy.json")
    assert busy.value.retryable and MARKER not in str(busy.value)
    (served.root / "garbage.json").write_text(f"{MARKER} is not JSON")
    with pytest.raises(InputError) as garbage:
        run_import(store, "t11/errors", "polyhaven", f"{served.url}/garbage.json")
    assert "not valid JSON at line 1 column 1" in str(garbage.value) and MARKER not in str(garbage.value)


# ---- scoped search and deterministic resolution ----

def test_searches_see_only_the_sources_they_are_given(store, served, mirror):
    write_jsonl(served.root / "scoped.jsonl", mirror)
    run_import(store, "t12/mirror", "jsonl", f"{served.url}/scoped.jsonl")
    catalog = Catalog(store)
    query = mirror[30]["name"]
    everywhere = {hit.entry.source for hit in catalog.search(CatalogKind.object, query, top=20)}
    assert "t12/mirror" in everywhere
    scoped = catalog.search(CatalogKind.object, query, top=20, sources=["embedded", "t12/mirror"])
    assert {hit.entry.source for hit in scoped} <= {"embedded", "t12/mirror"}
    assert scoped[0].entry.id == mirror[30]["id"]
    assert catalog.search(CatalogKind.object, query, top=5, sources=["embedded"])[0].entry.source == "embedded"
    assert {e.source for e in catalog.entries(CatalogKind.object, ["t12/mirror"])} == {"t12/mirror"}


def test_two_processes_planning_against_one_store_choose_the_same_assets(chroma_server, store, served, mirror,
                                                                         tmp_path):
    write_jsonl(served.root / "shared.jsonl", mirror)
    run_import(store, "t13/mirror", "jsonl", f"{served.url}/shared.jsonl")
    names = [record["name"].lower() for record in mirror[40:43]]
    prompt = f"a {names[0]} beside a {names[1]} and a {names[2]}, slow orbit"
    command = [SIMFARM, "plan", prompt, "--variants", "3", "--seed", "11", "--store", chroma_server.url,
               "--catalog", "t13/mirror"]
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "HOME": str(tmp_path)}
    plans = [subprocess.run(command, env=env, capture_output=True, text=True, timeout=300) for _ in range(2)]
    assert all(plan.returncode == 0 for plan in plans), plans[0].stderr
    assert plans[0].stdout == plans[1].stdout
    assets = [obj["asset"] for variant in json.loads(plans[0].stdout)["variants"] for obj in variant["objects"]]
    assert {asset["catalog"] for asset in assets} <= {"embedded", "t13/mirror"}
    assert any(asset["catalog"] == "t13/mirror" for asset in assets)


def test_an_s3_source_is_read_with_the_pods_s3_secret(store, minio_server, monkeypatch):
    """The bucket is on the endpoint of the S3 settings the pod has (its Secret), never one the catalog names."""
    client = minio_server.client()
    if not client.bucket_exists("team-assets"):
        client.make_bucket("team-assets")
    data = json.dumps(polyhaven_mixed()).encode()
    client.put_object("team-assets", "polyhaven/assets.json", io.BytesIO(data), len(data))
    for key, value in minio_server.env().items():
        monkeypatch.setenv(key, value)
    progress = run_import(store, "t14/s3", "polyhaven", "s3://team-assets/polyhaven/assets.json",
                          kinds=[CatalogKind.hdri])
    assert progress.counts["hdri"] == 100 and progress.filtered == 42
    with pytest.raises(InputError, match="no such object"):
        run_import(store, "t14/s3", "polyhaven", "s3://team-assets/polyhaven/missing.json")


def test_a_searcher_sees_what_another_process_changed_after_its_last_search(chroma_server, served, mirror, tmp_path):
    """Searches keep the records they read (by content-addressed id): a change made by an import in another
    process must still reach the next search, and a removed entry must leave it."""
    path = write_jsonl(served.root / "changing.jsonl", mirror[:20])
    env = {"PATH": f"{SIMFARM.parent}:/usr/bin:/bin", "HOME": str(tmp_path), "HF_HUB_OFFLINE": "1",
           "SIMFARM_URL_POLICY": LOCAL.to_json()}
    command = [SIMFARM, "catalog", "import-url", "t15/mirror", "jsonl", f"{served.url}/changing.jsonl",
               "--store", chroma_server.url]
    assert subprocess.run(command, env=env, capture_output=True, timeout=300).returncode == 0
    searcher = Catalog(CatalogIndex.server(chroma_server.url))
    kept, dropped = mirror[7], mirror[3]

    def top(record) -> list:
        return searcher.search(CatalogKind.object, record["name"], top=3, sources=["t15/mirror"])
    assert top(kept)[0].entry.uri == kept["uri"] and top(dropped)[0].entry.id == dropped["id"]
    records = [dict(record) for record in mirror[:20] if record is not dropped]
    moved = next(record for record in records if record["id"] == kept["id"])
    moved["uri"], moved["tags"] = mirror[25]["uri"], [*moved.get("tags", []), "restored"]
    write_jsonl(path, records)
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    (hit, *_) = top(kept)
    assert (hit.entry.id, hit.entry.uri) == (kept["id"], mirror[25]["uri"]) and "restored" in hit.entry.tags
    assert dropped["id"] not in {hit.entry.id for hit in top(dropped)}
