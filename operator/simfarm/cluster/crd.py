"""Generate the CustomResourceDefinitions (VideoRequest, AssetCatalog) from the pydantic models.

    python -m simfarm.cluster.crd videorequest > crds/videorequest.yaml
    python -m simfarm.cluster.crd assetcatalog > crds/assetcatalog.yaml

Pydantic's JSON Schema is turned into a Kubernetes *structural* schema:
``$ref`` inlined, ``Optional[X]`` as plain ``X``, no titles, no ``null``
defaults, and no ``additionalProperties: false`` (the API server prunes or,
with strict field validation — kubectl's default — rejects unknown fields).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import Any

import yaml
from pydantic import BaseModel

from .spec import (CATALOG_KIND, CATALOG_PLURAL, CATALOG_SHORT_NAMES, CATALOG_SINGULAR, GROUP, KIND, PLURAL,
                   SHORT_NAMES, SINGULAR, VERSION, AssetCatalogSpec, AssetCatalogStatus, VideoRequestSpec,
                   VideoRequestStatus)

PRINTER_COLUMNS = [
    {"name": "Phase", "type": "string", "jsonPath": ".status.phase"},
    {"name": "Progress", "type": "string", "jsonPath": ".status.progress"},
    {"name": "Variants", "type": "integer", "jsonPath": ".spec.variants"},
    {"name": "Age", "type": "date", "jsonPath": ".metadata.creationTimestamp"},
]
CATALOG_PRINTER_COLUMNS = [
    {"name": "Phase", "type": "string", "jsonPath": ".status.phase"},
    {"name": "Format", "type": "string", "jsonPath": ".spec.source.format"},
    {"name": "Objects", "type": "integer", "jsonPath": ".status.counts.object"},
    {"name": "HDRIs", "type": "integer", "jsonPath": ".status.counts.hdri"},
    {"name": "Materials", "type": "integer", "jsonPath": ".status.counts.material"},
    {"name": "Rejected", "type": "integer", "jsonPath": ".status.rejected"},
    {"name": "Last Import", "type": "date", "jsonPath": ".status.lastImportTime"},
    {"name": "Age", "type": "date", "jsonPath": ".metadata.creationTimestamp"},
]


@dataclass(frozen=True)
class Resource:
    """One custom resource: its names, its spec and status models, how kubectl lists it."""

    kind: str
    plural: str
    singular: str
    short_names: tuple[str, ...]
    spec: type[BaseModel]
    status: type[BaseModel]
    description: str
    printer_columns: list[dict[str, str]]

    @property
    def file_name(self) -> str:
        return f"{self.singular}.yaml"


VIDEO_REQUEST = Resource(KIND, PLURAL, SINGULAR, SHORT_NAMES, VideoRequestSpec, VideoRequestStatus,
                         "A prompt, a story or a shot list rendered into one or more videos.", PRINTER_COLUMNS)
ASSET_CATALOG = Resource(CATALOG_KIND, CATALOG_PLURAL, CATALOG_SINGULAR, CATALOG_SHORT_NAMES, AssetCatalogSpec,
                         AssetCatalogStatus, "Asset records (models, HDRIs, materials) imported from a URL into the "
                                             "shared vector store, for the namespace's VideoRequests.",
                         CATALOG_PRINTER_COLUMNS)
RESOURCES = {resource.singular: resource for resource in (VIDEO_REQUEST, ASSET_CATALOG)}


def structural(schema: dict[str, Any], *, defaults: bool = True, defs: dict[str, Any] | None = None,
               ) -> dict[str, Any]:
    """One pydantic JSON Schema node as a structural OpenAPI v3.0 schema node.

    ``defaults=False`` drops every default (status is observed, never defaulted).
    """
    defs = schema.get("$defs", {}) if defs is None else defs
    inner = dict(defaults=defaults, defs=defs)
    if "$ref" in schema:
        target = defs[schema["$ref"].rsplit("/", 1)[-1]]
        return structural({**target, **{k: v for k, v in schema.items() if k != "$ref"}}, **inner)
    variants = [s for s in schema.get("anyOf", []) if s.get("type") != "null"]
    if "anyOf" in schema and len(variants) == 1:  # Optional[X]
        rest = {k: v for k, v in schema.items() if k != "anyOf"}
        return structural({**variants[0], **rest}, **inner)
    node: dict[str, Any] = {}
    for key, value in schema.items():
        if key in ("$defs", "title") or (key == "additionalProperties" and value is False):
            continue
        if key == "default" and (not defaults or value is None or value in ({}, [])):
            continue
        if key == "properties":
            value = {name: structural(prop, **inner) for name, prop in value.items()}
        elif key in ("items", "additionalProperties") and isinstance(value, dict):
            value = structural(value, **inner)
        elif key in ("exclusiveMinimum", "exclusiveMaximum"):  # 2020-12 number -> OpenAPI 3.0 boolean
            node["minimum" if key == "exclusiveMinimum" else "maximum"] = value
            value = True
        node[key] = value
    return node


def custom_resource_definition(resource: Resource = VIDEO_REQUEST) -> dict[str, Any]:
    spec_schema = structural(resource.spec.model_json_schema(by_alias=True))
    status_schema = structural(resource.status.model_json_schema(by_alias=True), defaults=False)
    return {
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {"name": f"{resource.plural}.{GROUP}"},
        "spec": {
            "group": GROUP,
            "scope": "Namespaced",
            "names": {"kind": resource.kind, "plural": resource.plural, "singular": resource.singular,
                      "shortNames": list(resource.short_names)},
            "versions": [{
                "name": VERSION,
                "served": True,
                "storage": True,
                "subresources": {"status": {}},
                "additionalPrinterColumns": resource.printer_columns,
                "schema": {"openAPIV3Schema": {
                    "type": "object",
                    "description": resource.description,
                    "required": ["spec"],
                    "properties": {
                        "apiVersion": {"type": "string"},
                        "kind": {"type": "string"},
                        "metadata": {"type": "object"},
                        "spec": spec_schema,
                        "status": status_schema,
                    },
                }},
            }],
        },
    }


def render_yaml(resource: Resource = VIDEO_REQUEST) -> str:
    header = (f"# Generated by `python -m simfarm.cluster.crd {resource.singular}` from simfarm/cluster/spec.py; "
              f"do not edit.\n")
    return header + yaml.safe_dump(custom_resource_definition(resource), sort_keys=False, width=120,
                                   allow_unicode=True)


if __name__ == "__main__":
    sys.stdout.write(render_yaml(RESOURCES[sys.argv[1] if len(sys.argv) > 1 else VIDEO_REQUEST.singular]))
