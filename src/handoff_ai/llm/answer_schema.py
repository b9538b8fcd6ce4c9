"""The answer schema sent to the model: routing fields closed to the taxonomy, output bounded.

Two layers on top of ``LLMAnswer.strict_json_schema()``:

* **Routing enums** (always): ``intent`` is one of the taxonomy's intent names or
  ``"unknown"``, ``team`` one of its team names or null. With structured outputs
  the server decodes only those values, so neither a confused model nor an
  instruction typed by the customer can produce a label outside the taxonomy
  (grounding still checks, for servers that ignore the schema).
* **Output bounds** (:class:`OutputBounds`, for servers that compile the schema
  into a decoding grammar: llama.cpp, vLLM, Ollama): ``maxItems`` on lists,
  ``maxLength`` on strings and an ``enum`` of the message ids sent for every
  evidence list. A small model then cannot loop inside a string or a list until
  the token cap, and can only cite messages it was shown. OpenAI's strict mode
  rejects ``maxLength``, so bounds are off for OpenAI and Azure OpenAI by default.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any
from urllib.parse import urlparse

from ..models.llm import LLMAnswer
from ..taxonomy import Taxonomy

__all__ = ["OutputBounds", "answer_schema", "resolve_bounds"]


@dataclass(frozen=True)
class OutputBounds:
    """Limits written into the answer schema (see the module docstring).

    Attributes:
        text: ``maxLength`` of free-text strings (summary, descriptions, values).
        items: ``maxItems`` of lists (actions, next steps, questions, reasons, commitments).
        facts: ``maxItems`` of the fact list (rules facts are merged in either way).
        evidence: ``maxItems`` of each evidence list.
        label: ``maxLength`` of short labels (a fact's ``kind``, a commitment's ``due``) and
            of evidence ids when the ids sent are not known.
    """

    text: int = 240
    items: int = 8
    facts: int = 16
    evidence: int = 4
    label: int = 40

    def __post_init__(self) -> None:
        for name in ("text", "items", "facts", "evidence", "label"):
            if getattr(self, name) < 1:
                raise ValueError(f"OutputBounds.{name} must be >= 1, not {getattr(self, name)}")


_HOSTS_WITHOUT_BOUNDS = ("api.openai.com", ".openai.azure.com", ".azure.com")


def resolve_bounds(bounded: bool | OutputBounds | None, base_url: str | None) -> OutputBounds | None:
    """The bounds to use: ``None`` (auto) means on unless the server is OpenAI or Azure OpenAI."""
    if isinstance(bounded, OutputBounds):
        return bounded
    if bounded is None:
        host = (urlparse(base_url).hostname or "") if base_url else "api.openai.com"
        bounded = not (host == "api.openai.com" or host.endswith(_HOSTS_WITHOUT_BOUNDS))
    return OutputBounds() if bounded else None


@lru_cache(maxsize=1)
def _generic() -> dict[str, Any]:
    return LLMAnswer.strict_json_schema()


def _routed(taxonomy: Taxonomy) -> dict[str, Any]:
    schema = copy.deepcopy(_generic())
    properties = schema["properties"]
    if taxonomy.intents:
        names = [intent.name for intent in taxonomy.intents]
        properties["intent"]["enum"] = [*names, *(["unknown"] if "unknown" not in names else [])]
    if taxonomy.teams:
        team = properties["team"]
        team["anyOf"] = [
            {"type": "string", "enum": [t.name for t in taxonomy.teams]},
            {"type": "null"},
        ]
        team.pop("type", None)
    return schema


def answer_schema(
    taxonomy: Taxonomy | None = None, *, bounds: OutputBounds | None = None, ids: Sequence[str] = ()
) -> dict[str, Any]:
    """The JSON Schema for one request; treat it as read-only.

    Args:
        taxonomy: closes ``intent`` and ``team`` to its names (``None``: free strings).
        bounds: adds length limits; ``ids`` (the message ids in the prompt) then become
            the only values an evidence list may hold.
    """
    schema = _generic() if taxonomy is None else taxonomy.cached("openai.answer_schema", _routed)
    if bounds is None:
        return schema
    bounded: dict[str, Any] = _bound(copy.deepcopy(schema), bounds, list(dict.fromkeys(ids)), None)
    return bounded


def _bound(node: Any, bounds: OutputBounds, ids: list[str], name: str | None) -> Any:
    """``node`` with bounds added, in place; ``name`` is the property it belongs to."""
    if not isinstance(node, dict):
        return node
    kind = node.get("type")
    if kind == "array":
        node["maxItems"] = (
            bounds.evidence
            if name and name.endswith("evidence")
            else bounds.facts
            if name == "facts"
            else bounds.items
        )
        items = node.get("items")
        if isinstance(items, dict) and name and name.endswith("evidence"):
            if ids:
                items["enum"] = ids
            else:
                items["maxLength"] = bounds.label
        else:
            _bound(items, bounds, ids, name)
    elif kind == "string" and "enum" not in node:
        node["maxLength"] = bounds.label if name in ("kind", "due") else bounds.text
    for option in node.get("anyOf", ()):
        _bound(option, bounds, ids, name)
    for child, schema in node.get("properties", {}).items():
        _bound(schema, bounds, ids, child)
    return node
