"""Microsoft Bot Framework: a conversation's activities (transcripts, Direct Line).

Input: a list of activities (a ``.transcript`` file from the Bot Framework
Emulator or the transcript store), or ``{"activities": [...], "watermark":
...}`` from Direct Line's ``GET /v3/directline/conversations/{id}/activities``.
Reference: https://learn.microsoft.com/en-us/javascript/api/botframework-schema/activity
and https://learn.microsoft.com/en-us/azure/bot-service/dotnet/bot-builder-dotnet-activities
(``type``, ``id``, ``timestamp``, ``channelId``, ``from``, ``recipient``,
``text``, ``attachments``, ``name``, ``membersAdded``, …).

Roles, for ``type: message``: ``from.role`` ``user`` → customer, ``bot`` /
``skill`` → bot. When ``role`` is missing (older channels), the sender's id
decides: an id seen elsewhere with a role (as sender or ``recipient``) keeps
it; otherwise it is a ``ParseError`` rather than a guess. A message with no
``text`` takes its cards' ``title``/``text`` (hero, thumbnail, adaptive
``TextBlock``\\ s); attachment names/types and suggested actions go to metadata.

Other activity types become events: ``conversationUpdate`` → ``system``
event ``members added: Maya``; ``event``, ``invoke``, ``trace`` → an event of
the sender's role (bot, else ``system``) named after the activity's ``name``;
``handoff``, ``endOfConversation``, ``messageReaction``, ``messageUpdate``,
``messageDelete``, ``installationUpdate``, … → ``system`` events. ``conversationUpdate``,
``trace``, ``installationUpdate``, ``contactRelationUpdate`` and Web Chat's own
``webchat/…`` events are framework housekeeping: kept, with
``metadata["bookkeeping"] = True``, so they are not listed as actions. ``typing``
indicators are left out of the timeline and counted in
``conversation.metadata["skipped"]["typing"]``. Channel: ``channelId``
(``msteams``, ``webchat``, ``directline``, ``emulator``, …). Auto-detected
when every activity has a string ``type`` and a ``from`` object, and one is a
``message``.
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
    item_list,
    json_value,
    objects,
    opt_dict,
    opt_list,
    opt_str,
    rest,
    sample,
    sniff_value,
    stamp,
)

__all__ = ["BotFrameworkParser"]

FORMAT: Final = "botframework"
_ROLES: Final[dict[str, Role]] = {"user": "customer", "bot": "bot", "skill": "bot"}
_CONSUMED: Final = frozenset(("type", "text", "timestamp", "localTimestamp", "channelId", "attachments"))


def _activities(value: Any) -> tuple[Any, str]:
    if isinstance(value, dict) and "activities" in value:
        return value["activities"], "activities"
    return value, ""


def _is_activity(item: Any) -> bool:
    return isinstance(item, dict) and isinstance(item.get("type"), str) and isinstance(item.get("from"), dict)


def _card_text(attachment: dict[str, Any]) -> list[str]:
    content = attachment.get("content")
    if not isinstance(content, dict):
        return []
    texts = [
        content[k] for k in ("title", "subtitle", "text") if isinstance(content.get(k), str) and content[k]
    ]
    for block in content.get("body") or ():
        if (
            isinstance(block, dict)
            and block.get("type") == "TextBlock"
            and isinstance(block.get("text"), str)
        ):
            texts.append(block["text"])
    return texts


class BotFrameworkParser:
    """Bot Framework activities."""

    def sniff(self, data: ParserInput) -> bool:
        items, _ = _activities(sniff_value(data))
        if not isinstance(items, list) or not items:
            return False
        head = sample(items)
        return all(map(_is_activity, head)) and any(item["type"] == "message" for item in head)

    def parse(self, data: ParserInput, *, id: str | None, file: str | None) -> Conversation:
        value = json_value(data, FORMAT)
        raw_items, base = _activities(value)
        items = item_list(data, FORMAT, raw_items, base, "a list of activities")
        known = self._known_roles(items)
        timeline = Timeline(FORMAT, data, file)
        found_id: Any = None
        for pointer, at, item in objects(data, FORMAT, items, base):
            kind_name = opt_str(item, "type", FORMAT, f"{at}.type")
            if not kind_name:
                fail(FORMAT, "activity has no type", f"{at}.type")
            if kind_name == "typing":
                timeline.skip("typing")
                continue
            sender = opt_dict(item, "from", FORMAT, f"{at}.from")
            conversation = item.get("conversation")
            if found_id is None and isinstance(conversation, dict):
                found_id = conversation.get("id")
            role, kind, text, metadata = self._read(kind_name, item, sender, known, at)
            name = sender.get("name")
            when = item.get("timestamp", item.get("localTimestamp"))
            timeline.add(
                pointer,
                role=role,
                kind=kind,
                text=text,
                timestamp=stamp(when, FORMAT, f"{at}.timestamp"),
                author=name if isinstance(name, str) and role != "system" else None,
                channel=opt_str(item, "channelId", FORMAT, f"{at}.channelId") or FORMAT,
                metadata=metadata,
            )
        metadata = rest(value, {"activities"}) if base else {}
        return timeline.build(id or default_id(found_id, data), metadata)

    @staticmethod
    def _known_roles(items: list[Any]) -> dict[str, str]:
        """Account id → role, from every ``from``/``recipient`` that states one."""
        known: dict[str, str] = {}
        for item in items:
            if isinstance(item, dict):
                for key in ("from", "recipient"):
                    account = item.get(key)
                    if isinstance(account, dict) and isinstance(account.get("id"), str):
                        role = account.get("role")
                        if isinstance(role, str) and role in _ROLES:
                            known.setdefault(account["id"], role)
        return known

    @staticmethod
    def _sender_role(sender: dict[str, Any], known: dict[str, str], at: str) -> Role:
        role = sender.get("role")
        if role is None:
            role = known.get(sender["id"]) if isinstance(sender.get("id"), str) else None
            if role is None:
                fail(FORMAT, "from.role is missing and the sender's id has no known role", f"{at}.from.role")
        if not isinstance(role, str) or role not in _ROLES:
            fail(FORMAT, f"unknown from.role (expected one of: {', '.join(_ROLES)})", f"{at}.from.role")
        return _ROLES[role]

    def _read(
        self, kind_name: str, item: dict[str, Any], sender: dict[str, Any], known: dict[str, str], at: str
    ) -> tuple[Role, MessageKind, str, dict[str, Any]]:
        """(role, kind, text, metadata) of one activity."""
        metadata = rest(item, _CONSUMED)
        text = (opt_str(item, "text", FORMAT, f"{at}.text") or "").strip()
        attachments = opt_list(item, "attachments", FORMAT, f"{at}.attachments")
        if kind_name == "message":
            role = self._sender_role(sender, known, at)
            cards: list[str] = []
            names: list[str] = []
            for attachment in attachments:
                if isinstance(attachment, dict):
                    cards.extend(_card_text(attachment))
                    label = attachment.get("name", attachment.get("contentType"))
                    names.append(label if isinstance(label, str) else "attachment")
            if names:
                metadata["attachments"] = names
            return role, "message", text or "\n".join(cards), metadata
        if attachments:
            metadata["attachments"] = attachments
        if kind_name == "conversationUpdate":
            parts = []
            for key, label in (("membersAdded", "members added"), ("membersRemoved", "members removed")):
                members = opt_list(item, key, FORMAT, f"{at}.{key}")
                shown = [m.get("name") or m.get("id") for m in members if isinstance(m, dict)]
                if shown:
                    parts.append(f"{label}: {', '.join(str(s) for s in shown)}")
            metadata["bookkeeping"] = True  # who joined the chat: not something done for the customer
            return "system", "event", "; ".join(parts) or "conversation update", metadata
        if kind_name in _BOOKKEEPING or (
            kind_name == "event" and str(item.get("name", "")).startswith(_CLIENT_EVENTS)
        ):
            metadata["bookkeeping"] = True
        label = kind_name
        name = item.get("name")
        if isinstance(name, str) and name:
            label += f" {name}"
        if text:
            label += f": {text}"
        event_role: Role = "system"
        if kind_name in ("event", "invoke", "trace") and sender.get("role") in ("bot", "skill"):
            event_role = "bot"
        return event_role, "event", label, metadata


# Activity types that are the framework's housekeeping (debug traces, installs, contact lists),
# and client events Web Chat / Direct Line send on their own (``webchat/join``).
_BOOKKEEPING: Final = frozenset(("trace", "installationUpdate", "contactRelationUpdate", "deleteUserData"))
_CLIENT_EVENTS: Final = ("webchat/", "directline/")


register_parser(
    FORMAT,
    description="Microsoft Bot Framework activities (transcripts, Direct Line): messages, events, updates",
    extensions=(".json", ".transcript"),
    priority=40,
)(BotFrameworkParser())
