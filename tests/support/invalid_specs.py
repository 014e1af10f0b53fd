"""VideoRequest specs that must be refused, each with the field its error names.

One list for every layer that refuses them: tests/unit/test_crd.py (the CRD's schema under jsonschema,
and the pydantic model) and tests/e2e/test_e2e_validation.py (a real API server). ``field`` is written
as the API server writes it after ``spec.``: ``render.width``, ``tolerations[0].effect``; ``""`` is the
spec as a whole (exactly one of prompt, story or shots).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

VALID_SPEC: dict[str, Any] = {"prompt": "a red cube on a table", "render": {"frames": 8}}


@dataclass(frozen=True)
class InvalidSpec:
    spec: dict[str, Any]
    field: str


def _changed(field: str, value: Any) -> InvalidSpec:
    """VALID_SPEC with ``field`` (dotted, ``name[0]`` for a list item) set to ``value``."""
    spec = copy.deepcopy(VALID_SPEC)
    *parents, leaf = field.split(".")
    node = spec
    for parent in parents:
        node = node.setdefault(parent, {})
    node[leaf] = value
    return InvalidSpec(spec, field)


def _film(**source: Any) -> InvalidSpec:
    """A film spec (a story or shots instead of the prompt) whose one source field is bad."""
    (field, value), = source.items()
    return InvalidSpec({field: value, "render": {"frames": 8}}, field)


def _toleration(**toleration: Any) -> dict[str, Any]:
    return {**copy.deepcopy(VALID_SPEC), "tolerations": [toleration]}


INVALID_SPECS: dict[str, InvalidSpec] = {
    # spec-wide: exactly one of prompt, story or shots (the error is the spec's own, field "")
    "no prompt, story or shots": InvalidSpec({"render": {"frames": 8}}, ""),
    "prompt and story": InvalidSpec({**VALID_SPEC, "story": "A dog runs. It stops."}, ""),
    "story and shots": InvalidSpec({"story": "A cat sits.", "shots": [{"prompt": "a cat"}], "render": {"frames": 8}},
                                   ""),
    "empty prompt": _changed("prompt", ""),
    "prompt too long": _changed("prompt", "x" * 4001),
    "odd width": _changed("render.width", 641),
    "odd height": _changed("render.height", 361),
    "width over 7680": _changed("render.width", 7682),
    "height under 16": _changed("render.height", 8),
    "engine typo": _changed("render.engine", "EEVE"),
    "fps 0": _changed("render.fps", 0),
    "fps 121": _changed("render.fps", 121),
    "samples 0": _changed("render.samples", 0),
    "both seconds and frames": InvalidSpec({"prompt": "a cube", "render": {"seconds": 2, "frames": 8}}, "render"),
    "neither seconds nor frames": InvalidSpec({"prompt": "a cube", "render": {"fps": 24}}, "render"),
    "zero seconds": InvalidSpec({"prompt": "a cube", "render": {"seconds": 0}}, "render.seconds"),
    "unknown render field": _changed("render.resolution", "4k"),
    "zero variants": _changed("variants", 0),
    "negative variants": _changed("variants", -1),
    "too many variants": _changed("variants", 10001),
    "variants as text": _changed("variants", "three"),
    "negative seed": _changed("seed", -5),
    "negative framesPerShard": _changed("framesPerShard", -2),
    "zero parallelism": _changed("parallelism", 0),
    "too much parallelism": _changed("parallelism", 1001),
    "negative retries": _changed("retries", -1),
    "bad bucket name": _changed("output.bucket", "Not_A_Bucket"),
    "bad rewriter backend": _changed("rewriter.backend", "gpt"),
    "toleration effect typo": InvalidSpec(_toleration(key="gpu", effect="NoSchedul"), "tolerations[0].effect"),
    "toleration operator": InvalidSpec(_toleration(key="gpu", operator="Sometimes"), "tolerations[0].operator"),
    "unknown field": _changed("colour", "red"),
    "empty story": _film(story=""),
    "story too long": _film(story="A dog runs. " * 700),
    "no shots": _film(shots=[]),
    "51 shots": _film(shots=[{"prompt": "a cat"}] * 51),
    "shot without prompt": InvalidSpec(_film(shots=[{"seconds": 2}]).spec, "shots[0].prompt"),
    "shot with seconds and frames": InvalidSpec(_film(shots=[{"prompt": "a cat", "seconds": 1, "frames": 8}]).spec,
                                                "shots[0]"),
    "shot camera typo": InvalidSpec(_film(shots=[{"prompt": "a cat", "camera": "orbit"}]).spec, "shots[0].camera"),
    "unknown shot field": InvalidSpec(_film(shots=[{"prompt": "a cat", "lens": "50mm"}]).spec, "shots[0].lens"),
    "catalog name not a DNS name": InvalidSpec({**VALID_SPEC, "assets": {"catalogs": ["My_Catalog"]}},
                                               "assets.catalogs[0]"),
}

# Refused by the CRD's CEL rules (the API server runs them; jsonschema cannot) and by the model: a pass the
# engine cannot make. ``field`` is where the rule sits; ``message`` is what the API server says.
RULE_REFUSED_SPECS: dict[str, tuple[InvalidSpec, str]] = {
    "segmentation with EEVEE": (_changed("render", {"frames": 8, "engine": "EEVEE", "passes": ["segmentation"]}),
                                "the segmentation pass needs engine CYCLES"),
    "flow with Workbench": (_changed("render", {"frames": 8, "engine": "WORKBENCH", "passes": ["depth", "flow"]}),
                            "the flow pass needs engine EEVEE or CYCLES"),
}



# ---- AssetCatalog specs ----

VALID_CATALOG_SPEC: dict[str, Any] = {"source": {"format": "jsonl", "url": "https://assets.example.com/models.jsonl"}}


@dataclass(frozen=True)
class InvalidCatalogSpec:
    spec: dict[str, Any]
    field: str
    cel: bool = False  # refused by a CEL rule, which only a real API server evaluates


def _source(**source: Any) -> dict[str, Any]:
    return {"source": {**VALID_CATALOG_SPEC["source"], **source}}


INVALID_CATALOG_SPECS: dict[str, InvalidCatalogSpec] = {
    "no source": InvalidCatalogSpec({"kinds": ["object"]}, "source"),
    "unknown format": InvalidCatalogSpec(_source(format="csv"), "source.format"),
    "file URL": InvalidCatalogSpec(_source(url="file:///etc/passwd"), "source.url"),
    "ftp URL": InvalidCatalogSpec(_source(url="ftp://mirror.example.com/models.jsonl"), "source.url"),
    "URL with a space": InvalidCatalogSpec(_source(url="https://mirror.example.com/my models.jsonl"), "source.url"),
    "unknown kind": InvalidCatalogSpec({**VALID_CATALOG_SPEC, "kinds": ["texture"]}, "kinds[0]"),
    "unknown field": InvalidCatalogSpec({**VALID_CATALOG_SPEC, "schedule": "daily"}, "schedule"),
    "refresh interval in days": InvalidCatalogSpec({**VALID_CATALOG_SPEC, "refreshInterval": "1d"},
                                                   "refreshInterval"),
    "refresh interval under 5m": InvalidCatalogSpec({**VALID_CATALOG_SPEC, "refreshInterval": "30s"},
                                                    "refreshInterval", cel=True),
    "cap3d without object paths": InvalidCatalogSpec(_source(format="cap3d", url="https://x.example/c.csv"),
                                                     "source", cel=True),
    "object paths without cap3d": InvalidCatalogSpec(_source(objectPaths="https://x.example/object-paths.json"),
                                                     "source", cel=True),
}
