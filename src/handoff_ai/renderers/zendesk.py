"""Zendesk: the Update Ticket request body that adds the note as a private comment.

Send it as ``PUT /api/v2/tickets/{ticket_id}.json``::

    {"ticket": {"comment": {"html_body": "<p>…</p>", "public": false}}}

Sources: Zendesk Support API, *Tickets* → "Update Ticket"
(https://developer.zendesk.com/api-reference/ticketing/tickets/tickets/#update-ticket)
and *Ticket Comments* (https://developer.zendesk.com/api-reference/ticketing/tickets/ticket_comments/):
comments are created by putting a ``comment`` object in the ticket update;
``html_body`` is the comment as HTML and ``public: false`` makes it an internal
note that the requester never sees.

The registered ``zendesk`` renderer emits the comment only, so posting it never
changes anything else on the ticket. :func:`zendesk_payload` can also set the
ticket's ``priority`` from the record's urgency (``priority=True``; the levels
map one to one: low, normal, high, urgent). Tags are deliberately *not* put in
this body: ``tags`` on Update Ticket replaces every existing tag, and
``additional_tags`` only works on the bulk Update Many endpoint (Zendesk,
"Adding tags to tickets without overwriting existing tags"). :func:`zendesk_tags`
gives the suggested tags for the Add Tags endpoint,
``PUT /api/v2/tickets/{ticket_id}/tags`` with ``{"tags": [...]}``.
"""

from __future__ import annotations

import re
from typing import Any

from ..models.record import HandoffRecord, Intent
from ._payload import dumps, note_html
from .registry import register_renderer

__all__ = ["render_zendesk", "zendesk_payload", "zendesk_tags"]

_TAG_UNSAFE = re.compile(r"[^a-z0-9_]+")


def zendesk_payload(record: HandoffRecord, *, priority: bool = False) -> dict[str, Any]:
    """The Update Ticket body adding ``record`` as a private HTML comment.

    Args:
        record: the handoff record.
        priority: also set the ticket's ``priority`` from ``record.urgency.level``.
    """
    ticket: dict[str, Any] = {"comment": {"html_body": note_html(record), "public": False}}
    if priority:
        ticket["priority"] = record.urgency.level
    return {"ticket": ticket}


def _tag(text: str) -> str:
    return _TAG_UNSAFE.sub("_", text.strip().lower()).strip("_")


def zendesk_tags(record: HandoffRecord) -> list[str]:
    """Suggested ticket tags: ``handoff_ai``, ``intent_<label>``, ``urgency_<level>``, ``team_<team>``.

    Tags are lower-case with anything but letters, digits and ``_`` replaced by
    ``_`` (Zendesk splits tags on spaces). Parts the record does not support
    are left out.
    """
    tags = ["handoff_ai"]
    if record.intent != Intent() and _tag(record.intent.label):
        tags.append(f"intent_{_tag(record.intent.label)}")
    tags.append(f"urgency_{record.urgency.level}")
    if record.needed_expertise.team and _tag(record.needed_expertise.team):
        tags.append(f"team_{_tag(record.needed_expertise.team)}")
    return tags


@register_renderer("zendesk", description="Zendesk Update Ticket body adding a private (internal) comment")
def render_zendesk(record: HandoffRecord) -> str:
    """Render ``record`` as the JSON body of a Zendesk ticket update (comment only)."""
    return dumps(zendesk_payload(record))
