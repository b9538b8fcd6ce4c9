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
wrapped in Unicode isolates.

Size: Teams rejects webhook messages over 28 KB ("Create an Incoming Webhook":
"The message size limit is 28 KB"). Each note section shows at most 8 entries and
counts the rest; if the message is still larger than :data:`MAX_MESSAGE_BYTES`
(UTF-8 bytes of the JSON this writer emits), the sections are shrunk to 4, 2, then
1 entry each and the card says so; as a last resort trailing elements are dropped
before the footer, with a line saying how many.
"""

from __future__ import annotations

import re
from typing import Any

from ..models.record import HandoffRecord
from ._note import Entry, Span, build_note, joined_footer
from ._payload import chat_span, dumps, fit, isolate, shrunk_notice
from .markdown import escape_markdown
from .registry import register_renderer

__all__ = ["CARD_VERSION", "MAX_MESSAGE_BYTES", "render_teams", "teams_payload"]

CARD_VERSION = "1.4"
MAX_MESSAGE_BYTES = 27 * 1024
"""Budget for the whole message: Teams' 28 KB webhook limit, less a margin for what a
sender adds (a mention, a summary) and for counting differences."""
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


def _card_body(record: HandoffRecord, max_items: int, notice: str | None = None) -> list[Element]:
    note = build_note(record, max_items=max_items)
    headline = "".join(_span(s) for s in note.headline)
    body: list[Element] = [
        _text(f"{note.title}: {headline}" if headline else note.title, size="Medium", weight="Bolder"),
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
    for warning in (*note.warnings, *([notice] if notice else [])):
        body.append(_text(f"⚠ {_md(warning)}", color="Warning", size="Small"))
    return body


def _message(body: list[Element]) -> dict[str, Any]:
    card = {
        "$schema": _SCHEMA,
        "type": "AdaptiveCard",
        "version": CARD_VERSION,
        "body": body,
        "msteams": {"width": "Full"},
    }
    return {
        "type": "message",
        "attachments": [
            {"contentType": "application/vnd.microsoft.card.adaptive", "contentUrl": None, "content": card}
        ],
    }


def _size(message: dict[str, Any]) -> int:
    return len(dumps(message).encode("utf-8"))


def teams_payload(record: HandoffRecord, *, limit: int = MAX_MESSAGE_BYTES) -> dict[str, Any]:
    """The Teams message with ``record`` as an Adaptive Card (schema 1.4), at most ``limit`` bytes."""
    message, shrunk = fit(lambda n: _message(_card_body(record, n)), _size, limit)
    if shrunk is None:
        return message
    body = _card_body(record, shrunk, shrunk_notice("Teams' 28 KB message limit", shrunk))
    message = _message(body)
    if _size(message) <= limit:
        return message
    # Last resort (a huge summary or overview): drop elements before the footer until it fits.
    footer = next(i for i, e in enumerate(body) if e.get("isSubtle"))
    head, tail = body[:footer], body[footer:]
    dropped = 0
    while True:
        note = _text(f"_… {dropped} more card elements not shown: the JSON record has all._", isSubtle=True)
        if len(head) <= 1 or _size(_message([*head, note, *tail])) <= limit:
            break
        head.pop()
        dropped += 1
    return _message([*head, note, *tail])


@register_renderer("teams", description="Microsoft Teams message with an Adaptive Card (webhook / bot)")
def render_teams(record: HandoffRecord) -> str:
    """Render ``record`` as a Teams message JSON payload."""
    return dumps(teams_payload(record))
