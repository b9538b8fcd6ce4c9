"""Intercom: the Reply to Conversation request body that adds an admin note.

Send it as ``POST /conversations/{conversation_id}/reply``::

    {"message_type": "note", "type": "admin", "admin_id": "123", "body": "<p>…</p>"}

Source: Intercom REST API, Conversations → "Reply to a conversation"
(https://developers.intercom.com/docs/references/rest-api/api.intercom.io/conversations/replyconversation),
request schema ``admin_reply_conversation_request``: ``message_type`` is
``comment`` or ``note`` (a note is visible to teammates only), ``type`` is
``admin``, ``admin_id`` (string, required) is the teammate who authors it, and
``body`` is the text, where "notes accept some HTML formatting".

``admin_id`` is required and no record knows it. It comes from, in order: the
``admin_id`` argument of :func:`intercom_payload`, the environment variable
``HANDOFF_AI_INTERCOM_ADMIN_ID`` (read at call time), else the placeholder
:data:`ADMIN_ID_PLACEHOLDER` (``"<ADMIN_ID>"``), which no Intercom workspace
accepts — so an incomplete body fails loudly at Intercom instead of posting as
the wrong teammate. Pass ``strict=True`` to get a :class:`UsageError` instead.
"""

from __future__ import annotations

import os
from typing import Any

from ..exceptions import UsageError
from ..models.record import HandoffRecord
from ._payload import dumps, note_html
from .registry import register_renderer

__all__ = ["ADMIN_ID_ENV", "ADMIN_ID_PLACEHOLDER", "intercom_payload", "render_intercom"]

ADMIN_ID_ENV = "HANDOFF_AI_INTERCOM_ADMIN_ID"
"""Environment variable holding the Intercom admin (teammate) id that authors notes."""

ADMIN_ID_PLACEHOLDER = "<ADMIN_ID>"
"""Stands in for a missing admin id; replace it before sending the body."""


def _admin_id(admin_id: str | None, *, strict: bool) -> str:
    for candidate in (admin_id, os.environ.get(ADMIN_ID_ENV)):
        if candidate is not None and candidate.strip():
            return candidate.strip()
    if strict:
        raise UsageError(f"an Intercom admin id is required: pass admin_id= or set {ADMIN_ID_ENV}")
    return ADMIN_ID_PLACEHOLDER


def intercom_payload(
    record: HandoffRecord, *, admin_id: str | None = None, strict: bool = False
) -> dict[str, Any]:
    """The Reply to Conversation body adding ``record`` as an admin note.

    Args:
        record: the handoff record.
        admin_id: the authoring teammate's id; default: ``HANDOFF_AI_INTERCOM_ADMIN_ID``,
            then :data:`ADMIN_ID_PLACEHOLDER`.
        strict: raise instead of using the placeholder.

    Raises:
        UsageError: ``strict`` is set and no admin id was given or configured.
    """
    return {
        "message_type": "note",
        "type": "admin",
        "admin_id": _admin_id(admin_id, strict=strict),
        "body": note_html(record),
    }


@register_renderer("intercom", description="Intercom Reply to Conversation body (admin note)")
def render_intercom(record: HandoffRecord) -> str:
    """Render ``record`` as the JSON body of an Intercom admin note (admin id from the environment)."""
    return dumps(intercom_payload(record))
