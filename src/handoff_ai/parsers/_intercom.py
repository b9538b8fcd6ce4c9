"""Intercom: a conversation object with its parts (``GET /conversations/{id}``).

The conversation's first message is its ``source`` (``body`` in HTML,
``author``, ``attachments``; its time is the conversation's ``created_at``);
everything after it is in ``conversation_parts.conversation_parts[]``
(``part_type``, ``body``, ``author``, ``assigned_to``, ``created_at`` in epoch
seconds). Reference: https://developers.intercom.com/docs/references/rest-api/api.intercom.io/conversations/retrieveconversation
(the ``Conversation``, ``ConversationSource`` and ``ConversationPart`` models, as typed in
the official client: https://app.unpkg.com/intercom-client@7.0.3/files/dist/cjs/api/types/ConversationPart.d.ts).

Roles, from ``author.type``: ``user``, ``lead``, ``contact`` → customer;
``admin``, ``team`` → agent; ``bot`` (also ``operator``, older Intercom's bot) →
bot; any other type is a ``ParseError`` rather than a guess. ``part_type``:
``comment`` (and ``quick_reply``, or no type) → a message of that role;
``note`` → an internal note (kind ``note``, the author's role); every other part
(``assignment``, ``close``, ``open``, ``snoozed``, ``away_mode_assignment``,
``conversation_attribute_updated_by_admin``, …) → a ``system`` event whose text
says what happened, by whom and to whom (``close by Dana``, ``assignment by
Dana; assigned to team 814``). When such a part also has a body (a closing
reply, a customer's message that reopens the conversation), the words follow
as a message of the author's role, pointer ``…[n].body``: said words are never
hidden inside an event.

The customer author of ``source`` (``id``, ``email``, ``phone``, ``name``) is
copied to ``conversation.metadata["customer"]`` so a merge links this
conversation to the same customer's other inputs. HTML bodies become text;
attachment names go to ``metadata["attachments"]``;
every other key of a part is kept in metadata. Channel: ``source.type``
(``email``, ``whatsapp``, ``sms``, ``facebook``, ``instagram``, …), with
Intercom's own Messenger (``conversation``) read as ``intercom``.
Auto-detected by the ``conversation_parts`` object holding a
``conversation_parts`` list, also inside a webhook notification
(``{"type": "notification_event", "topic": "conversation.user.replied",
"data": {"item": <conversation>}}``).
"""

from __future__ import annotations

from typing import Any, Final

from ..models import Conversation, Role
from ._common import default_id
from ._input import ParserInput
from ._registry import register_parser
from ._vendor import (
    Timeline,
    as_dict,
    as_list,
    attachment_names,
    fail,
    html_text,
    ident,
    json_value,
    objects,
    opt_dict,
    opt_list,
    opt_str,
    rest,
    sniff_value,
    stamp,
)

__all__ = ["IntercomParser"]

FORMAT: Final = "intercom"
_AUTHORS: Final[dict[str, Role]] = {
    "user": "customer",
    "lead": "customer",
    "contact": "customer",
    "admin": "agent",
    "team": "agent",
    "bot": "bot",
    "operator": "bot",
}
_MESSAGES: Final = frozenset(("comment", "quick_reply", ""))
_CONSUMED: Final = frozenset(("body", "author", "attachments", "created_at"))


def _author(item: dict[str, Any], at: str) -> tuple[Role, str | None, dict[str, Any]]:
    """(role, display name, author object) of a part or the source."""
    author = opt_dict(item, "author", FORMAT, f"{at}.author")
    kind = opt_str(author, "type", FORMAT, f"{at}.author.type")
    if kind is None or kind not in _AUTHORS:
        problem = "author.type is missing" if kind is None else "unknown author.type"
        fail(FORMAT, f"{problem} (expected one of: {', '.join(_AUTHORS)})", f"{at}.author.type")
    name = author.get("name")
    shown = name if isinstance(name, str) and name else ident(author.get("id"))
    return _AUTHORS[kind], shown, author


def _unwrap(value: Any) -> tuple[Any, str]:
    """The conversation inside a webhook notification (``data.item``), and its pointer; else the value."""
    if isinstance(value, dict) and value.get("type") == "notification_event":
        body = value.get("data")
        item = body.get("item") if isinstance(body, dict) else None
        if isinstance(item, dict):
            return item, "data.item"
    return value, ""


def _person(author: dict[str, Any]) -> dict[str, Any]:
    """The customer's identity fields of an author object (``id``, ``email``, ``phone``, ``name``)."""
    return {k: author[k] for k in ("id", "email", "phone", "name") if author.get(k) not in (None, "")}


def _attachments(item: dict[str, Any], at: str) -> list[str]:
    return attachment_names(opt_list(item, "attachments", FORMAT, f"{at}.attachments"))


class IntercomParser:
    """Intercom conversation with ``source`` and ``conversation_parts``."""

    def sniff(self, data: ParserInput) -> bool:
        value = _unwrap(sniff_value(data))[0]
        if not isinstance(value, dict):
            return False
        parts = value.get("conversation_parts")
        return isinstance(parts, dict) and isinstance(parts.get("conversation_parts"), list)

    def parse(self, data: ParserInput, *, id: str | None, file: str | None) -> Conversation:
        value, inner = _unwrap(json_value(data, FORMAT))
        if inner:  # a webhook notification: read the conversation it carries, pointers inside it
            data = ParserInput(
                value=value, file=data.file, prefix=data.where(inner), fallback_id=data.fallback_id
            )
        value = as_dict(value, FORMAT, data.prefix or "", "a conversation object")
        source = opt_dict(value, "source", FORMAT, data.where("source"))
        wrapper = opt_dict(value, "conversation_parts", FORMAT, data.where("conversation_parts"))
        base = "conversation_parts.conversation_parts"
        parts = as_list(wrapper.get("conversation_parts", []), FORMAT, data.where(base))
        kind = opt_str(source, "type", FORMAT, data.where("source.type"))
        channel = FORMAT if kind in (None, "", "conversation") else kind
        timeline = Timeline(FORMAT, data, file)
        customer: dict[str, Any] = {}
        if source:
            at = data.where("source")
            role, name, author = _author(source, at)
            if role == "customer":
                customer = _person(author)
            metadata = rest(source, _CONSUMED | {"created_at"})
            if names := _attachments(source, at):
                metadata["attachments"] = names
            body = opt_str(source, "body", FORMAT, f"{at}.body")
            when = stamp(value.get("created_at"), FORMAT, data.where("created_at"))
            timeline.add(
                "source",
                role=role,
                text=html_text(body or ""),
                timestamp=when,
                author=name,
                channel=channel,
                metadata=metadata,
            )
        for pointer, _, item in objects(data, FORMAT, parts, base):
            self._part(timeline, pointer, item, channel)
        metadata = rest(value, {"source", "conversation_parts"})
        if customer and "customer" not in metadata:
            metadata["customer"] = customer  # the merge links inputs by this person's email / phone / id
        return timeline.build(id or default_id(value.get("id"), data), metadata)

    @staticmethod
    def _part(timeline: Timeline, pointer: str, item: dict[str, Any], channel: str) -> None:
        at = timeline.where(pointer)
        part_type = opt_str(item, "part_type", FORMAT, f"{at}.part_type") or ""
        role, name, _ = _author(item, at)
        body = html_text(opt_str(item, "body", FORMAT, f"{at}.body") or "")
        metadata = rest(item, _CONSUMED)
        if names := _attachments(item, at):
            metadata["attachments"] = names
        when = stamp(item.get("created_at"), FORMAT, f"{at}.created_at")
        if part_type not in _MESSAGES and part_type != "note":
            text = part_type.replace("_", " ") + (f" by {name}" if name else "")
            assigned = opt_dict(item, "assigned_to", FORMAT, f"{at}.assigned_to")
            if assigned:
                target = " ".join(str(assigned[k]) for k in ("type", "id") if ident(assigned.get(k)))
                text += f"; assigned to {target or 'nobody'}"
            event_meta = {**metadata, "author": item.get("author")}
            timeline.add(
                pointer,
                role="system",
                kind="event",
                text=text,
                timestamp=when,
                channel=channel,
                metadata=event_meta,
            )
            if not body:
                return
            pointer = f"{pointer}.body"  # a state change with words: the words are a message of their own
        timeline.add(
            pointer,
            role=role,
            kind="note" if part_type == "note" else "message",
            text=body,
            timestamp=when,
            author=name,
            channel=channel,
            metadata=metadata,
        )


register_parser(
    FORMAT,
    description="Intercom conversation: source + conversation_parts (comments, notes, assignments)",
    extensions=(".json",),
    priority=40,
)(IntercomParser())
