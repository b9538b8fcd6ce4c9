"""Slack export channel files: the JSON list of message objects in ``<channel>/<day>.json``.

Each file is one conversation. Messages are ordered by ``ts``; a thread's
replies (``thread_ts`` different from their own ``ts``) follow their parent
directly, in ``ts`` order, so a thread reads as one block. A reply whose parent
is not in the file (exports are split by day) keeps its own place in time and
its ``thread_ts``. Ties keep file order. ``ts`` is epoch seconds, read as UTC.

Roles: bot posts (``subtype: bot_message`` or a ``bot_id``) are ``bot``;
membership and channel changes (``channel_join``, ``channel_topic``, ...) are
``system`` events; among humans the first poster is the customer and everyone
else an agent, unless ``agent_users``/``customer_users`` (Slack user ids) say
otherwise. In a shared channel where many customers post, that default is
wrong for every customer but the first: name the agents, or split the
conversation by ``metadata["thread_ts"]`` and summarize each thread.

Slack markup becomes plain text: ``<@U123>`` → ``@Dana`` (names from the
``user_profile`` objects in the file, else the id), ``<https://x|label>`` →
``label (https://x)``, ``<#C1|general>`` → ``#general``, ``<!here>`` →
``@here``, and ``&amp;``/``&lt;``/``&gt;`` are unescaped. ``blocks`` (the same
text as rich-text structure) are not copied; file and attachment names are.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime, timedelta, timezone
from typing import Any, Final

from ..exceptions import ParseError
from ..models import Conversation, Message, MessageKind, Role
from ._common import IdAllocator, build_conversation, default_id, make_message, source_ref
from ._input import NOT_JSON, JsonLines, ParserInput
from ._registry import register_parser

__all__ = ["SlackParser", "slack_to_text"]

FORMAT: Final = "slack"
CHANNEL: Final = "slack"

_SYSTEM_SUBTYPES: Final = frozenset(
    (
        "channel_join",
        "channel_leave",
        "channel_topic",
        "channel_purpose",
        "channel_name",
        "channel_archive",
        "channel_unarchive",
        "channel_convert_to_private",
        "group_join",
        "group_leave",
        "group_topic",
        "group_purpose",
        "group_name",
        "group_archive",
        "group_unarchive",
        "pinned_item",
        "unpinned_item",
        "tombstone",
        "reminder_add",
        "huddle_thread",
        "sh_room_created",
        "bot_add",
        "bot_remove",
    )
)
_TS = re.compile(r"^\d{1,11}(?:\.\d{1,9})?$")
_MARKUP = re.compile(r"<([^<>]*)>")
_CONSUMED_KEYS: Final = frozenset(
    ("type", "ts", "text", "blocks", "user_profile", "bot_profile", "files", "attachments", "username")
)
"""Keys read into message fields (or, for ``blocks``, repeating the text); every other key is metadata."""
_SNIFF_ITEMS: Final = 20


def _label_of(inner: str, names: dict[str, str]) -> str:
    target, _, label = inner.partition("|")
    if target.startswith("@"):
        return f"@{label or names.get(target[1:], target[1:])}"
    if target.startswith("#"):
        return f"#{label or target[1:]}"
    if target.startswith("!"):
        command = target[1:]
        if label:
            return label
        if command.startswith("subteam^"):
            return f"@{command.split('^', 1)[1]}"
        return f"@{command.split('^', 1)[0]}"
    if label and label != target.removeprefix("mailto:"):
        return f"{label} ({target})"
    return target.removeprefix("mailto:")


def slack_to_text(text: str, names: dict[str, str] | None = None) -> str:
    """Slack ``mrkdwn`` with ``<...>`` references → plain text (see the module docstring)."""
    known = names or {}
    converted = _MARKUP.sub(lambda m: _label_of(m.group(1), known), text)
    return converted.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def _is_slack_message(item: Any) -> bool:
    return (
        isinstance(item, dict)
        and item.get("type") == "message"
        and isinstance(item.get("ts"), str)
        and _TS.match(item["ts"]) is not None
    )


def _profile_name(profile: Any) -> str | None:
    if not isinstance(profile, dict):
        return None
    for key in ("display_name", "real_name", "name"):
        value = profile.get(key)
        if isinstance(value, str) and value:
            return value
    return None


def _file_names(value: Any) -> list[str]:
    names: list[str] = []
    if isinstance(value, list):
        for item in value:
            if isinstance(item, dict):
                name = item.get("name") or item.get("title") or item.get("id")
                names.append(name if isinstance(name, str) else "file")
    return names


def _attachment_text(value: Any) -> str:
    texts: list[str] = []
    if isinstance(value, list):
        for item in value:
            if isinstance(item, dict):
                for key in ("pretext", "title", "text", "fallback"):
                    found = item.get(key)
                    if isinstance(found, str) and found:
                        texts.append(found)
                        if key in ("text", "fallback"):
                            break
    return "\n".join(dict.fromkeys(texts))


class SlackParser:
    """Slack export channel JSON (a list of ``{"type": "message", "ts": ...}`` objects).

    Args:
        agent_users: Slack user ids of the support side; every other human is a customer.
        customer_users: Slack user ids of customers; every other human is an agent.
            Without either, the first human poster is the customer.
    """

    def __init__(self, *, agent_users: Iterable[str] = (), customer_users: Iterable[str] = ()) -> None:
        self.agent_users = frozenset(agent_users)
        self.customer_users = frozenset(customer_users)

    def sniff(self, data: ParserInput) -> bool:
        value = data.try_json()
        if value is NOT_JSON or isinstance(value, JsonLines) or not isinstance(value, list) or not value:
            return False
        return all(_is_slack_message(item) for item in value[:_SNIFF_ITEMS])

    def parse(self, data: ParserInput, *, id: str | None, file: str | None) -> Conversation:
        value = data.json(FORMAT)
        if isinstance(value, JsonLines) or not isinstance(value, list):
            raise ParseError("expected a list of Slack message objects", format=FORMAT, location=data.prefix)
        if not value:
            raise ParseError("input is empty", format=FORMAT, location=data.prefix)
        stamps: list[tuple[float, str]] = []
        names: dict[str, str] = {}
        for index, item in enumerate(value):
            pointer = data.where(f"[{index}]")
            if not isinstance(item, dict):
                raise ParseError(
                    f"a message must be an object, got {type(item).__name__}", format=FORMAT, location=pointer
                )
            ts = item.get("ts")
            if not isinstance(ts, str) or _TS.match(ts) is None:
                raise ParseError(
                    "ts must be a Slack timestamp string", format=FORMAT, location=f"{pointer}.ts"
                )
            stamps.append((float(ts), ts))
            user = item.get("user")
            name = _profile_name(item.get("user_profile"))
            if isinstance(user, str) and name is not None:
                names.setdefault(user, name)
        order = self._order(value, stamps)
        customer = self._customer(value, order)
        ids = IdAllocator()
        messages = [
            self._message(value[index], index, position, names, customer, ids, data, file)
            for position, index in enumerate(order, start=1)
        ]
        return build_conversation(messages, id=id or default_id(None, data), metadata={}, format=FORMAT)

    @staticmethod
    def _order(items: list[Any], stamps: list[tuple[float, str]]) -> list[int]:
        """Indexes in timeline order: top-level by ``ts``, each thread's replies after their parent."""
        parents: dict[str, int] = {}
        replies: dict[str, list[int]] = {}
        top: list[int] = []
        for index, item in enumerate(items):
            ts = stamps[index][1]
            thread = item.get("thread_ts")
            if isinstance(thread, str) and thread != ts:
                replies.setdefault(thread, []).append(index)
            else:
                top.append(index)
                parents.setdefault(ts, index)
        orphans = [i for thread, group in replies.items() if thread not in parents for i in group]
        by_time = sorted([*top, *orphans], key=lambda i: (stamps[i][0], i))
        ordered: list[int] = []
        for index in by_time:
            ordered.append(index)
            if parents.get(stamps[index][1]) == index:
                group = replies.get(stamps[index][1], [])
                ordered.extend(sorted(group, key=lambda i: (stamps[i][0], i)))
        return ordered

    def _role(self, item: dict[str, Any], customer: str | None) -> tuple[Role, MessageKind]:
        subtype = item.get("subtype")
        if isinstance(subtype, str) and subtype in _SYSTEM_SUBTYPES:
            return "system", "event"
        if subtype == "bot_message" or item.get("bot_id"):
            return "bot", "message"
        user = item.get("user") if isinstance(item.get("user"), str) else None
        if self.agent_users:
            return ("agent" if user in self.agent_users else "customer"), "message"
        if self.customer_users:
            return ("customer" if user in self.customer_users else "agent"), "message"
        return ("customer" if user == customer else "agent"), "message"

    def _customer(self, items: list[Any], order: list[int]) -> str | None:
        for index in order:
            item = items[index]
            if self._role(item, None)[0] in ("system", "bot"):
                continue
            user = item.get("user")
            if isinstance(user, str):
                return user
        return None

    def _message(
        self,
        item: dict[str, Any],
        index: int,
        position: int,
        names: dict[str, str],
        customer: str | None,
        ids: IdAllocator,
        data: ParserInput,
        file: str | None,
    ) -> Message:
        pointer = data.where(f"[{index}]")
        raw = item.get("text", "")
        if raw is None:
            raw = ""
        if not isinstance(raw, str):
            raise ParseError(
                f"text must be a string, got {type(raw).__name__}", format=FORMAT, location=f"{pointer}.text"
            )
        ts: str = item["ts"]
        role, kind = self._role(item, customer)
        metadata: dict[str, Any] = {"ts": ts}
        for key, value in item.items():
            if key not in _CONSUMED_KEYS:
                metadata[key] = value
        files = _file_names(item.get("files"))
        if files:
            metadata["files"] = files
        text = slack_to_text(raw, names)
        extra = _attachment_text(item.get("attachments"))
        if extra:
            metadata["attachments"] = extra
            if not text.strip():
                text = slack_to_text(extra, names)
        author = self._author(item, names)
        message_id, original = ids.take(None, position)
        if original is not None:
            metadata["original_id"] = original
        fields: dict[str, Any] = {
            "role": role,
            "text": text.strip(),
            "channel": CHANNEL,
            "metadata": metadata,
        }
        if kind != "message":
            fields["kind"] = kind
        if author is not None:
            fields["author"] = author
        seconds, _, fraction = ts.partition(".")
        fields["timestamp"] = datetime.fromtimestamp(int(seconds), tz=timezone.utc) + timedelta(
            microseconds=int(fraction[:6].ljust(6, "0"))
        )
        return make_message(
            FORMAT, pointer, id=message_id, source=source_ref(FORMAT, file, pointer), **fields
        )

    @staticmethod
    def _author(item: dict[str, Any], names: dict[str, str]) -> str | None:
        username = item.get("username")
        if isinstance(username, str) and username:
            return username
        name = _profile_name(item.get("user_profile")) or _profile_name(item.get("bot_profile"))
        if name is not None:
            return name
        user = item.get("user")
        if isinstance(user, str) and user:
            return names.get(user, user)
        bot = item.get("bot_id")
        return bot if isinstance(bot, str) and bot else None


register_parser(
    FORMAT,
    description="Slack export channel JSON (messages with ts, thread_ts, bot messages, joins)",
    extensions=(".json",),
    priority=30,
)(SlackParser())
