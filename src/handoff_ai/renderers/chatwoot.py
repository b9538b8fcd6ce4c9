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
renderer escapes every piece of customer text.
"""

from __future__ import annotations

from typing import Any

from ..models.record import HandoffRecord
from ._payload import dumps
from .markdown import render_markdown
from .registry import register_renderer

__all__ = ["chatwoot_payload", "render_chatwoot"]


def chatwoot_payload(record: HandoffRecord) -> dict[str, Any]:
    """The Create New Message body adding ``record`` as a private Markdown note."""
    return {
        "content": render_markdown(record),
        "message_type": "outgoing",
        "private": True,
        "content_type": "text",
    }


@register_renderer("chatwoot", description="Chatwoot Create New Message body (private note, Markdown)")
def render_chatwoot(record: HandoffRecord) -> str:
    """Render ``record`` as the JSON body of a Chatwoot private note."""
    return dumps(chatwoot_payload(record))
