"""Base classes and helpers shared by the command and response models."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict

from silkgate.kernel.commands import Command, parse

__all__ = ["Command", "Items", "Shape", "answer", "parse", "request_body", "schema_of"]


class Shape(BaseModel):
    """An answer: documented keys; a service may add more, which clients must tolerate."""

    model_config = ConfigDict(extra="allow")


class Items(Shape):
    """A list answer: ``{"items": [...]}``."""

    items: list[dict[str, Any]]


def _inline(node: Any, defs: dict[str, Any]) -> Any:
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/$defs/"):
            return _inline(defs[ref.removeprefix("#/$defs/")], defs)
        return {k: _inline(v, defs) for k, v in node.items() if k != "$defs"}
    if isinstance(node, list):
        return [_inline(v, defs) for v in node]
    return node


def schema_of(model: type[BaseModel]) -> dict[str, Any]:
    """The JSON schema of ``model`` with its nested definitions inlined (no dangling refs)."""
    schema = model.model_json_schema()
    inlined: dict[str, Any] = _inline(schema, schema.get("$defs", {}))
    return inlined


def request_body(model: type[BaseModel], *, required: bool = True) -> dict[str, Any]:
    """``openapi_extra`` for a route that reads its body itself and parses it with ``model``."""
    return {
        "requestBody": {
            "required": required,
            "content": {"application/json": {"schema": schema_of(model)}},
        }
    }


def answer(model: type[BaseModel], description: str = "Successful response") -> dict[str, Any]:
    """A ``responses`` entry documenting a JSON answer the route serialises itself."""
    return {"model": model, "description": description}
