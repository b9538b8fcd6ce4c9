"""The record as a Markdown internal note (helpdesk private comments, notebooks).

Safety: every piece of text is escaped with :func:`escape_markdown` before it
is wrapped in our own markup, so a customer who types ``**``, ``[link](…)``,
``<script>`` or ``| table |`` gets those characters shown, not interpreted.
Values never start a line (each line opens with our own label or bullet, and
values are collapsed to one line), so line-start syntax such as ``#`` headings,
``>`` quotes or ``1.`` lists cannot be injected either.
"""

from __future__ import annotations

import re

from ..models.record import HandoffRecord
from ._note import MAX_SECTION_ITEMS, Entry, Span, build_note, joined_footer
from .registry import register_renderer

__all__ = ["escape_markdown", "markdown_note", "render_markdown"]

# Inline-significant characters in CommonMark + GFM (tables, strikethrough) and
# ``$`` (math in Jupyter). Backslash-escaping ASCII punctuation is always allowed.
_SPECIAL = re.compile(r"([\\`*_\[\]<>|~$#])")
# ``&`` only when it would start an entity such as ``&lt;`` or ``&#60;``.
_ENTITY = re.compile(r"&(?=#?[0-9A-Za-z]+;)")


def escape_markdown(text: str) -> str:
    """Escape ``text`` so Markdown renders it literally, keeping it readable."""
    return _ENTITY.sub(r"\\&", _SPECIAL.sub(r"\\\1", text))


def _span(span: Span) -> str:
    text = escape_markdown(span.text)
    if not text:
        return ""
    if span.style == "strong":
        return f"**{text}**"
    if span.style == "em":
        return f"_{text}_"
    return text


def _line(entry: Entry) -> str:
    body = "".join(_span(s) for s in entry.body)
    if entry.label is None:
        return body
    return f"**{escape_markdown(entry.label)}:** {body}"


@register_renderer("markdown", description="Markdown internal note for a helpdesk or a notebook")
def render_markdown(record: HandoffRecord) -> str:
    """Render ``record`` as a Markdown note (no trailing newline)."""
    return markdown_note(record)


def markdown_note(
    record: HandoffRecord, *, max_items: int = MAX_SECTION_ITEMS, notice: str | None = None
) -> str:
    """The Markdown note with at most ``max_items`` entries per section, and ``notice`` as a last warning."""
    note = build_note(record, max_items=max_items)
    blocks: list[str] = []
    if note.summary:
        blocks.append(f"**{escape_markdown(note.summary_label)}:** {escape_markdown(note.summary)}")
    if note.overview:
        blocks.append("\n".join(f"- {_line(e)}" for e in note.overview))
    for section in note.sections:
        items = "\n".join(f"- {_line(e)}" for e in section.entries)
        blocks.append(f"#### {escape_markdown(section.title)}\n\n{items}")
    if note.closing:
        # A paragraph, not a list: after the last section's list it would join that list.
        blocks.append("  \n".join(_line(e) for e in note.closing))
    footer = f"_{escape_markdown(joined_footer(note))}_"
    warnings = [*note.warnings, *([notice] if notice else [])]
    if warnings:
        footer += "\n\n" + "\n".join(f"- ⚠ {escape_markdown(w)}" for w in warnings)
    blocks.append(f"---\n\n{footer}")
    return "\n\n".join(blocks)
