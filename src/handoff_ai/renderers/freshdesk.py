"""Freshdesk: the Create Note request body for a private note on a ticket.

Send it as ``POST /api/v2/tickets/{ticket_id}/notes``::

    {"body": "<p>…</p>", "private": true}

Source: Freshdesk API v2, "Create a Note"
(https://developers.freshdesk.com/api/#add_note_to_a_ticket): ``body`` is the
note's content in HTML (mandatory), ``private`` (default true) keeps it away
from the requester, and ``notify_emails`` is an optional array of agent e-mail
addresses to notify. ``private`` is always sent explicitly so the body means the
same thing whatever the default becomes.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..exceptions import UsageError
from ..models.record import HandoffRecord
from ._payload import dumps, note_html
from .registry import register_renderer

__all__ = ["freshdesk_payload", "render_freshdesk"]


def freshdesk_payload(record: HandoffRecord, *, notify_emails: Sequence[str] = ()) -> dict[str, Any]:
    """The Create Note body adding ``record`` as a private HTML note.

    Args:
        record: the handoff record.
        notify_emails: agent addresses Freshdesk should notify (duplicates dropped,
            order kept); left out of the body when empty.

    Raises:
        UsageError: ``notify_emails`` is a single string or holds a blank or
            non-address entry.
    """
    if isinstance(notify_emails, str):
        raise UsageError("notify_emails must be a list of addresses, not one string")
    payload: dict[str, Any] = {"body": note_html(record), "private": True}
    emails = list(dict.fromkeys(e.strip() for e in notify_emails))
    if any("@" not in e or any(ch.isspace() for ch in e) for e in emails):
        raise UsageError("notify_emails must hold e-mail addresses")
    if emails:
        payload["notify_emails"] = emails
    return payload


@register_renderer("freshdesk", description="Freshdesk Create Note body (private note on a ticket)")
def render_freshdesk(record: HandoffRecord) -> str:
    """Render ``record`` as the JSON body of a Freshdesk private note."""
    return dumps(freshdesk_payload(record))
