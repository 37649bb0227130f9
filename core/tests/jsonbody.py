"""The smallest JSON body an API operation's schema accepts, so that a refusal is tested past input validation."""

from __future__ import annotations

import re
from typing import Any


def _resolve(schema: dict[str, Any], defs: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = defs[schema["$ref"].rsplit("/", 1)[-1]]
    if "anyOf" in schema:
        schema = next((s for s in schema["anyOf"] if s.get("type") != "null"), schema["anyOf"][0])
        return _resolve(schema, defs)
    return schema


def _value(schema: dict[str, Any], defs: dict[str, Any]) -> Any:
    schema = _resolve(schema, defs)
    kind = schema.get("type")
    if "enum" in schema:
        return schema["enum"][0]
    if kind == "string":
        if schema.get("format") == "date":
            return "2026-10-01"
        if schema.get("format") == "date-time":
            return "2026-10-01T08:00:00+08:00"
        pattern = schema.get("pattern", "")
        match = re.fullmatch(r"\^\((\w+)(?:\|\w+)*\)\$", pattern)
        if match:
            return match.group(1)
        return "x" * max(1, int(schema.get("minLength", 1)))
    if kind == "integer":
        return int(schema.get("minimum", 1))
    if kind == "number":
        return schema.get("minimum", 1)
    if kind == "boolean":
        return False
    if kind == "array":
        return [_value(schema.get("items", {}), defs) for _ in range(int(schema.get("minItems", 0)))]
    if kind == "object":
        return _object(schema, defs)
    return None


def _object(schema: dict[str, Any], defs: dict[str, Any]) -> dict[str, Any]:
    props = schema.get("properties", {})
    return {name: _value(props[name], defs) for name in schema.get("required", []) if name in props}


def minimal_body(operation: Any, method: str) -> dict[str, Any]:
    """From the operation's body parameters (``{"payload": {"$ref": …}}``), the body with only its required fields."""
    for model in getattr(operation, "models", []):
        if getattr(model, "__ninja_param_source__", None) != "body":
            continue
        schema = model.model_json_schema()
        defs = schema.get("$defs", {})
        props = schema.get("properties", {})
        if len(props) == 1:
            return _object(_resolve(next(iter(props.values())), defs), defs)
        return _object(schema, defs)
    return {}
