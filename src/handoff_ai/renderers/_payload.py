"""Shared pieces of the helpdesk and chat writers (Zendesk, Intercom, Slack, ...).

A writer is a renderer whose output is the exact JSON request body a vendor's
API documents for posting a note. Every writer builds a plain ``dict`` first
(``zendesk_payload(record)``, ``slack_payload(record)``, ...) so Python callers
can add request fields or pass options, and registers a renderer that dumps it
with :func:`dumps` — indented, keys in insertion order, non-ASCII kept — so the
same record always gives the same bytes.

Nothing here sends anything: there is no HTTP client in the package's writers.

Also here: the simple helpdesk HTML (:func:`note_html`) shared by the Zendesk,
Intercom and Freshdesk bodies, :func:`isolate` for right-to-left values in
formats without ``<bdi>``, :func:`chat_span` for the chat formats' emphasis marks
(Slack, Teams), :func:`truncate` for formats with length limits, and :func:`fit`,
which shrinks a note's sections until a body fits a vendor's size limit.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from html import escape
from typing import Any, TypeVar

from ..models.record import HandoffRecord
from ._note import MAX_SECTION_ITEMS, Entry, Span, build_note, has_rtl, joined_footer

__all__ = [
    "HELPDESK_BODY_CHARS",
    "SHRINK_STEPS",
    "TRUNCATED",
    "chat_span",
    "dumps",
    "fit",
    "isolate",
    "note_html",
    "shrunk_notice",
    "truncate",
]

HELPDESK_BODY_CHARS = 64_000
"""Budget for a helpdesk note body (HTML or Markdown). Zendesk caps a comment at about
65,000 characters; Intercom, Freshdesk and Chatwoot document no limit, and get the same."""

SHRINK_STEPS = (MAX_SECTION_ITEMS, 4, 2, 1)
"""Entries per note section tried, in order, until a body fits its limit."""

_T = TypeVar("_T")

TRUNCATED = "… [truncated]"
"""Appended where a writer cuts text to fit a vendor's length limit."""

# FIRST STRONG ISOLATE ... POP DIRECTIONAL ISOLATE: the plain-text twin of <bdi>.
# ``clean()`` strips any the customer typed, so the only ones left are ours.
_FSI = "\u2068"
_PDI = "\u2069"


def dumps(payload: dict[str, Any]) -> str:
    """The request body as JSON text: two-space indent, insertion order, UTF-8 kept."""
    return json.dumps(payload, indent=2, ensure_ascii=False)


def isolate(text: str) -> str:
    """Wrap right-to-left text in Unicode isolates so it cannot reorder what follows."""
    return f"{_FSI}{text}{_PDI}" if has_rtl(text) else text


def chat_span(span: Span, text: str, *, strong: str, em: str) -> str:
    """``text`` (``span``'s text, already escaped) between the chat format's emphasis marks.

    Blank text stays bare: marks around nothing would show as typed. Values are
    wrapped in isolates, since chat formats have no ``<bdi>``.
    """
    if not text.strip():
        return text
    if span.style == "strong":
        return f"{strong}{text}{strong}"
    if span.style == "em":
        return f"{em}{text}{em}"
    if span.style == "value":
        return isolate(text)
    return text


def fit(build: Callable[[int], _T], size: Callable[[_T], int], limit: int) -> tuple[_T, int | None]:
    """``build(n)`` for the first ``n`` of :data:`SHRINK_STEPS` whose ``size`` is within ``limit``.

    Returns the body and the cap it needed (``None`` when the default fit). Past the
    last step the smallest body is returned: the caller decides what else to cut.
    """
    body = build(SHRINK_STEPS[0])
    if size(body) <= limit:
        return body, None
    for step in SHRINK_STEPS[1:]:
        body = build(step)
        if size(body) <= limit:
            break
    return body, step


def shrunk_notice(limit: str, max_items: int) -> str:
    """What a writer says when it showed fewer entries to fit ``limit`` (e.g. "Teams' 28 KB")."""
    entries = "entry" if max_items == 1 else "entries"
    return f"Shortened to fit {limit}: at most {max_items} {entries} per section; the JSON record has all."


def truncate(text: str, limit: int, *, marker: str = TRUNCATED) -> str:
    """Cut already-escaped ``text`` to at most ``limit`` characters, marker included.

    The cut never splits an HTML entity (``&amp;``): an ``&`` left without its
    ``;`` is dropped with the rest, so the output stays well-formed for Slack.
    """
    if len(text) <= limit:
        return text
    cut = text[: max(limit - len(marker), 0)]
    amp = cut.rfind("&")
    if amp != -1 and ";" not in cut[amp:]:
        cut = cut[:amp]
    return cut.rstrip() + marker


# -- simple helpdesk HTML -------------------------------------------------------------
#
# Helpdesk note editors sanitize HTML to a small set of tags and drop ``style``
# attributes, tables and ``<bdi>``. So the note they get uses only tags that all
# of Zendesk, Intercom and Freshdesk keep: <p>, <b>, <i>, <ul>, <li>.


def _html_span(span: Span) -> str:
    text = escape(span.text, quote=True)
    if not text:
        return ""
    if span.style == "strong":
        return f"<b>{text}</b>"
    if span.style == "em":
        return f"<i>{text}</i>"
    if span.style == "value":
        return isolate(text)
    return text


def _html_entry(entry: Entry) -> str:
    body = "".join(_html_span(s) for s in entry.body)
    if entry.label is None:
        return body
    return f"<b>{escape(entry.label)}:</b> {body}"


def note_html(record: HandoffRecord, *, limit: int = HELPDESK_BODY_CHARS) -> str:
    """The internal note as HTML using only ``<p> <b> <i> <ul> <li>``, one block per line.

    Every piece of text is HTML-escaped (quotes included); right-to-left
    values are wrapped in Unicode isolates instead of ``<bdi>``, which
    helpdesk sanitizers remove. Sections are shrunk (:func:`fit`) until the
    body is at most ``limit`` characters, and the note then says so.
    """
    body, shrunk = fit(lambda n: _note_html(record, n, None), len, limit)
    if shrunk is not None:
        body = _note_html(record, shrunk, shrunk_notice(f"the {limit:,}-character note limit", shrunk))
    return body


def _note_html(record: HandoffRecord, max_items: int, notice: str | None) -> str:
    note = build_note(record, max_items=max_items)
    parts: list[str] = []
    if note.summary:
        parts.append(f"<p><b>{escape(note.summary_label)}:</b> {isolate(escape(note.summary))}</p>")
    if note.overview:
        parts.append("<ul>" + "".join(f"<li>{_html_entry(e)}</li>" for e in note.overview) + "</ul>")
    for section in note.sections:
        items = "".join(f"<li>{_html_entry(e)}</li>" for e in section.entries)
        parts.append(f"<p><b>{escape(section.title)}</b></p>")
        parts.append(f"<ul>{items}</ul>")
    for entry in note.closing:
        parts.append(f"<p>{_html_entry(entry)}</p>")
    footer = f"<i>{escape(joined_footer(note))}</i>"
    warnings = "".join(f"<br>⚠ {escape(w)}" for w in (*note.warnings, *([notice] if notice else [])))
    parts.append(f"<p>{footer}{warnings}</p>")
    return "\n".join(parts)
