"""The URL policy for untrusted catalog URLs: each refusal, the allow-list, and fetches that check every
connection and redirect (against local servers on 127.0.0.1 and 127.0.0.2)."""

from __future__ import annotations

import io
import json

import pytest

from simfarm.errors import InputError
from simfarm.retrieval.remote import (CappedReader, FetchFailed, TooLarge, UrlPolicy, UrlRefused, copy_capped,
                                      open_http)
from support.file_server import FileServer

SERVICES = "10.96.0.0/12"
POLICY = UrlPolicy.of(denied_networks=[SERVICES])


def fake_dns(answers: dict[str, list[str]]):
    def resolve(host: str, port: int) -> list[str]:
        if host not in answers:
            raise OSError("no such host")
        return answers[host]
    return resolve


DNS = fake_dns({"assets.example.com": ["93.184.216.34", "2606:2800:220:1::1"], "metadata.evil.test": ["169.254.169.254"],
                "mixed.evil.test": ["93.184.216.34", "127.0.0.1"], "kube.evil.test": ["10.96.0.1"],
                "v6.evil.test": ["fe80::1%eth0"], "mapped.evil.test": ["::ffff:127.0.0.1"],
                "mirror.internal": ["10.1.2.3"]})


@pytest.mark.parametrize("url", [
    "https://assets.example.com/models/chair.glb", "http://assets.example.com:8080/a.obj", "s3://bucket/key.glb",
    "https://93.184.216.34/x.hdr", "http://mirror.internal/x.glb", "https://unresolvable.example/x.glb",
])
def test_public_and_private_mirror_urls_are_allowed(url):
    POLICY.check(url, DNS)


@pytest.mark.parametrize("url,reason", [
    ("file:///etc/passwd", "a scheme other than https, http, s3"),
    ("ftp://assets.example.com/a.glb", "a scheme other than https, http, s3"),
    ("library://sweethome3d/../../etc/passwd", "a scheme other than https, http, s3"),
    ("gopher://assets.example.com/", "a scheme other than https, http, s3"),
    ("assets.example.com/a.glb", "a scheme other than https, http, s3"),
    ("http:///nohost", "a URL without a host"),
    ("s3:///key", "an s3:// URI without a bucket"),
    ("http://169.254.169.254/latest/meta-data/", "a link-local (cloud metadata) address"),
    ("http://169.254.10.20:8080/", "a link-local (cloud metadata) address"),
    ("http://[fe80::1]/", "a link-local (cloud metadata) address"),
    ("http://[fd00:ec2::254]/latest/meta-data/", "a link-local (cloud metadata) address"),
    ("http://100.100.100.200/latest/meta-data/", "a link-local (cloud metadata) address"),
    ("http://127.0.0.1:9000/", "a loopback address"),
    ("http://127.3.4.5/", "a loopback address"),
    ("http://[::1]/", "a loopback address"),
    ("http://[::ffff:127.0.0.1]/", "a loopback address"),
    ("http://0.0.0.0/", "the unspecified address"),
    ("http://224.0.0.1/", "a multicast address"),
    ("http://10.96.0.1/api", f"an address in the denied network {SERVICES}"),
    ("http://10.111.22.33:443/", f"an address in the denied network {SERVICES}"),
    ("https://metadata.evil.test/", "a link-local (cloud metadata) address"),
    ("https://mixed.evil.test/", "a loopback address"),
    ("https://kube.evil.test/", f"an address in the denied network {SERVICES}"),
    ("https://v6.evil.test/", "a link-local (cloud metadata) address"),
    ("https://mapped.evil.test/", "a loopback address"),
])
def test_each_refusal(url, reason):
    with pytest.raises(UrlRefused) as refused:
        POLICY.check(url, DNS)
    assert refused.value.reason == reason


def test_a_refusal_says_which_host_resolved_where():
    with pytest.raises(UrlRefused, match=r"metadata.evil.test resolves to 169.254.169.254: a link-local"):
        POLICY.check("https://metadata.evil.test/x", DNS)


def test_the_allow_list_exempts_hosts_and_addresses():
    policy = UrlPolicy.of(allowed_hosts=["Minio.Storage.svc", "127.0.0.1", "10.96.5.0/24"],
                          denied_networks=[SERVICES])
    policy.check("http://minio.storage.svc:9000/b/k", fake_dns({"minio.storage.svc": ["10.96.7.7"]}))
    policy.check("http://127.0.0.1:8000/x", DNS)
    policy.check("http://10.96.5.9/x", DNS)
    with pytest.raises(UrlRefused):
        policy.check("http://10.96.6.9/x", DNS)
    with pytest.raises(UrlRefused):  # the allow-list names 127.0.0.1, not all of loopback
        policy.check("http://127.0.0.2/x", DNS)
    with pytest.raises(UrlRefused):  # nor the metadata service
        policy.check("http://169.254.169.254/", DNS)


def test_unenforced_policy_checks_only_the_scheme():
    local = UrlPolicy(enforce=False)
    local.check("http://127.0.0.1:8000/x", DNS)
    with pytest.raises(UrlRefused):
        local.check("file:///etc/passwd", DNS)


def test_policy_from_the_environment():
    assert not UrlPolicy.from_environ({}).enforce
    policy = UrlPolicy.from_environ({"SIMFARM_URL_POLICY": json.dumps(
        {"allowedHosts": ["mirror.internal", "127.0.0.1"], "deniedNetworks": [SERVICES, "fd00:10:96::/112"]})})
    assert policy.enforce and policy.allowed_hosts == {"mirror.internal"}
    assert UrlPolicy.from_json(policy.to_json()) == policy
    for bad in ("[", '{"allowedHosts": "x"}', '{"other": []}', '{"deniedNetworks": ["not-a-cidr"]}'):
        with pytest.raises(InputError):
            UrlPolicy.from_json(bad)


def test_caps_on_downloaded_bytes():
    out = io.BytesIO()
    assert copy_capped(io.BytesIO(b"x" * 100), out, 100, "asset") == 100
    with pytest.raises(TooLarge, match="asset: larger than the 99-byte limit"):
        copy_capped(io.BytesIO(b"x" * 100), io.BytesIO(), 99, "asset")
    with pytest.raises(TooLarge, match="asset: 5000 bytes exceeds the 100-byte limit"):
        copy_capped(io.BytesIO(b""), io.BytesIO(), 100, "asset", declared=5000)
    reader = CappedReader(io.BufferedReader(io.BytesIO(b"a\nb\nc\n")), 4, "records")
    assert reader.readline() == b"a\n" and reader.readline() == b"b\n"
    with pytest.raises(TooLarge):
        reader.readline()


# ---- fetches against real local servers ----

@pytest.fixture
def servers(tmp_path):
    (tmp_path / "a.txt").write_text("the asset\n")
    main, other = FileServer(tmp_path), FileServer(tmp_path, host="127.0.0.2")
    yield main, other
    main.close()
    other.close()


ALLOW_MAIN = UrlPolicy.of(allowed_hosts=["127.0.0.1"], denied_networks=[SERVICES])


def test_an_allowed_server_is_fetched(servers):
    main, _ = servers
    with open_http(f"{main.url}/a.txt", ALLOW_MAIN) as response:
        assert response.read() == b"the asset\n"


def test_loopback_is_refused_without_the_allow_list_even_by_name(servers):
    main, _ = servers
    port = main.url.rsplit(":", 1)[1]
    for url in (f"{main.url}/a.txt", f"http://localhost:{port}/a.txt"):
        with pytest.raises(UrlRefused, match="loopback"):
            open_http(url, POLICY)
    assert main.requests["/a.txt"] == 0


@pytest.mark.parametrize("target,reason", [
    ("http://169.254.169.254/latest/meta-data/iam/", "link-local"),
    ("http://127.0.0.2:{other}/a.txt", "loopback"),
    ("file:///etc/passwd", "scheme"),
    ("ftp://127.0.0.1/a.txt", "scheme"),
])
def test_redirects_to_refused_addresses_are_not_followed(servers, target, reason):
    main, other = servers
    main.redirect("/jump", target.format(other=other.url.rsplit(":", 1)[1]))
    with pytest.raises(UrlRefused, match=reason) as refused:
        open_http(f"{main.url}/jump", ALLOW_MAIN)
    assert "redirect" in str(refused.value)
    assert other.requests["/a.txt"] == 0, "the refused server was reached"


def test_error_answers_never_quote_the_server(servers):
    main, _ = servers
    main.answer("/secret", 404, "SECRET-REASON", b"SECRET-BODY aws_secret_access_key=abc")
    main.answer("/busy", 503, "SECRET-REASON", b"SECRET-BODY")
    with pytest.raises(FetchFailed) as missing:
        open_http(f"{main.url}/secret", ALLOW_MAIN)
    assert str(missing.value) == "HTTP 404 Not Found" and not missing.value.retryable
    with pytest.raises(FetchFailed) as busy:
        open_http(f"{main.url}/busy", ALLOW_MAIN)
    assert str(busy.value) == "HTTP 503 Service Unavailable" and busy.value.retryable


def test_a_closed_port_is_a_retryable_failure():
    with pytest.raises(FetchFailed, match="cannot connect") as failed:
        open_http("http://127.0.0.1:9/x", ALLOW_MAIN, timeout=5)
    assert failed.value.retryable


# ---- the render worker's asset cache under the policy a pod gets ----

def test_render_pods_refuse_catalog_assets_on_refused_addresses(servers, tmp_path, monkeypatch):
    from simfarm_render.assets import AssetCache
    from simfarm_render.errors import PermanentError

    main, other = servers
    monkeypatch.setenv("SIMFARM_URL_POLICY", json.dumps({"allowedHosts": ["127.0.0.1"], "deniedNetworks": [SERVICES]}))
    monkeypatch.setenv("SIMFARM_ASSET_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("SIMFARM_ASSET_MAX_BYTES", "5")
    cache = AssetCache.from_environment()
    assert cache.policy.enforce and cache.max_bytes == 5
    main.redirect("/metadata.glb", "http://169.254.169.254/latest/meta-data/")
    for uri, why in ((f"{other.url}/a.txt", "loopback"), (f"{main.url}/metadata.glb", "redirect to a link-local"),
                     (f"{main.url}/a.txt", "5-byte limit"), ("ftp://127.0.0.1/a.txt", "no such file")):
        with pytest.raises(PermanentError, match=why):
            cache.fetch(uri)
    assert other.requests["/a.txt"] == 0
    monkeypatch.setenv("SIMFARM_ASSET_MAX_BYTES", "1000")
    assert AssetCache.from_environment().fetch(f"{main.url}/a.txt").read_text() == "the asset\n"
