"""The record as JSON: the exact, machine-readable form (``record.to_json()``).

Unlike the note formats, nothing is cleaned or shortened: values are exactly as
extracted, keys in schema order, indented by two spaces, non-ASCII kept.
"""

from __future__ import annotations

from ..models.record import HandoffRecord
from .registry import register_renderer

__all__ = ["render_json"]


@register_renderer("json", description="the full record as JSON (schema order, exact values)")
def render_json(record: HandoffRecord) -> str:
    """Render ``record`` as indented JSON (no trailing newline)."""
    return record.to_json()
