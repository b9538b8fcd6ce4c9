"""The record as a self-contained HTML fragment (notebooks, HTML e-mail, web views).

Every piece of text goes through :func:`html.escape` (quotes included), so a
``<script>`` or ``" onmouseover=`` in a customer's message is shown, not run.
Styles are inline attributes only — no ``<style>`` block, no classes that need
a stylesheet, no scripts, no external resources — because e-mail clients strip
the rest. Classes are still set (``handoff-note``, ``handoff-facts``, ...) so a
host page can restyle the note. Values with right-to-left text sit in
``<bdi>`` so they cannot reorder the evidence ids around them.
"""

from __future__ import annotations

from html import escape

from ..models.record import HandoffRecord
from ._note import Entry, Span, build_note, has_rtl, joined_footer
from .registry import register_renderer

__all__ = ["render_html"]

_ROOT = (
    "font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;font-size:14px;"
    "line-height:1.45;color:#1f2328;max-width:48em;overflow-wrap:anywhere;"
    "border:1px solid #d0d7de;border-radius:6px;padding:12px 16px"
)
_SUMMARY = "margin:0 0 8px;font-size:15px"
_TABLE = "border-collapse:collapse;margin:0 0 4px"
_TH = "text-align:left;vertical-align:top;padding:2px 12px 2px 0;white-space:nowrap;font-weight:600"
_TD = "vertical-align:top;padding:2px 0"
_H = "margin:12px 0 4px;font-size:14px"
_UL = "margin:0;padding-left:20px"
_MUTED = "color:#656d76;font-size:12px"
_FOOTER = "margin:12px 0 0;padding-top:6px;border-top:1px solid #d0d7de;color:#656d76;font-size:12px"


def _span(span: Span) -> str:
    text = escape(span.text, quote=True)
    if not text:
        return ""
    if span.style == "strong":
        return f"<strong>{text}</strong>"
    if span.style == "em":
        return f"<em>{text}</em>"
    if span.style == "evidence":
        return f'<span class="handoff-evidence" style="{_MUTED}">{text}</span>'
    if span.style == "value" and has_rtl(span.text):
        return f"<bdi>{text}</bdi>"
    return text


def _body(entry: Entry) -> str:
    return "".join(_span(s) for s in entry.body)


def _table(entries: tuple[Entry, ...], css_class: str) -> str:
    rows = "".join(
        f'<tr><th scope="row" style="{_TH}">{escape(e.label or "")}</th>'
        f'<td style="{_TD}">{_body(e)}</td></tr>'
        for e in entries
    )
    return f'<table class="{css_class}" style="{_TABLE}">{rows}</table>'


@register_renderer("html", description="self-contained HTML fragment for notebooks and e-mail")
def render_html(record: HandoffRecord) -> str:
    """Render ``record`` as an HTML ``<div>`` fragment (one element per line)."""
    note = build_note(record)
    parts = [f'<div class="handoff-note" style="{_ROOT}">']
    if note.summary:
        parts.append(
            f'<p class="handoff-summary" style="{_SUMMARY}"><strong>{escape(note.summary)}</strong></p>'
        )
    if note.overview:
        parts.append(_table(note.overview, "handoff-overview"))
    for section in note.sections:
        items = []
        for entry in section.entries:
            label = f"<strong>{escape(entry.label)}:</strong> " if entry.label else ""
            items.append(f"<li>{label}{_body(entry)}</li>")
        parts.append(
            f'<div class="handoff-{section.key.replace("_", "-")}">'
            f'<h4 style="{_H}">{escape(section.title)}</h4>'
            f'<ul style="{_UL}">{"".join(items)}</ul></div>'
        )
    if note.closing:
        parts.append(_table(note.closing, "handoff-closing"))
    footer = escape(joined_footer(note))
    warnings = "".join(f"<br>⚠ {escape(w)}" for w in note.warnings)
    parts.append(f'<p class="handoff-footer" style="{_FOOTER}">{footer}{warnings}</p>')
    parts.append("</div>")
    return "\n".join(parts)
