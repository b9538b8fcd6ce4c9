"""Slack: a Block Kit message payload (``chat.postMessage`` or an incoming webhook).

Shape::

    {"text": "Handoff: …",            # fallback for notifications and old clients
     "blocks": [header, summary section, overview fields, divider,
                one section per note section (facts as two-column fields),
                handoff section, context (provenance footer, warnings)]}

Add ``channel`` (and ``thread_ts`` to post into a thread) before calling
``chat.postMessage``; an incoming webhook takes the body as is.

Sources: Slack Block Kit reference — blocks
(https://docs.slack.dev/reference/block-kit/blocks), header block (plain_text,
≤ 150 characters), section block (text ≤ 3000 characters, ≤ 10 fields of
≤ 2000 characters each), context block (≤ 10 elements), text object
(https://docs.slack.dev/reference/block-kit/composition-objects/text-object:
``verbatim``), at most 50 blocks per message
(https://docs.slack.dev/reference/methods/chat.postMessage), and "Formatting
text for app surfaces" → escaping
(https://docs.slack.dev/messaging/formatting-message-text#escaping).

Safety: ``&``, ``<`` and ``>`` are replaced by ``&amp;``, ``&lt;``, ``&gt;`` in
every piece of text, which is all the escaping Slack defines; with ``<``
escaped no customer text can form a link, a user, channel or ``<!here>``
mention. Every ``mrkdwn`` object is ``verbatim: true`` so bare URLs, ``@here``
and ``#channel`` are not auto-linked either. Slack has no escape for
``*``, ``_``, ``~`` or backticks: typed by a customer they may still render as
emphasis (cosmetic only). Values are collapsed to one line and ``>`` is
escaped, so no customer text can open a quote.

Limits: a section whose lines pass 3,000 characters continues in further section
blocks (a single line over the limit is cut with :data:`~._payload.TRUNCATED`);
each note section shows at most ``max_items`` entries and says how many more
there are; when the note still needs more than 50 blocks the last kept block
says how many were left out.
"""

from __future__ import annotations

from typing import Any

from ..models.record import HandoffRecord
from ._note import MAX_SECTION_ITEMS, Entry, Note, Span, build_note, joined_footer, plain_text
from ._payload import chat_span, dumps, isolate, truncate
from .registry import register_renderer

__all__ = [
    "MAX_BLOCKS",
    "MAX_CONTEXT_ELEMENTS",
    "MAX_FIELDS",
    "MAX_FIELD_CHARS",
    "MAX_HEADER_CHARS",
    "MAX_TEXT_CHARS",
    "escape_slack",
    "render_slack",
    "slack_payload",
]

MAX_BLOCKS = 50
MAX_HEADER_CHARS = 150
MAX_TEXT_CHARS = 3000
MAX_FIELDS = 10
MAX_FIELD_CHARS = 2000
MAX_CONTEXT_ELEMENTS = 10

Block = dict[str, Any]


def escape_slack(text: str) -> str:
    """Escape the three characters Slack reserves: ``&``, ``<``, ``>``."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _mrkdwn(text: str, limit: int = MAX_TEXT_CHARS) -> dict[str, Any]:
    return {"type": "mrkdwn", "text": truncate(text, limit), "verbatim": True}


def _span(span: Span) -> str:
    return chat_span(span, escape_slack(span.text), strong="*", em="_")


def _body(entry: Entry) -> str:
    return "".join(_span(s) for s in entry.body)


def _line(entry: Entry) -> str:
    body = _body(entry)
    return f"*{escape_slack(entry.label)}:* {body}" if entry.label else body


def _field(entry: Entry) -> dict[str, Any]:
    label = f"*{escape_slack(entry.label)}*\n" if entry.label else ""
    return _mrkdwn(label + _body(entry), MAX_FIELD_CHARS)


def _header(note: Note) -> Block:
    headline = plain_text(note.headline)
    text = f"{note.title}: {headline}" if headline else note.title
    return {
        "type": "header",
        "text": {"type": "plain_text", "text": truncate(escape_slack(text), MAX_HEADER_CHARS), "emoji": True},
    }


def _fields_sections(entries: tuple[Entry, ...], title: str | None) -> list[Block]:
    blocks: list[Block] = []
    for start in range(0, len(entries), MAX_FIELDS):
        block: Block = {"type": "section"}
        if title is not None and start == 0:
            block["text"] = _mrkdwn(f"*{escape_slack(title)}*")
        block["fields"] = [_field(e) for e in entries[start : start + MAX_FIELDS]]
        blocks.append(block)
    return blocks


def _packed(title: str, lines: list[str]) -> list[Block]:
    """Section blocks holding ``title`` and ``lines``, as many as keep each text within 3,000 characters."""
    blocks: list[Block] = []
    text = title
    for line in lines:
        if len(text) + 1 + len(line) > MAX_TEXT_CHARS and text:
            blocks.append({"type": "section", "text": _mrkdwn(text)})
            text = ""
        text = f"{text}\n{line}" if text else line
    blocks.append({"type": "section", "text": _mrkdwn(text)})
    return blocks


def _body_blocks(note: Note) -> list[Block]:
    blocks: list[Block] = []
    if note.summary:
        text = f"*{escape_slack(note.summary_label)}:* {isolate(escape_slack(note.summary))}"
        blocks.append({"type": "section", "text": _mrkdwn(text)})
    if note.overview:
        blocks += _fields_sections(note.overview, None)
    for section in note.sections:
        if not blocks or blocks[-1]["type"] != "divider":
            blocks.append({"type": "divider"})
        if section.key == "facts":
            blocks += _fields_sections(section.entries, section.title)
        else:
            blocks += _packed(f"*{escape_slack(section.title)}*", [f"• {_line(e)}" for e in section.entries])
    if note.closing:
        blocks.append({"type": "section", "text": _mrkdwn("\n".join(_line(e) for e in note.closing))})
    return blocks


def _context(note: Note) -> Block:
    texts = [escape_slack(joined_footer(note))]
    texts += [f"⚠ {escape_slack(w)}" for w in note.warnings]
    if len(texts) > MAX_CONTEXT_ELEMENTS:
        extra = len(texts) - (MAX_CONTEXT_ELEMENTS - 1)
        texts = [*texts[: MAX_CONTEXT_ELEMENTS - 1], f"⚠ … {extra} more warnings not shown"]
    return {"type": "context", "elements": [_mrkdwn(t) for t in texts]}


def slack_payload(record: HandoffRecord, *, max_items: int = MAX_SECTION_ITEMS) -> dict[str, Any]:
    """The Block Kit message for ``record``, within Slack's documented limits.

    Args:
        record: the handoff record.
        max_items: most entries shown per note section (the rest are counted).
    """
    note = build_note(record, max_items=max_items)
    head = [_header(note)]
    body = _body_blocks(note)
    tail = [_context(note)]
    room = MAX_BLOCKS - len(head) - len(tail)
    if len(body) > room:
        left_out = len(body) - (room - 1)
        notice = f"_… {left_out} more blocks not shown: render the note as Markdown for all of it._"
        body = [*body[: room - 1], {"type": "context", "elements": [_mrkdwn(notice)]}]
    summary = note.summary or "a conversation needs a human"
    return {
        "text": truncate(escape_slack(f"{note.title}: {summary}"), MAX_TEXT_CHARS),
        "blocks": [*head, *body, *tail],
    }


@register_renderer("slack", description="Slack Block Kit message payload (chat.postMessage / webhook)")
def render_slack(record: HandoffRecord) -> str:
    """Render ``record`` as a Slack Block Kit JSON payload."""
    return dumps(slack_payload(record))
