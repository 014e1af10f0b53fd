"""Untrusted URLs: which ones may be fetched, and fetching them within a byte cap.

Whoever may create an ``AssetCatalog`` decides which URLs the import Jobs and
the render pods fetch, so in a cluster those URLs are untrusted input:

* only ``https``, ``http`` and ``s3`` URIs (an ``s3://`` URI names a bucket
  and key on the S3 endpoint of the pod's own Secret, which the catalog
  cannot choose);
* never loopback, link-local (cloud metadata at 169.254.169.254, fe80::/10),
  the unspecified address, multicast, the well-known metadata addresses, or
  the networks the chart denies (the cluster's service range), whether the
  URL names the address or a host that resolves to it, and on every redirect;
* hosts on the chart's allow-list are exempt (an internal mirror).

``UrlPolicy.check`` is the pure part (the resolver is a parameter). Fetches
check again at connection time: the connection goes to an address that was
checked, never to a fresh DNS answer, so DNS rebinding gains nothing.
Environment proxies are not used for these fetches (a proxy would hide the
real destination from the check).

Messages never quote what a server sent (bodies, reason phrases, redirect
targets): they end up in status and termination messages.

Stdlib only: the render worker imports this module too.
"""

from __future__ import annotations

import http.client
import ipaddress
import json
import os
import socket
import ssl
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import IO
from urllib.parse import urljoin, urlsplit

from ..errors import InputError

POLICY_ENV = "SIMFARM_URL_POLICY"
LIMITS_ENV = "SIMFARM_IMPORT_LIMITS"
ALLOWED_SCHEMES = ("https", "http", "s3")
MAX_REDIRECTS = 5
CHUNK = 1 << 20
# Cloud metadata endpoints outside the link-local range: AWS over IPv6, Alibaba Cloud.
METADATA_ADDRESSES = (ipaddress.ip_address("fd00:ec2::254"), ipaddress.ip_address("100.100.100.200"))
RETRYABLE_HTTP = frozenset({408, 425, 429, 500, 502, 503, 504})

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Resolver = Callable[[str, int], list[str]]


class UrlRefused(InputError):
    """The URL may not be fetched under the policy (permanent: retrying cannot help).

    ``reason`` names the rule without the URL (a record's URL is untrusted text).
    """

    def __init__(self, message: str, reason: str) -> None:
        super().__init__(message)
        self.reason = reason


class TooLarge(InputError):
    """A download went past its byte cap."""


class FetchFailed(Exception):
    """A fetch failed; ``retryable`` for connection failures, timeouts, 429 and 5xx answers."""

    def __init__(self, message: str, *, retryable: bool) -> None:
        super().__init__(message)
        self.retryable = retryable


def resolve(host: str, port: int) -> list[str]:
    """Every address ``host`` resolves to (the system resolver)."""
    return sorted({info[4][0] for info in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)})


def _network(text: str) -> Network:
    try:
        return ipaddress.ip_network(text.strip(), strict=False)
    except ValueError:
        raise InputError(f"{text!r} is not an IP address or CIDR network") from None


@dataclass(frozen=True)
class UrlPolicy:
    """What may be fetched. ``enforce=False`` (a local run: your own files and servers) checks only the scheme."""

    allowed_hosts: frozenset[str] = frozenset()  # host names or IP literals, exempt from the address checks
    allowed_networks: tuple[Network, ...] = ()  # addresses exempt from them (allow-list entries that are IPs)
    denied_networks: tuple[Network, ...] = ()  # e.g. the cluster's service range
    enforce: bool = True

    @classmethod
    def of(cls, allowed_hosts: Iterable[str] = (), denied_networks: Iterable[str] = ()) -> "UrlPolicy":
        """From the chart's lists: an allow-list entry that is an IP address or CIDR exempts those addresses."""
        names, networks = set(), []
        for entry in (host.strip().lower().strip("[]") for host in allowed_hosts):
            if not entry:
                continue
            try:
                networks.append(ipaddress.ip_network(entry, strict=False))
            except ValueError:
                names.add(entry)
        return cls(frozenset(names), tuple(networks), tuple(_network(text) for text in denied_networks))

    @classmethod
    def from_json(cls, text: str) -> "UrlPolicy":
        """``{"allowedHosts": [...], "deniedNetworks": [...]}`` (what the operator hands its pods)."""
        try:
            data = json.loads(text)
        except json.JSONDecodeError as error:
            raise InputError(f"{POLICY_ENV} is not JSON ({error.msg})") from None
        if not isinstance(data, dict) or set(data) - {"allowedHosts", "deniedNetworks"}:
            raise InputError(f'{POLICY_ENV} must be {{"allowedHosts": [...], "deniedNetworks": [...]}}')
        lists = {key: data.get(key) or [] for key in ("allowedHosts", "deniedNetworks")}
        if not all(isinstance(value, list) and all(isinstance(v, str) for v in value) for value in lists.values()):
            raise InputError(f"{POLICY_ENV}: allowedHosts and deniedNetworks must be lists of strings")
        return cls.of(lists["allowedHosts"], lists["deniedNetworks"])

    @classmethod
    def from_environ(cls, environ: Mapping[str, str] | None = None) -> "UrlPolicy":
        """``$SIMFARM_URL_POLICY`` when set (every pod the operator starts has it), else no address checks."""
        text = (os.environ if environ is None else environ).get(POLICY_ENV, "")
        return cls.from_json(text) if text.strip() else cls(enforce=False)

    def to_json(self) -> str:
        hosts = sorted(self.allowed_hosts) + [str(network) for network in self.allowed_networks]
        return json.dumps({"allowedHosts": hosts, "deniedNetworks": [str(n) for n in self.denied_networks]})

    # ---- checks ----

    def check(self, url: str, resolver: Resolver | None = resolve) -> None:
        """Refuse ``url`` (``UrlRefused``) unless the policy allows fetching it.

        The host is resolved with ``resolver`` (None: only addresses written in
        the URL are checked); a host that does not resolve is not refused here,
        since the fetch itself fails and checks again.
        """
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        if scheme not in ALLOWED_SCHEMES:
            shown = f"scheme {scheme!r}" if scheme else "a URL without a scheme"
            allowed = ", ".join(ALLOWED_SCHEMES)
            raise UrlRefused(f"{shown} is not allowed (only {allowed})", f"a scheme other than {allowed}")
        if scheme == "s3":
            if not parts.netloc:
                raise UrlRefused("an s3:// URI needs a bucket", "an s3:// URI without a bucket")
            return
        try:
            host, port = parts.hostname, parts.port or (443 if scheme == "https" else 80)
        except ValueError:
            raise UrlRefused("the URL has an invalid port", "a URL with an invalid port") from None
        if not host:
            raise UrlRefused("the URL has no host", "a URL without a host")
        if not self.enforce or host.lower() in self.allowed_hosts:
            return
        try:
            self.check_address(host)
            return  # an address literal, checked
        except ValueError:
            pass
        if resolver is None:
            return
        try:
            addresses = resolver(host, port)
        except (OSError, UnicodeError):
            return
        for address in addresses:
            self.check_address(address, host)

    def check_address(self, address: str, host: str | None = None) -> None:
        """Refuse one address; ``ValueError`` when ``address`` is not an IP address at all."""
        ip = ipaddress.ip_address(address.split("%", 1)[0])
        if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
            ip = ip.ipv4_mapped
        if not self.enforce or any(ip in network for network in self.allowed_networks):
            return
        what = _refused_kind(ip) or next((f"an address in the denied network {network}"
                                          for network in self.denied_networks if ip in network), None)
        if what:
            via = f"{host} resolves to {ip}" if host and host != str(ip) else f"{ip}"
            raise UrlRefused(f"{via}: {what}, which is refused (add the host to the chart's "
                             f"catalogs.urlPolicy.allowedHosts to allow it)", what)


def _refused_kind(ip: Address) -> str | None:
    if ip.is_loopback:
        return "a loopback address"
    if ip.is_link_local or ip in METADATA_ADDRESSES:
        return "a link-local (cloud metadata) address"
    if ip.is_unspecified:
        return "the unspecified address"
    if ip.is_multicast:
        return "a multicast address"
    return None


@dataclass(frozen=True)
class ImportLimits:
    """Caps on what one source may make an import do (the chart's catalogs.limits)."""

    max_records: int = 200_000
    max_record_bytes: int = 64 * 1024
    max_source_bytes: int = 1 << 30

    @classmethod
    def from_environ(cls, environ: Mapping[str, str] | None = None) -> "ImportLimits":
        """``$SIMFARM_IMPORT_LIMITS``: ``{"maxRecords": …, "maxRecordBytes": …, "maxSourceBytes": …}``."""
        text = (os.environ if environ is None else environ).get(LIMITS_ENV, "")
        if not text.strip():
            return cls()
        try:
            data = json.loads(text)
            names = {"maxRecords": "max_records", "maxRecordBytes": "max_record_bytes",
                     "maxSourceBytes": "max_source_bytes"}
            values = {names[key]: int(value) for key, value in data.items()}
        except (json.JSONDecodeError, KeyError, TypeError, ValueError, AttributeError):
            raise InputError(f"{LIMITS_ENV} must be a JSON object of maxRecords, maxRecordBytes, "
                             f"maxSourceBytes (integers)") from None
        if any(value < 1 for value in values.values()):
            raise InputError(f"{LIMITS_ENV}: every limit must be at least 1")
        return cls(**values)

    def to_json(self) -> str:
        return json.dumps({"maxRecords": self.max_records, "maxRecordBytes": self.max_record_bytes,
                           "maxSourceBytes": self.max_source_bytes})


# ---- fetching ----

def _checked_connector(policy: UrlPolicy, host: str) -> Callable[..., socket.socket]:
    """``socket.create_connection`` that connects only to addresses of ``host`` the policy allows."""

    def connect(address: tuple[str, int], timeout: float | None = None, source_address=None) -> socket.socket:
        name, port = address
        if name.lower() in policy.allowed_hosts:
            return socket.create_connection(address, timeout, source_address)
        addresses = resolve(name, port)
        for candidate in addresses:
            policy.check_address(candidate, host)
        last: OSError | None = None
        for candidate in addresses:
            try:
                return socket.create_connection((candidate, port), timeout, source_address)
            except OSError as error:
                last = error
        raise last or OSError(f"{name} has no address")

    return connect


class _CheckedHTTPHandler(urllib.request.HTTPHandler):
    def __init__(self, policy: UrlPolicy) -> None:
        super().__init__()
        self.policy = policy

    def http_open(self, req: urllib.request.Request):
        return self.do_open(self._connection, req)

    def _connection(self, host: str, **kwargs) -> http.client.HTTPConnection:
        connection = http.client.HTTPConnection(host, **kwargs)
        connection._create_connection = _checked_connector(self.policy, connection.host)
        return connection


class _CheckedHTTPSHandler(urllib.request.HTTPSHandler):
    def __init__(self, policy: UrlPolicy) -> None:
        super().__init__(context=ssl.create_default_context())
        self.policy = policy

    def https_open(self, req: urllib.request.Request):
        return self.do_open(self._connection, req, context=self._context)

    def _connection(self, host: str, **kwargs) -> http.client.HTTPSConnection:
        connection = http.client.HTTPSConnection(host, **kwargs)
        connection._create_connection = _checked_connector(self.policy, connection.host)
        return connection


class _CheckedRedirectHandler(urllib.request.HTTPRedirectHandler):
    """Follows at most ``MAX_REDIRECTS`` redirects, each target checked like the first URL."""

    max_redirections = MAX_REDIRECTS

    def __init__(self, policy: UrlPolicy) -> None:
        super().__init__()
        self.policy = policy

    def http_error_302(self, req, fp, code, msg, headers):
        target = headers.get("location") or headers.get("uri")
        if target:
            try:
                self.policy.check(urljoin(req.full_url, target), resolver=None)  # the connection checks addresses
            except UrlRefused as refused:
                fp.close()
                raise UrlRefused(f"refused a redirect to {refused.reason}",
                                 f"a redirect to {refused.reason}") from None
        return super().http_error_302(req, fp, code, msg, headers)

    http_error_301 = http_error_303 = http_error_307 = http_error_308 = http_error_302


def _opener(policy: UrlPolicy) -> urllib.request.OpenerDirector:
    """http(s) only: no proxies from the environment, no file:, ftp: or data: handlers."""
    opener = urllib.request.OpenerDirector()
    for handler in (_CheckedHTTPHandler(policy), _CheckedHTTPSHandler(policy), _CheckedRedirectHandler(policy),
                    urllib.request.HTTPDefaultErrorHandler(), urllib.request.HTTPErrorProcessor()):
        opener.add_handler(handler)
    return opener


def open_http(url: str, policy: UrlPolicy, *, timeout: float = 60, user_agent: str = "simfarm"
              ) -> http.client.HTTPResponse:
    """The response to ``GET url`` under ``policy``; ``UrlRefused`` or ``FetchFailed`` otherwise."""
    policy.check(url, resolver=None)
    request = urllib.request.Request(url.split("#", 1)[0], headers={"User-Agent": user_agent})
    try:
        return _opener(policy).open(request, timeout=timeout)
    except urllib.error.HTTPError as error:
        error.close()
        phrase = HTTPStatus(error.code).phrase if error.code in HTTPStatus._value2member_map_ else "error"
        raise FetchFailed(f"HTTP {error.code} {phrase}", retryable=error.code in RETRYABLE_HTTP) from None
    except urllib.error.URLError as error:
        if isinstance(error.reason, UrlRefused):
            raise error.reason from None
        raise FetchFailed(f"cannot connect: {_network_reason(error.reason)}", retryable=True) from None
    except UrlRefused:
        raise
    except (TimeoutError, ConnectionError, http.client.HTTPException, OSError) as error:
        raise FetchFailed(f"cannot connect: {_network_reason(error)}", retryable=True) from None


def _network_reason(reason: object) -> str:
    """A socket error in our words (its errno name), never text a server sent."""
    if isinstance(reason, socket.timeout):
        return "timed out"
    if isinstance(reason, socket.gaierror):
        return "the host name does not resolve"
    if isinstance(reason, OSError) and reason.strerror:
        return reason.strerror
    return type(reason).__name__


def copy_capped(source: IO[bytes], destination: IO[bytes], max_bytes: int, what: str,
                declared: int | None = None) -> int:
    """Copy ``source`` to ``destination``, stopping with ``TooLarge`` past ``max_bytes``; returns the size."""
    if declared is not None and declared > max_bytes:
        raise TooLarge(f"{what}: {declared} bytes exceeds the {max_bytes}-byte limit")
    copied = 0
    while chunk := source.read(CHUNK):
        copied += len(chunk)
        if copied > max_bytes:
            raise TooLarge(f"{what}: larger than the {max_bytes}-byte limit")
        destination.write(chunk)
    if declared and copied != declared:
        raise FetchFailed(f"{what}: connection closed after {copied} of {declared} bytes", retryable=True)
    return copied


@dataclass
class CappedReader:
    """A binary stream that raises ``TooLarge`` once more than ``max_bytes`` were read from it."""

    stream: IO[bytes]
    max_bytes: int
    what: str
    read_bytes: int = field(default=0, init=False)

    def read(self, size: int = -1) -> bytes:
        data = self.stream.read(size if size is not None and size >= 0 else self.max_bytes + 1)
        self.read_bytes += len(data)
        if self.read_bytes > self.max_bytes:
            raise TooLarge(f"{self.what}: larger than the {self.max_bytes}-byte limit")
        return data

    def readline(self, size: int = -1) -> bytes:
        data = self.stream.readline(size)
        self.read_bytes += len(data)
        if self.read_bytes > self.max_bytes:
            raise TooLarge(f"{self.what}: larger than the {self.max_bytes}-byte limit")
        return data

    def peek(self, size: int = 1) -> bytes:
        """Bytes ahead, not yet counted (the stream must be buffered: files, HTTP responses, gzip)."""
        return self.stream.peek(size)  # type: ignore[attr-defined]

    def close(self) -> None:
        self.stream.close()
