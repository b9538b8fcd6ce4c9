"""The record as a rich renderable for terminals (``rich.print(record)``).

:func:`to_rich` builds a :class:`~rich.panel.Panel`: a headline (intent,
urgency, team), the summary, the overview, the sections and a dim provenance
footer. Every string becomes a :class:`~rich.text.Text` appended with a style,
never parsed as console markup, so ``[bold]`` or ``:emoji:`` typed by a
customer shows as typed.

The registered ``rich`` renderer prints that panel to an in-memory console of
fixed width (:data:`WIDTH`) without colour and without reading the environment,
so the same record always gives the same text.
"""

from __future__ import annotations

import io

from rich.console import Console, Group, RenderableType
from rich.padding import Padding
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from ..models.record import HandoffRecord
from ._note import Entry, Span, Spans, build_note, joined_footer
from .registry import register_renderer

__all__ = ["WIDTH", "render_rich", "to_rich"]

WIDTH = 100

_STYLES = {
    "plain": "",
    "strong": "bold",
    "em": "italic",
    "value": "",
    "evidence": "dim",
    "mark": "bold",
}
_MARK_STYLES = {"✓": "bold green", "✗": "bold red", "…": "bold yellow", "?": "bold"}
_LEVEL_STYLES = {"urgent": "bold red", "high": "bold yellow"}


def _span_style(span: Span) -> str:
    if span.style == "mark":
        return _MARK_STYLES.get(span.text, "bold")
    if span.style == "strong" and span.text in _LEVEL_STYLES:
        return _LEVEL_STYLES[span.text]
    return _STYLES[span.style]


def _text(spans: Spans, *, style: str = "") -> Text:
    text = Text(style=style)
    for span in spans:
        text.append(span.text, style=_span_style(span) or None)
    return text


def _grid(entries: tuple[Entry, ...], *, indent: int = 0) -> RenderableType:
    grid = Table.grid(padding=(0, 2, 0, 0))
    grid.add_column(no_wrap=True, style="bold")
    grid.add_column(overflow="fold")
    for entry in entries:
        grid.add_row(Text(f"{entry.label}:" if entry.label else "•"), _text(entry.body))
    return Padding(grid, (0, 0, 0, indent)) if indent else grid


def to_rich(record: HandoffRecord) -> RenderableType:
    """The record as a rich :class:`~rich.panel.Panel` (what ``record.__rich__`` returns)."""
    note = build_note(record)
    parts: list[RenderableType] = []
    if note.headline:
        parts.append(_text(note.headline))
    if note.summary:
        parts.append(Text(note.summary, style="bold"))
    if note.overview:
        parts.append(_grid(note.overview))
    for section in note.sections:
        title = Text(section.title, style="bold underline")
        parts.append(Group(title, _grid(section.entries, indent=2)))
    if note.closing:
        parts.append(_grid(note.closing))
    footer = Text(joined_footer(note), style="dim")
    for warning in note.warnings:
        footer.append(f"\n⚠ {warning}", style="yellow")
    parts.append(footer)
    spaced: list[RenderableType] = []
    for part in parts:
        if spaced:
            spaced.append(Text(""))
        spaced.append(part)
    return Panel(
        Group(*spaced),
        title=Text(note.title, style="bold"),
        title_align="left",
        padding=(0, 1),
    )


@register_renderer("rich", description="terminal panel (rich), 100 columns, no colour")
def render_rich(record: HandoffRecord) -> str:
    """Render ``record`` through rich to plain text at :data:`WIDTH` columns (no trailing newline)."""
    buffer = io.StringIO()
    console = Console(
        file=buffer,
        width=WIDTH,
        color_system=None,
        force_terminal=False,
        force_jupyter=False,
        force_interactive=False,
        legacy_windows=False,
        markup=False,
        emoji=False,
        highlight=False,
        _environ={},
    )
    console.print(to_rich(record))
    return buffer.getvalue().rstrip("\n")
