"""Resolve a catalog's ``procedural://`` URI to the generator that builds it."""

from __future__ import annotations

from typing import Mapping, TypeVar

from simfarm.retrieval.procedural import ProceduralRef, ProceduralUriError, parse_procedural_uri

from .errors import PermanentError

Generator = TypeVar("Generator")


def generator_for(uri: str, kind: str, generators: Mapping[str, Generator]) -> tuple[ProceduralRef, Generator]:
    """(parsed reference, generator) for a URI of ``kind``; a URI nothing can build is a permanent error."""
    try:
        ref = parse_procedural_uri(uri)
    except ProceduralUriError as error:
        raise PermanentError(str(error)) from error
    if ref.kind != kind or ref.type not in generators:
        raise PermanentError(f"{uri}: no {kind} generator for {ref.kind}/{ref.type}")
    return ref, generators[ref.type]
