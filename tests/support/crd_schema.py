"""A CRD's OpenAPI schema as the API server applies it, for unit tests without one.

``jsonschema`` (Draft 4: OpenAPI 3.0's ``exclusiveMinimum: true`` form) with strict field validation
(kubectl's default): unknown fields are errors. CEL rules are not evaluated here; the e2e layer's real API
server evaluates them.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Iterator
from typing import Any

import jsonschema


def strict(schema: dict[str, Any]) -> dict[str, Any]:
    """What strict field validation adds: objects with declared properties take no others."""
    node = copy.deepcopy(schema)
    if "properties" in node:
        node["additionalProperties"] = False
        node["properties"] = {k: strict(v) for k, v in node["properties"].items()}
    for key in ("items", "additionalProperties"):
        if isinstance(node.get(key), dict):
            node[key] = strict(node[key])
    return node


def validator(spec_schema: dict[str, Any]) -> jsonschema.Draft4Validator:
    return jsonschema.Draft4Validator(strict(spec_schema))


def api_path(parts: Iterable[str | int]) -> str:
    """A location as the API server writes it: ``render.width``, ``tolerations[0].effect``."""
    return "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in parts).lstrip(".")


def schema_error_fields(checker: jsonschema.Draft4Validator, spec: dict[str, Any]) -> set[str]:
    """Where the schema's errors are; a missing or an unknown field counts as its own location."""
    fields = set()
    for error in checker.iter_errors(spec):
        where = list(error.absolute_path)
        fields.add(api_path(where))
        if error.validator == "required":
            fields |= {api_path([*where, name]) for name in set(error.validator_value) - error.instance.keys()}
        if error.validator == "additionalProperties":
            fields |= {api_path([*where, name]) for name in error.instance.keys() - error.schema["properties"].keys()}
    return fields


def schema_nodes(node: Any, path: str = "", separator: str = ".") -> Iterator[tuple[str, dict[str, Any]]]:
    """(path, node) of every object node of a schema, depth first."""
    if isinstance(node, dict):
        yield path, node
        for key, value in node.items():
            yield from schema_nodes(value, f"{path}{separator}{key}", separator)
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from schema_nodes(value, f"{path}[{index}]" if separator == "." else f"{path}/{index}", separator)


def assert_structural(schema: dict[str, Any]) -> None:
    """Every node with properties, items or a map type has a type, and none mixes properties with a map."""
    for path, node in schema_nodes(schema, "schema"):
        assert not ("properties" in node and "additionalProperties" in node), path
        if "properties" in node or "items" in node or "additionalProperties" in node:
            assert "type" in node, f"{path} has no type"


def undescribed_fields(schema: dict[str, Any]) -> list[str]:
    """Spec and status fields without a description (`kubectl explain` and the README show them)."""
    missing = []

    def walk(node: dict[str, Any], path: str) -> None:
        for name, child in node.get("properties", {}).items():
            if not child.get("description"):
                missing.append(f"{path}.{name}")
            walk(child, f"{path}.{name}")
            walk(child.get("items", {}), f"{path}.{name}[]")
    walk(schema["spec"], "spec")
    walk(schema["status"], "status")
    return missing
