"""Botpress: the message history of one conversation.

Input: the Chat/Runtime API's list-messages response ``{"messages": [...],
"meta": {...}}`` (``GET /v1/chat/messages?conversationId=...``), or a bare list
of messages. Reference:
https://botpress.com/docs/api-reference/runtime-api/openapi/listMessages
(message: ``id``, ``createdAt``, ``type``, ``payload``, ``direction``,
``userId``, ``conversationId``, ``tags``). Botpress v12 exports
(``authorId``, ``sentOn``, ``payload``) are read too.

Roles: ``direction: incoming`` → customer, ``outgoing`` → bot. Without a
``direction`` (v12): a message with an ``authorId`` is the customer's, one
without is the bot's. Text: ``payload.text`` (else ``payload.title``,
``payload.markdown``); choices, cards and carousels keep their option labels in
``metadata["options"]``; images, files, audio and video keep their URL in
``metadata["attachments"]``; the rest of the payload is kept in
``metadata["payload"]``. ``type`` (``text``, ``choice``, ``image``, …) is
kept in metadata. Order: oldest first by ``createdAt`` / ``sentOn``. Channel:
``botpress``. Auto-detected when the messages carry an incoming/outgoing
``direction`` and a ``payload`` object.
"""

from __future__ import annotations

from typing import Any, Final

from ..models import Conversation, Role
from ._common import default_id
from ._input import ParserInput
from ._registry import register_parser
from ._vendor import (
    Timeline,
    fail,
    objects,
    opt_dict,
    opt_str,
    rest,
    sniff_items,
    sniff_value,
    stamp,
    wrapped_list,
)

__all__ = ["BotpressParser"]

FORMAT: Final = "botpress"
_DIRECTIONS: Final[dict[str, Role]] = {"incoming": "customer", "outgoing": "bot"}
_TEXT_KEYS: Final = ("text", "title", "markdown")
_URL_KEYS: Final = ("imageUrl", "fileUrl", "audioUrl", "videoUrl", "url")
_CONSUMED: Final = frozenset(("payload", "direction", "createdAt", "sentOn"))


def _is_message(item: Any) -> bool:
    return (
        isinstance(item, dict)
        and item.get("direction") in _DIRECTIONS
        and isinstance(item.get("payload"), dict)
    )


def _options(payload: dict[str, Any]) -> list[str]:
    labels: list[str] = []
    for key in ("options", "choices", "items", "actions"):
        found = payload.get(key)
        if isinstance(found, list):
            for option in found:
                if isinstance(option, dict):
                    label = option.get("label", option.get("title", option.get("value")))
                    if isinstance(label, str):
                        labels.append(label)
    return labels


class BotpressParser:
    """Botpress message history."""

    def sniff(self, data: ParserInput) -> bool:
        value = sniff_value(data)
        items = value.get("messages") if isinstance(value, dict) else value
        return sniff_items(items, _is_message)

    def parse(self, data: ParserInput, *, id: str | None, file: str | None) -> Conversation:
        items, base, around = wrapped_list(data, FORMAT, "messages", "a list of messages")
        timeline = Timeline(FORMAT, data, file)
        found_id: Any = None
        for pointer, at, item in objects(data, FORMAT, items, base):
            role = self._role(item, at)
            payload = opt_dict(item, "payload", FORMAT, f"{at}.payload")
            text = ""
            for key in _TEXT_KEYS:
                found = opt_str(payload, key, FORMAT, f"{at}.payload.{key}")
                if found:
                    text = found.strip()
                    break
            metadata = rest(item, _CONSUMED)
            if options := _options(payload):
                metadata["options"] = options
            urls = [payload[k] for k in _URL_KEYS if isinstance(payload.get(k), str) and payload[k]]
            if urls:
                metadata["attachments"] = urls
            extra = {k: v for k, v in payload.items() if k not in (*_TEXT_KEYS, *_URL_KEYS)}
            if extra:
                metadata["payload"] = extra
            if found_id is None:
                found_id = item.get("conversationId")
            when = item.get("createdAt", item.get("sentOn"))
            author = item.get("userId", item.get("authorId")) if role == "customer" else None
            timeline.add(
                pointer,
                role=role,
                text=text,
                timestamp=stamp(when, FORMAT, f"{at}.{'createdAt' if 'createdAt' in item else 'sentOn'}"),
                author=author if isinstance(author, str) else None,
                channel=FORMAT,
                metadata=metadata,
            )
        return timeline.build(id or default_id(found_id, data), around)

    @staticmethod
    def _role(item: dict[str, Any], at: str) -> Role:
        direction = item.get("direction")
        if direction is None:
            return "customer" if item.get("authorId") else "bot"
        if not isinstance(direction, str) or direction not in _DIRECTIONS:
            fail(FORMAT, "direction must be incoming or outgoing", f"{at}.direction")
        return _DIRECTIONS[direction]


register_parser(
    FORMAT,
    description="Botpress message history (incoming/outgoing messages with payloads)",
    extensions=(".json",),
    priority=40,
)(BotpressParser())
