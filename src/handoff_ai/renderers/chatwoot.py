"""Chatwoot: the Create New Message request body for a private note.

Send it as ``POST /api/v1/accounts/{account_id}/conversations/{conversation_id}/messages``::

    {"content": "**Summary:** …", "message_type": "outgoing", "private": true, "content_type": "text"}

Source: Chatwoot Application API, Messages → "Create New Message"
(https://developers.chatwoot.com/api-reference/messages/create-new-message),
request schema ``conversation_message_create``: ``content`` (required),
``message_type`` (``outgoing`` / ``incoming``), ``private`` ("flag to identify
if it is a private note") and ``content_type`` (``text`` for an ordinary
message; the others are interactive widgets).

The content is the Markdown note (:mod:`handoff_ai.renderers.markdown`):
Chatwoot renders agent messages and private notes as Markdown, and that
renderer escapes every piece of customer text. Chatwoot documents no length
limit; the content is kept within the helpdesk budget
(:data:`~._payload.HELPDESK_BODY_CHARS`) by showing fewer entries per section.
"""

from __future__ import annotations

from typing import Any

from ..models.record import HandoffRecord
from ._payload import HELPDESK_BODY_CHARS, dumps, fit, shrunk_notice
from .markdown import markdown_note
from .registry import register_renderer

__all__ = ["chatwoot_payload", "render_chatwoot"]


def chatwoot_payload(record: HandoffRecord) -> dict[str, Any]:
    """The Create New Message body adding ``record`` as a private Markdown note."""
    content, shrunk = fit(lambda n: markdown_note(record, max_items=n), len, HELPDESK_BODY_CHARS)
    if shrunk is not None:
        notice = shrunk_notice(f"the {HELPDESK_BODY_CHARS:,}-character note budget", shrunk)
        content = markdown_note(record, max_items=shrunk, notice=notice)
    return {
        "content": content,
        "message_type": "outgoing",
        "private": True,
        "content_type": "text",
    }


@register_renderer("chatwoot", description="Chatwoot Create New Message body (private note, Markdown)")
def render_chatwoot(record: HandoffRecord) -> str:
    """Render ``record`` as the JSON body of a Chatwoot private note."""
    return dumps(chatwoot_payload(record))
