"""Microsoft Teams: a message carrying the note as an Adaptive Card.

Shape (what a Teams incoming webhook, a Workflows "post card" flow or a bot
sends)::

    {"type": "message",
     "attachments": [{"contentType": "application/vnd.microsoft.card.adaptive",
                      "contentUrl": null,
                      "content": {"$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
                                  "type": "AdaptiveCard", "version": "1.4",
                                  "body": [TextBlock, FactSet, ...]}}]}

Sources: Microsoft Teams, "Send Adaptive Cards using an Incoming Webhook"
(https://learn.microsoft.com/en-us/microsoftteams/platform/webhooks-and-connectors/how-to/connectors-using#send-adaptive-cards-using-an-incoming-webhook):
``type`` must be ``message``, ``attachments`` holds the cards, ``contentType``
the Adaptive Card type and ``content`` the card; "Format cards in Microsoft
Teams" (https://learn.microsoft.com/en-us/microsoftteams/platform/task-modules-and-cards/cards/cards-format):
Markdown (bold, italic, lists, links) is rendered in ``TextBlock`` text and in
``Fact.title`` / ``Fact.value``, HTML is not; Adaptive Cards schema 1.4
(https://adaptivecards.io/explorer/): ``TextBlock``, ``FactSet``.

Safety: every piece of text is Markdown-escaped with
:func:`~handoff_ai.renderers.markdown.escape_markdown` (backslash escapes, so
``**``, ``[link](…)``, ``<at>`` and ``_x_`` show as typed), and a text that
would begin with list syntax (``- ``, ``+ ``, ``1. ``) has that escaped too.
HTML needs no escaping: Teams shows it as text. Right-to-left values are
wrapped in Unicode isolates. Teams rejects webhook messages over 28 KB; a note
is far smaller because every value is cut at 500 characters, but a record with
hundreds of facts is not split.
"""

from __future__ import annotations

import re
from typing import Any

from ..models.record import HandoffRecord
from ._note import Entry, Span, build_note, joined_footer
from ._payload import chat_span, dumps, isolate
from .markdown import escape_markdown
from .registry import register_renderer

__all__ = ["CARD_VERSION", "render_teams", "teams_payload"]

CARD_VERSION = "1.4"
_SCHEMA = "http://adaptivecards.io/schemas/adaptive-card.json"
_LIST_START = re.compile(r"^(\s*)([-+]|\d+[.)])(?=\s)")

Element = dict[str, Any]


def _md(text: str) -> str:
    return escape_markdown(text)


def _block_safe(text: str) -> str:
    """Escape list syntax at the start of a TextBlock or fact value."""
    return _LIST_START.sub(lambda m: m.group(1) + m.group(2)[:-1] + "\\" + m.group(2)[-1], text, count=1)


def _span(span: Span) -> str:
    return chat_span(span, _md(span.text), strong="**", em="_")


def _body(entry: Entry) -> str:
    return _block_safe("".join(_span(s) for s in entry.body))


def _text(text: str, *, our_list: bool = False, **style: Any) -> Element:
    """A wrapping TextBlock; ``our_list`` marks text that starts with our own ``- `` bullet."""
    return {"type": "TextBlock", "text": text if our_list else _block_safe(text), "wrap": True, **style}


def _facts(entries: tuple[Entry, ...]) -> Element:
    return {
        "type": "FactSet",
        "facts": [{"title": _md(e.label or ""), "value": _body(e)} for e in entries],
    }


def _card_body(record: HandoffRecord) -> list[Element]:
    note = build_note(record)
    headline = "".join(_span(s) for s in note.headline)
    body: list[Element] = [
        _text(f"Handoff: {headline}" if headline else "Handoff", size="Medium", weight="Bolder"),
    ]
    if note.summary:
        body.append(_text(isolate(_md(note.summary))))
    if note.overview:
        body.append(_facts(note.overview))
    for section in note.sections:
        body.append(_text(_md(section.title), weight="Bolder", spacing="Medium", separator=True))
        if section.key == "facts":
            body.append(_facts(section.entries))
        else:
            lines = []
            for entry in section.entries:
                label = f"**{_md(entry.label)}:** " if entry.label else ""
                lines.append(f"- {label}{_body(entry)}")
            body.append(_text("\n".join(lines), our_list=True))
    if note.closing:
        body.append(_facts(note.closing))
    body.append(
        _text(_md(joined_footer(note)), isSubtle=True, size="Small", spacing="Medium", separator=True)
    )
    for warning in note.warnings:
        body.append(_text(f"⚠ {_md(warning)}", color="Warning", size="Small"))
    return body


def teams_payload(record: HandoffRecord) -> dict[str, Any]:
    """The Teams message with ``record`` as an Adaptive Card (schema 1.4)."""
    card = {
        "$schema": _SCHEMA,
        "type": "AdaptiveCard",
        "version": CARD_VERSION,
        "body": _card_body(record),
        "msteams": {"width": "Full"},
    }
    return {
        "type": "message",
        "attachments": [
            {"contentType": "application/vnd.microsoft.card.adaptive", "contentUrl": None, "content": card}
        ],
    }


@register_renderer("teams", description="Microsoft Teams message with an Adaptive Card (webhook / bot)")
def render_teams(record: HandoffRecord) -> str:
    """Render ``record`` as a Teams message JSON payload."""
    return dumps(teams_payload(record))
