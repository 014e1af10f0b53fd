"""Certificates and keys for a test control plane, made with the ``openssl`` command.

One throw-away CA signs the API server's serving certificate (valid for
127.0.0.1 and localhost) and client certificates (the subject's CN is the
user name, each O a group). EC P-256 keys: generated in milliseconds. The
service-account token signing key is RSA, the kube-apiserver default.
"""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

VALID_DAYS = "2"


@dataclass(frozen=True)
class KeyPair:
    cert: Path
    key: Path


@dataclass(frozen=True)
class SigningKey:
    private: Path
    public: Path


def _openssl(*args: str | Path, cwd: Path) -> None:
    binary = shutil.which("openssl")
    if binary is None:
        raise RuntimeError("openssl not found on PATH: it makes the test cluster's certificates")
    result = subprocess.run([binary, *map(str, args)], cwd=cwd, capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(f"openssl {' '.join(map(str, args[:2]))} failed: {result.stderr.strip()}")


class CertificateAuthority:
    """A CA in ``directory`` (``ca.crt``, ``ca.key``) that issues leaf certificates beside it."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        directory.mkdir(parents=True, exist_ok=True)
        self.pair = KeyPair(directory / "ca.crt", directory / "ca.key")
        _openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                 "-keyout", self.pair.key, "-out", self.pair.cert, "-days", VALID_DAYS,
                 "-subj", "/CN=simfarm-e2e-ca", "-addext", "basicConstraints=critical,CA:TRUE",
                 "-addext", "keyUsage=critical,keyCertSign,cRLSign", cwd=directory)

    def issue(self, name: str, *, common_name: str, groups: tuple[str, ...] = (),
              server_names: tuple[str, ...] = ()) -> KeyPair:
        """A certificate for a client (``groups``) or, with ``server_names`` (IPs or DNS names), a server."""
        pair = KeyPair(self.directory / f"{name}.crt", self.directory / f"{name}.key")
        request = self.directory / f"{name}.csr"
        subject = "".join(f"/O={group}" for group in groups) + f"/CN={common_name}"
        _openssl("req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                 "-keyout", pair.key, "-out", request, "-subj", subject, cwd=self.directory)
        extensions = self.directory / f"{name}.ext"
        lines = ["basicConstraints=critical,CA:FALSE", "keyUsage=critical,digitalSignature"]
        if server_names:
            alt = ",".join(f"IP:{n}" if n.replace(".", "").isdigit() else f"DNS:{n}" for n in server_names)
            lines += ["extendedKeyUsage=serverAuth", f"subjectAltName={alt}"]
        else:
            lines.append("extendedKeyUsage=clientAuth")
        extensions.write_text("\n".join(lines) + "\n")
        _openssl("x509", "-req", "-in", request, "-CA", self.pair.cert, "-CAkey", self.pair.key,
                 "-CAcreateserial", "-out", pair.cert, "-days", VALID_DAYS, "-extfile", extensions,
                 cwd=self.directory)
        return pair


def signing_key(directory: Path, name: str = "service-account") -> SigningKey:
    """An RSA key pair for service-account tokens: ``.key`` (private) and ``.pub`` (public)."""
    private, public = directory / f"{name}.key", directory / f"{name}.pub"
    _openssl("genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", private, cwd=directory)
    _openssl("pkey", "-in", private, "-pubout", "-out", public, cwd=directory)
    return SigningKey(private=private, public=public)
