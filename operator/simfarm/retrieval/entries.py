"""Catalog entries: the typed source of truth for every searchable asset."""

from __future__ import annotations

import hashlib
from enum import Enum
from typing import Annotated, Sequence

from pydantic import BaseModel, ConfigDict, Field, model_validator

from ..errors import InputError


class CatalogKind(str, Enum):
    """What a scene element is drawn from: an object, a background, a floor."""

    object = "object"
    hdri = "hdri"
    material = "material"


# A catalog's name; a cluster's AssetCatalog entries are "<namespace>/<name>", which no built-in source is.
SOURCE_PATTERN = r"^[A-Za-z0-9._-]+(/[A-Za-z0-9._-]+)?$"
PositiveMetres = Annotated[float, Field(gt=0)]
RealSize = tuple[PositiveMetres, PositiveMetres, PositiveMetres]
KINDS: tuple[str, ...] = tuple(kind.value for kind in CatalogKind)


def parse_kind(value: str) -> CatalogKind:
    """The kind a user typed, or an ``InputError`` naming the known ones."""
    try:
        return CatalogKind(value)
    except ValueError:
        raise InputError(f"unknown catalog kind {value!r}; expected one of: {', '.join(KINDS)}") from None


def _license_words(license: str) -> str:
    return "-".join(license.upper().replace("_", " ").replace("-", " ").split())


def license_allowed(license: str, allowed: Sequence[str]) -> bool:
    """Whether ``license`` is one of ``allowed`` or a version of one: "CC0" allows "CC0-1.0", "CC-BY" allows
    "CC-BY-3.0" and "CC-BY-3.0-US"; case, spaces and '_' do not matter. No restriction when ``allowed`` is empty."""
    if not allowed:
        return True
    have = _license_words(license)
    return any(have == want or have.startswith(want + "-") for want in map(_license_words, allowed) if want)


def entry_key(source: str, entry_id: str) -> str:
    return f"{source}:{entry_id}"


class CatalogEntry(BaseModel):
    """One asset. ``uri`` locates it; a material may instead (or also) carry one URI per texture map."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(min_length=1, max_length=256, pattern=r"^\S+$")
    kind: CatalogKind
    name: str = Field(min_length=1)
    description: str = Field("", description="Caption or free-text description")
    tags: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    uri: str = ""
    maps: dict[str, str] = Field(default_factory=dict, description="Texture map name -> URI (materials)")
    license: str = ""
    creator: str = Field("", description="Who made the asset, for the credits its license may require")
    source: str = Field("custom", min_length=1, pattern=SOURCE_PATTERN,
                        description="Which catalog it came from: 'embedded', 'polyhaven', a cluster's "
                                    "'<namespace>/<AssetCatalog>', …")
    size_m: RealSize | None = Field(
        None, description="Real-world bounding box (width x, depth y, height z) in metres, of the model standing "
                          "with its front towards -y, as the render worker builds it (objects)")
    top_m: PositiveMetres | None = Field(
        None, description="Height of the surface other objects stand on (a table's top, a bed's mattress), in "
                          "metres at life size; None when it is the top of the bounding box")

    @model_validator(mode="after")
    def _locatable(self) -> "CatalogEntry":
        if not self.uri and not self.maps:
            raise ValueError("an entry needs a uri or at least one texture map")
        return self

    @property
    def key(self) -> str:
        """Index key, unique across sources: the same id may come from two catalogs."""
        return entry_key(self.source, self.id)

    def search_text(self) -> str:
        """The record as sentences: the name, the description, then tags and categories."""
        parts = [self.name]
        if self.description and self.description.lower() != self.name.lower():
            parts.append(self.description)
        labels = list(dict.fromkeys(self.tags + self.categories))
        if labels:
            parts.append(", ".join(labels))
        return ". ".join(parts)

    def plain_text(self) -> str:
        """The record as one run of words, as the ancestor embedded it: name, categories, tags, description."""
        return f"{self.name} {' '.join(self.categories)} {' '.join(self.tags)} {self.description}".strip()

    def phrasings(self) -> tuple[str, str]:
        """What is embedded: the record phrased twice. MiniLM's vector of a terse record moves with its
        punctuation and word order, so the index keeps the mean of both vectors; a search then scores the
        mean of the two cosines. That ranked the judged real-catalog queries better than the sentences alone, both
        those it was measured on and 48 written blind afterwards."""
        return self.search_text(), self.plain_text()

    def content_hash(self) -> str:
        """Changes whenever the entry or its embedded texts change; stored beside the embedding."""
        payload = self.model_dump_json() + "\x00" + "\x00".join(self.phrasings())
        return hashlib.sha256(payload.encode()).hexdigest()[:32]
