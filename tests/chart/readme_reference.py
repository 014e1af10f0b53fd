"""The README's generated reference tables: VideoRequest and AssetCatalog spec fields (from the CRDs) and metrics
(from the registry).

    python tests/chart/readme_reference.py    # rewrite them in README.md

test_readme.py fails when README.md holds anything else between the markers.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[2]
README = REPO_ROOT / "README.md"
METRIC_SUFFIXES = {"counter": ("_total",), "gauge": ("",), "histogram": ("_bucket", "_sum", "_count")}
LIMITS = (("minimum", "≥ {}"), ("maximum", "≤ {}"), ("multipleOf", "multiple of {}"), ("minLength", "length ≥ {}"),
          ("maxLength", "length ≤ {}"), ("pattern", "matches `{}`"))


def spec_fields(schema: dict[str, Any], prefix: str = "") -> Iterator[tuple[str, dict[str, Any]]]:
    """(dotted path, schema) of every field under the spec, depth first; list items as ``field[].item``."""
    for name, node in schema.get("properties", {}).items():
        path = f"{prefix}{name}"
        yield path, node
        if node.get("type") == "object":
            yield from spec_fields(node, f"{path}.")
        elif node.get("type") == "array" and "properties" in node.get("items", {}):
            yield from spec_fields(node["items"], f"{path}[].")


def kind_of(node: dict[str, Any]) -> str:
    if node.get("type") == "array":
        return f"list of {kind_of(node['items'])}"
    if node.get("type") == "object" and "additionalProperties" in node:
        return f"map of {kind_of(node['additionalProperties'])}"
    return node.get("type", "object")


def limits_of(node: dict[str, Any]) -> str:
    found = [template.format(node[key]) for key, template in LIMITS if key in node]
    if node.get("exclusiveMinimum") is True:
        found = [f"> {node['minimum']}" if f.startswith("≥") else f for f in found]
    if "enum" in node:
        found.append(" | ".join(f"`{value}`" for value in node["enum"]))
    return ", ".join(found)


def cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def spec_table(resource: str = "videorequest") -> str:
    from simfarm.cluster import crd

    definition = crd.custom_resource_definition(crd.RESOURCES[resource])
    schema = definition["spec"]["versions"][0]["schema"]["openAPIV3Schema"]["properties"]["spec"]
    required = set(schema.get("required", []))
    rows = ["| Field | Type | Default | Limits | Meaning |", "|---|---|---|---|---|"]
    for path, node in spec_fields(schema):
        default = "required" if path in required else (f"`{json.dumps(node['default'])}`" if "default" in node else "")
        rows.append(f"| `{path}` | {kind_of(node)} | {default} | {cell(limits_of(node))} "
                    f"| {cell(node.get('description', ''))} |")
    return "\n".join(rows)


def metrics_table() -> str:
    from simfarm import metrics

    rows = ["| Series | Type | Meaning |", "|---|---|---|"]
    for family in metrics.REGISTRY.collect():
        series = ", ".join(f"`{family.name}{suffix}`" for suffix in METRIC_SUFFIXES[family.type])
        rows.append(f"| {series} | {family.type} | {cell(family.documentation)} |")
    return "\n".join(rows)


SECTIONS = {"spec-reference": spec_table, "catalog-spec-reference": lambda: spec_table("assetcatalog"),
            "metrics-reference": metrics_table}


def marked(name: str) -> re.Pattern[str]:
    return re.compile(rf"(<!-- {name}:begin[^>]*-->\n)(.*?)(<!-- {name}:end -->)", re.S)


def current(text: str, name: str) -> str | None:
    match = marked(name).search(text)
    return match.group(2).removesuffix("\n") if match else None


def regenerate(text: str) -> str:
    for name, table in SECTIONS.items():
        text, count = marked(name).subn(lambda m: f"{m.group(1)}{table()}\n{m.group(3)}", text)
        if count != 1:
            raise SystemExit(f"README.md needs exactly one <!-- {name}:begin --> … <!-- {name}:end --> block")
    return text


if __name__ == "__main__":
    sys.path.insert(0, str(REPO_ROOT / "operator"))
    README.write_text(regenerate(README.read_text()))
