"""Chatwoot: the messages of one conversation.

Input: the list-messages response ``{"meta": {...}, "payload": [...]}`` (``GET
/api/v1/accounts/{account_id}/conversations/{id}/messages``), a conversation
object with a ``messages`` list (conversation and webhook payloads), or a bare
list of messages. Reference: https://developers.chatwoot.com/api-reference/messages/get-messages
and the message schema at
https://raw.githubusercontent.com/api-evangelist/chatwoot/refs/heads/main/json-schema/message.json
(message fields ``content``, ``message_type``, ``private``, ``created_at``,
``sender``, ``sender_type``, ``attachments``).

Roles, from ``message_type`` (an integer, or its name in webhooks):
``0``/``incoming`` → customer; ``1``/``outgoing`` → agent, or bot when the
sender is an agent bot (``sender_type: "AgentBot"`` or ``sender.type:
"agent_bot"``); ``2``/``activity`` (assignments, status changes) → ``system``
event; ``3``/``template`` (automated templates: greetings, CSAT) → bot.
``private: true`` → internal note (role ``agent``, kind ``note``).

``created_at`` is epoch seconds (webhooks send ISO text; both are read).
Author: ``sender.name``. Attachment types and names go to
``metadata["attachments"]``; other keys stay in metadata. Channel: the inbox
type from ``meta.channel`` / the conversation's ``channel`` (``Channel::Email``
→ ``email``, ``Channel::Whatsapp`` → ``whatsapp``, ``Channel::WebWidget`` →
``chat``, …), else ``chatwoot``. Auto-detected when every message object has
a ``message_type`` (0–3 or its name), ``content`` and ``created_at``.
"""

from __future__ import annotations

from typing import Any, Final

from ..models import Conversation, MessageKind, Role
from ._common import default_id
from ._input import ParserInput
from ._registry import register_parser
from ._vendor import (
    Timeline,
    fail,
    ident,
    item_list,
    json_value,
    objects,
    opt_dict,
    opt_list,
    opt_str,
    rest,
    sniff_items,
    sniff_value,
    stamp,
)

__all__ = ["ChatwootParser"]

FORMAT: Final = "chatwoot"
_TYPES: Final = {"incoming": 0, "outgoing": 1, "activity": 2, "template": 3}
_CHANNELS: Final = {
    "Channel::WebWidget": "chat",
    "Channel::Email": "email",
    "Channel::Whatsapp": "whatsapp",
    "Channel::Sms": "sms",
    "Channel::TwilioSms": "sms",
    "Channel::FacebookPage": "messenger",
    "Channel::Instagram": "instagram",
    "Channel::Telegram": "telegram",
    "Channel::Line": "line",
    "Channel::Api": "api",
}
_CONSUMED: Final = frozenset(("content", "message_type", "private", "created_at", "attachments"))


def _type_code(raw: Any) -> int | None:
    """``message_type`` as 0-3 (it is an integer in the API, a name in webhooks), else ``None``."""
    code = _TYPES.get(raw) if isinstance(raw, str) else raw
    return code if type(code) is int and 0 <= code <= 3 else None


def _is_message(item: Any) -> bool:
    return (
        isinstance(item, dict)
        and _type_code(item.get("message_type")) is not None
        and "content" in item
        and "created_at" in item
    )


def _find(value: Any) -> tuple[Any, str, dict[str, Any]] | None:
    """(messages, their pointer, the object around them) in any accepted shape."""
    if isinstance(value, list):
        return value, "", {}
    if isinstance(value, dict):
        for key in ("payload", "messages"):
            if key in value:
                return value[key], key, value
    return None


class ChatwootParser:
    """Chatwoot conversation messages."""

    def sniff(self, data: ParserInput) -> bool:
        found = _find(sniff_value(data))
        return found is not None and sniff_items(found[0], _is_message)

    def parse(self, data: ParserInput, *, id: str | None, file: str | None) -> Conversation:
        found = _find(json_value(data, FORMAT))
        if found is None:
            fail(
                FORMAT, "expected a list of messages, or an object with 'payload' or 'messages'", data.prefix
            )
        raw_items, base, wrapper = found
        items = item_list(data, FORMAT, raw_items, base)
        meta = opt_dict(wrapper, "meta", FORMAT, data.where("meta"))
        inbox = meta.get("channel", wrapper.get("channel"))
        channel = _CHANNELS.get(inbox, FORMAT) if isinstance(inbox, str) else FORMAT
        timeline = Timeline(FORMAT, data, file)
        found_id: Any = wrapper.get("id") if base == "messages" else None
        for pointer, at, item in objects(data, FORMAT, items, base):
            role, kind = self._role(item, at)
            sender = opt_dict(item, "sender", FORMAT, f"{at}.sender")
            name = sender.get("name")
            metadata = rest(item, _CONSUMED)
            attachments = opt_list(item, "attachments", FORMAT, f"{at}.attachments")
            if attachments:
                metadata["attachments"] = [self._attachment(a) for a in attachments]
            if found_id is None:
                found_id = item.get("conversation_id")
            timeline.add(
                pointer,
                role=role,
                kind=kind,
                text=(opt_str(item, "content", FORMAT, f"{at}.content") or "").strip(),
                timestamp=stamp(item.get("created_at"), FORMAT, f"{at}.created_at"),
                author=name if isinstance(name, str) and role != "system" else None,
                channel=channel,
                metadata=metadata,
            )
        return timeline.build(id or default_id(found_id, data), rest(wrapper, {base}))

    @staticmethod
    def _role(item: dict[str, Any], at: str) -> tuple[Role, MessageKind]:
        code = _type_code(item.get("message_type"))
        if code is None:
            fail(
                FORMAT,
                "message_type must be 0-3 or incoming/outgoing/activity/template",
                f"{at}.message_type",
            )
        private = item.get("private") or False
        if not isinstance(private, bool):
            fail(FORMAT, "private must be true or false", f"{at}.private")
        if code == 2:
            return "system", "event"
        if private:
            return "agent", "note"
        if code == 0:
            return "customer", "message"
        sender = item.get("sender")
        sender_kind = sender.get("type") if isinstance(sender, dict) else None
        if code == 3 or item.get("sender_type") == "AgentBot" or sender_kind == "agent_bot":
            return "bot", "message"
        return "agent", "message"

    @staticmethod
    def _attachment(item: Any) -> str:
        if not isinstance(item, dict):
            return "attachment"
        kind = item.get("file_type") if isinstance(item.get("file_type"), str) else "file"
        url = item.get("data_url")
        name = url.rsplit("/", 1)[-1] if isinstance(url, str) and url else ident(item.get("id"))
        return f"{kind}: {name}" if name else str(kind)


register_parser(
    FORMAT,
    description="Chatwoot conversation messages (incoming, outgoing, bot, activity, private notes)",
    extensions=(".json",),
    priority=40,
)(ChatwootParser())
