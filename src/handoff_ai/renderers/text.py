"""The record as plain text: no markup, wrapped at 80 columns.

For logs, e-mail previews, SMS-width consoles and anything that shows text
verbatim. Width is measured in terminal cells, so emoji and CJK characters
(two cells each) do not push a line past the limit.
"""

from __future__ import annotations

from rich.cells import cell_len, chop_cells

from ..models.record import HandoffRecord
from ._note import Entry, build_note, joined_footer, plain_text
from .registry import register_renderer

__all__ = ["WIDTH", "render_text", "wrap"]

WIDTH = 80


def wrap(text: str, *, width: int = WIDTH, first: str = "", rest: str = "") -> list[str]:
    """Greedy word wrap by cell width; a word wider than a line is split.

    ``first`` prefixes the first line and ``rest`` every following line.
    """
    lines: list[str] = []
    line = first
    fresh = True  # nothing but the prefix on ``line`` yet
    for word in text.split(" "):
        if not word:
            continue
        gap = "" if fresh else " "
        if cell_len(line) + len(gap) + cell_len(word) <= width:
            line += gap + word
            fresh = False
            continue
        if not fresh:
            lines.append(line)
            line, fresh = rest, True
        room = width - cell_len(line)
        while cell_len(word) > room:
            pieces = chop_cells(word, max(room, 1))
            lines.append(line + pieces[0])
            word = "".join(pieces[1:])
            line, room = rest, width - cell_len(rest)
        if word:
            line += word
            fresh = False
    if not fresh or not lines:
        lines.append(line)
    return [ln.rstrip() for ln in lines]


def _entries(entries: tuple[Entry, ...], *, label_width: int) -> list[str]:
    out: list[str] = []
    for entry in entries:
        label = f"{entry.label}:" if entry.label else ""
        out += wrap(plain_text(entry.body), first=label.ljust(label_width), rest=" " * label_width)
    return out


@register_renderer("text", description="plain text wrapped at 80 columns, for logs and previews")
def render_text(record: HandoffRecord) -> str:
    """Render ``record`` as plain text (no trailing newline)."""
    note = build_note(record)
    top = [e for e in (*note.overview, *note.closing) if e.label]
    width = max([len(note.summary_label) + 1, *(len(e.label or "") + 1 for e in top)]) + 1
    blocks: list[list[str]] = []
    if note.summary:
        blocks.append(wrap(note.summary, first=f"{note.summary_label}:".ljust(width), rest=" " * width))
    if note.overview:
        blocks.append(_entries(note.overview, label_width=width))
    for section in note.sections:
        lines = [section.title.upper()]
        for entry in section.entries:
            body = plain_text(entry.body)
            if entry.label:
                body = f"{entry.label}: {body}"
            lines += wrap(body, first="  - ", rest="    ")
        blocks.append(lines)
    if note.closing:
        blocks.append(_entries(note.closing, label_width=width))
    footer = wrap(joined_footer(note), first="-- ", rest="   ")
    footer += [ln for w in note.warnings for ln in wrap(w, first="!! ", rest="   ")]
    blocks.append(footer)
    return "\n\n".join("\n".join(block) for block in blocks)
