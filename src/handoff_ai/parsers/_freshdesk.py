"""Freshdesk: a ticket and its conversations (replies and notes).

Input: ``{"ticket": {...}, "conversations": [...]}`` — the ticket (``GET
/api/v2/tickets/{id}``) and its conversations (``GET
/api/v2/tickets/{id}/conversations``) — or the ticket with the conversations
embedded (``?include=conversations``), or the bare list of conversations
that endpoint returns (auto-detected too: objects with ``incoming``/``private``
flags, a ``user_id`` and a body). Reference: https://developers.freshdesk.com/api/#list_all_ticket_notes

The ticket's own ``description_text`` (else ``description`` HTML) is the
requester's first message, at the ticket's ``created_at``: Freshdesk does not
repeat it among the conversations, and a handoff must not lose it.

Roles: ``private: true`` → internal note (role ``agent``, kind ``note``); a
conversation whose ``user_id`` is the ticket's ``requester_id``, or (without a
requester id) one that is ``incoming``, → customer; everyone else → agent.
Text: ``body_text``, else the HTML ``body`` converted. Author: ``from_email``,
else the user id. Channel: the ticket's ``source`` (1 email, 2 portal, 3 phone,
7 chat, 9 feedback widget, 10 outbound email), else ``freshdesk``. Attachment
names go to ``metadata["attachments"]``; other keys are kept in metadata.
Auto-detected when the ``conversations`` objects carry ``incoming`` and
``private`` booleans.
"""

from __future__ import annotations

from typing import Any, Final

from ..models import Conversation, MessageKind, Role
from ._common import default_id
from ._input import ParserInput
from ._registry import register_parser
from ._vendor import (
    Timeline,
    as_dict,
    attachment_names,
    fail,
    html_text,
    ident,
    item_list,
    json_value,
    objects,
    opt_list,
    opt_str,
    rest,
    sniff_items,
    sniff_value,
    stamp,
)

__all__ = ["FreshdeskParser"]

FORMAT: Final = "freshdesk"
_SOURCES: Final = {1: "email", 2: "portal", 3: "phone", 7: "chat", 9: "web", 10: "email"}
_CONSUMED: Final = frozenset(("body", "body_text", "private", "incoming", "created_at", "attachments"))


def _is_conversation(item: Any) -> bool:
    return (
        isinstance(item, dict)
        and isinstance(item.get("incoming"), bool)
        and isinstance(item.get("private"), bool)
    )


def _find(value: Any) -> tuple[Any, str, Any, str] | None:
    """(ticket, its pointer prefix, conversations, their pointer) in any of the accepted shapes."""
    if isinstance(value, list):
        return {}, "", value, ""
    if not isinstance(value, dict) or "conversations" not in value:
        return None
    if "ticket" in value:
        return value["ticket"], "ticket.", value["conversations"], "conversations"
    return value, "", value["conversations"], "conversations"


class FreshdeskParser:
    """Freshdesk ticket + conversations."""

    def sniff(self, data: ParserInput) -> bool:
        found = _find(sniff_value(data))
        if found is None:
            return False
        if found[3]:
            return sniff_items(found[2], _is_conversation)
        # The conversations endpoint alone returns a bare list: also require Freshdesk's body and user id.
        return sniff_items(
            found[2],
            lambda item: (
                _is_conversation(item) and "user_id" in item and ("body_text" in item or "body" in item)
            ),
        )

    def parse(self, data: ParserInput, *, id: str | None, file: str | None) -> Conversation:
        found = _find(json_value(data, FORMAT))
        if found is None:
            fail(FORMAT, "expected a ticket with conversations, or a list of conversations", data.prefix)
        raw_ticket, prefix, raw_items, base = found
        ticket = as_dict(raw_ticket, FORMAT, data.where("ticket"), "a ticket object")
        items = item_list(data, FORMAT, raw_items, base)
        requester = ident(ticket.get("requester_id"))
        source = ticket.get("source")
        channel = _SOURCES.get(source, FORMAT) if isinstance(source, int) else FORMAT
        timeline = Timeline(FORMAT, data, file)
        self._description(timeline, ticket, prefix, requester, channel)
        for pointer, at, item in objects(data, FORMAT, items, base):
            role, kind = self._role(item, requester, at)
            text = opt_str(item, "body_text", FORMAT, f"{at}.body_text")
            if text is None:
                html = opt_str(item, "body", FORMAT, f"{at}.body")
                text = html_text(html) if html is not None else ""
            metadata = rest(item, _CONSUMED)
            if names := attachment_names(opt_list(item, "attachments", FORMAT, f"{at}.attachments")):
                metadata["attachments"] = names
            author = opt_str(item, "from_email", FORMAT, f"{at}.from_email") or ident(item.get("user_id"))
            timeline.add(
                pointer,
                role=role,
                kind=kind,
                text=text.strip(),
                timestamp=stamp(item.get("created_at"), FORMAT, f"{at}.created_at"),
                author=author,
                channel=channel,
                metadata=metadata,
            )
        metadata = rest(ticket, {"conversations", "description", "description_text"})
        return timeline.build(id or default_id(ticket.get("id"), data), metadata)

    @staticmethod
    def _description(
        timeline: Timeline, ticket: dict[str, Any], prefix: str, requester: str | None, channel: str
    ) -> None:
        """The ticket's description as the requester's first message (when there is one)."""
        data = timeline.data
        pointer = f"{prefix}description_text"
        text = opt_str(ticket, "description_text", FORMAT, data.where(pointer))
        if text is None:
            pointer = f"{prefix}description"
            html = opt_str(ticket, "description", FORMAT, data.where(pointer))
            if html is None:
                return
            text = html_text(html)
        timeline.add(
            pointer,
            role="customer",
            text=text.strip(),
            timestamp=stamp(ticket.get("created_at"), FORMAT, data.where(f"{prefix}created_at")),
            author=requester,
            channel=channel,
            metadata={"ticket_description": True},
        )

    @staticmethod
    def _role(item: dict[str, Any], requester: str | None, at: str) -> tuple[Role, MessageKind]:
        private, incoming = item.get("private", False), item.get("incoming", False)
        for key, flag in (("private", private), ("incoming", incoming)):
            if not isinstance(flag, bool):
                fail(FORMAT, f"{key} must be true or false", f"{at}.{key}")
        if private:
            return "agent", "note"
        user = ident(item.get("user_id"))
        if (requester is not None and user == requester) or (requester is None and incoming):
            return "customer", "message"
        return "agent", "message"


register_parser(
    FORMAT,
    description="Freshdesk ticket + conversations (replies, private notes, the ticket description)",
    extensions=(".json",),
    priority=40,
)(FreshdeskParser())
