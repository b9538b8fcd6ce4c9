"""Generic JSON / JSON Lines messages: the format most exports and home-grown bots use.

There is no standard, so this parser accepts the spellings seen in practice
(``role``/``speaker``/``sender``..., ``text``/``content``/``body``...) rather than
one schema, and refuses only what it cannot read: a message without a
recognizable role, a value of the wrong type, a bad timestamp — each reported
with where it is (``turns[3].speaker``, ``line 12``). Keys it does not know are
kept in ``metadata`` (per message and per conversation) rather than dropped, so
dataset labels such as ABCD's ``gold`` survive the trip.
"""

from __future__ import annotations

from typing import Any, Final, NamedTuple

from ..exceptions import ParseError
from ..models import Conversation, Message, MessageKind, Role
from ._common import (
    FieldError,
    IdAllocator,
    build_conversation,
    default_id,
    make_message,
    normalize_role,
    parse_timestamp,
    source_ref,
    text_from_parts,
)
from ._input import NOT_JSON, JsonLines, ParserInput
from ._registry import register_parser

__all__ = ["JsonParser", "find_messages", "is_conversation"]

FORMAT: Final = "json"

ROLE_KEYS: Final = ("role", "speaker", "sender", "author", "from", "type", "participant")
TEXT_KEYS: Final = ("text", "content", "body", "message", "utterance")
TIME_KEYS: Final = ("timestamp", "time", "created_at", "date", "ts")
ID_KEYS: Final = ("id", "message_id", "msg_id")
NAME_KEYS: Final = ("name", "author_name", "sender_name", "display_name")
WRAPPER_KEYS: Final = ("messages", "turns", "conversation", "dialogue", "transcript")
CONVERSATION_ID_KEYS: Final = ("id", "conversation_id")

_ROLE, _TEXT, _TIME, _ID, _NAME, _CHANNEL, _KIND = range(7)
_KEY_CLASS: dict[str, tuple[int, int]] = {
    **{k: (_ROLE, r) for r, k in enumerate(ROLE_KEYS)},
    **{k: (_TEXT, r) for r, k in enumerate(TEXT_KEYS)},
    **{k: (_TIME, r) for r, k in enumerate(TIME_KEYS)},
    **{k: (_ID, r) for r, k in enumerate(ID_KEYS)},
    **{k: (_NAME, r) for r, k in enumerate(NAME_KEYS)},
    "channel": (_CHANNEL, 0),
    "kind": (_KIND, 0),
}
_KINDS: Final = frozenset(("message", "event", "note"))
_PERSON_KEYS: Final = frozenset(("author", "sender", "from", "participant"))
_MAX_DEPTH: Final = 3


def find_messages(value: Any, _depth: int = 0) -> tuple[list[Any], str, list[dict[str, Any]]] | None:
    """Locate the message list in a decoded JSON value.

    Returns:
        ``(messages, path, containers)``: the list, its path (``turns``,
        ``conversation.messages``, or ``""`` for a bare list) and the dicts
        wrapping it (outermost first), whose other keys are conversation metadata.
        ``None`` when there is no message list.
    """
    if isinstance(value, list):
        return value, "", []
    if not isinstance(value, dict) or _depth >= _MAX_DEPTH:
        return None
    for key in WRAPPER_KEYS:
        inner = value.get(key)
        if isinstance(inner, list):
            return inner, key, [value]
        if isinstance(inner, dict):
            found = find_messages(inner, _depth + 1)
            if found is not None and found[1]:
                messages, path, containers = found
                return messages, f"{key}.{path}", [value, *containers]
    return None


def is_message(value: Any) -> bool:
    """Whether ``value`` is a dict with a role or text key (one message, not a conversation)."""
    return isinstance(value, dict) and any(
        _KEY_CLASS.get(k, (-1, 0))[0] in (_ROLE, _TEXT) for k in value if isinstance(k, str)
    )


def is_conversation(value: Any) -> bool:
    """Whether ``value`` is a dict wrapping a list of messages (``{"turns": [...]}``)."""
    return isinstance(value, dict) and find_messages(value) is not None


def _field(pointer: str, key: str) -> str:
    return f"{pointer}.{key}" if pointer.endswith(("]", "$")) else f"{pointer}, {key}"


def _resolve_role(value: Any) -> tuple[Role, MessageKind, str | None] | None:
    """(role, kind, author name) for a role value: a label or a nested ``{"type": ..., "name": ...}``."""
    if isinstance(value, str):
        found = normalize_role(value)
        return None if found is None else (found[0], found[1], None)
    if isinstance(value, dict):
        name = next((value[k] for k in NAME_KEYS if isinstance(value.get(k), str)), None)
        for key in ROLE_KEYS:
            inner = value.get(key)
            if isinstance(inner, str):
                found = normalize_role(inner)
                if found is not None:
                    return found[0], found[1], name
    return None


def _text(value: Any, pointer: str, key: str, metadata: dict[str, Any]) -> str:
    if isinstance(value, str):
        return value
    if value is None:
        return ""
    where = _field(pointer, key)
    if isinstance(value, list):
        try:
            text, other = text_from_parts(value)
        except FieldError as exc:
            raise ParseError(str(exc), format=FORMAT, location=where) from None
        if other:
            metadata["attachments"] = other
        return text
    if isinstance(value, dict):
        for key in ("text", "value", "body", "content"):
            inner = value.get(key)
            if isinstance(inner, str):
                return inner
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)  # exports with type inference turn a typed "14224" into 14224
    raise ParseError(
        f"message text must be a string, got {type(value).__name__}", format=FORMAT, location=where
    )


class _Plan(NamedTuple):
    """How one key layout is read: the chosen key per field (``None``: absent), role keys by rank."""

    role_keys: tuple[str, ...]
    text: str | None
    time: str | None
    id: str | None
    name: str | None
    channel: str | None
    kind: str | None
    others: tuple[Any, ...]  # metadata keys, in the order they are set aside


_PLANS: dict[tuple[Any, ...], _Plan] = {}
_PLANS_LIMIT: Final = 512


def _plan(keys: tuple[Any, ...]) -> _Plan:
    """How a message's keys are read: the chosen key per field, role keys by rank, the rest.

    Exports repeat one key layout on every message, so the plan is made once per layout.
    """
    found = _PLANS.get(keys)
    if found is not None:
        return found
    chosen: dict[int, tuple[int, str]] = {}
    role_keys: list[tuple[int, str]] = []
    others: list[Any] = []
    for key in keys:
        cls = _KEY_CLASS.get(key)
        if cls is None and isinstance(key, str):
            cls = _KEY_CLASS.get(key.lower())
        if cls is None:
            others.append(key)
            continue
        kind_of, rank = cls
        if kind_of == _ROLE:
            role_keys.append((rank, key))
            continue
        previous = chosen.get(kind_of)
        if previous is None or rank < previous[0]:
            if previous is not None:
                others.append(previous[1])
            chosen[kind_of] = (rank, key)
        else:
            others.append(key)
    role_keys.sort()
    key_of = {kind_of: key for kind_of, (_, key) in chosen.items()}
    if len(_PLANS) >= _PLANS_LIMIT:
        _PLANS.clear()
    found = _PLANS[keys] = _Plan(
        tuple(key for _, key in role_keys),
        key_of.get(_TEXT),
        key_of.get(_TIME),
        key_of.get(_ID),
        key_of.get(_NAME),
        key_of.get(_CHANNEL),
        key_of.get(_KIND),
        tuple(others),
    )
    return found


def parse_message(
    item: Any,
    position: int,
    pointer: str,
    ids: IdAllocator,
    file: str | None,
    channel: str | None = None,
    format: str = FORMAT,
) -> Message:
    """One generic JSON message dict → ``Message`` (``position`` is 1-based)."""
    if not isinstance(item, dict):
        raise ParseError(
            f"a message must be an object, got {type(item).__name__}", format=format, location=pointer
        )
    plan = _plan(tuple(item))
    metadata: dict[str, Any] = {key: item[key] for key in plan.others} if plan.others else {}

    # role: the highest-ranked role key whose value names a role
    resolved: tuple[Role, MessageKind, str | None] | None = None
    author: str | None = None
    for key in plan.role_keys:
        value = item[key]
        if resolved is None:
            resolved = _resolve_role(value)
            if resolved is not None:
                continue
        if author is None and key in _PERSON_KEYS and isinstance(value, str) and value:
            author = value
        else:
            metadata[key] = value
    if resolved is None:
        if not plan.role_keys:
            raise ParseError(
                f"message has no role (expected one of: {', '.join(ROLE_KEYS)})",
                format=format,
                location=pointer,
            )
        key = plan.role_keys[0]
        value = item[key]
        if value is None:
            problem = f"{key} is null"
        elif isinstance(value, (str, dict)):
            problem = f"unknown {key} (expected a role such as customer, bot, agent or system)"
        else:
            problem = f"{key} must be a string, got {type(value).__name__}"
        raise ParseError(problem, format=format, location=_field(pointer, key))
    role, kind, nested_name = resolved
    if nested_name is not None:
        author = nested_name

    text = ""
    slot: str | None = plan.text
    if slot is not None:
        text = item[slot]
        if not isinstance(text, str):
            text = _text(text, pointer, slot, metadata)

    timestamp = None
    slot = plan.time
    if slot is not None:
        try:
            timestamp = parse_timestamp(item[slot])
        except FieldError as exc:
            raise ParseError(str(exc), format=format, location=_field(pointer, slot)) from None

    given: str | None = None
    slot = plan.id
    if slot is not None:
        value = item[slot]
        if isinstance(value, str):
            given = value
        elif isinstance(value, int) and not isinstance(value, bool):
            given = str(value)
        elif value is not None:
            raise ParseError(
                f"message id must be a string or integer, got {type(value).__name__}",
                format=format,
                location=_field(pointer, slot),
            )
    message_id, original = ids.take(given, position)
    if original is not None:
        metadata["original_id"] = original

    slot = plan.name
    if slot is not None:
        value = item[slot]
        if isinstance(value, str) and value:
            author = value
        else:
            metadata[slot] = value
    slot = plan.channel
    if slot is not None:
        value = item[slot]
        if isinstance(value, str) and value:
            channel = value
        else:
            metadata[slot] = value
    slot = plan.kind
    if slot is not None:
        value = item[slot]
        if value in _KINDS:
            kind = value
        else:
            metadata[slot] = value

    fields: dict[str, Any] = {"id": message_id, "role": role, "text": text}
    if kind != "message":
        fields["kind"] = kind
    if timestamp is not None:
        fields["timestamp"] = timestamp
    if channel is not None:
        fields["channel"] = channel
    if author is not None:
        fields["author"] = author
    if metadata:
        fields["metadata"] = metadata
    return make_message(format, pointer, source=source_ref(format, file, pointer), **fields)


class JsonParser:
    """Generic JSON: a list of message objects, a wrapper object, or JSON Lines."""

    def sniff(self, data: ParserInput) -> bool:
        value = data.try_json()
        if value is NOT_JSON:
            return data.json_syntax_error  # claim broken JSON so the user sees where it breaks
        if isinstance(value, list):
            return not value or is_message(value[0]) or is_conversation(value[0])
        if isinstance(value, dict):
            return not value or is_conversation(value) or is_message(value)
        return False

    def parse(self, data: ParserInput, *, id: str | None, file: str | None) -> Conversation:
        value = data.json(FORMAT)
        if isinstance(value, JsonLines):
            if value and is_conversation(value[0]):
                raise ParseError(
                    f"input holds {len(value)} conversations, one per line; use load_many()",
                    format=FORMAT,
                    location=data.where(f"line {value.lines[1]}"),
                )
            pointers = [data.where(f"line {n}") for n in value.lines]
            return self._build(value, pointers, [], data, id=id, file=file)
        if isinstance(value, list) and value and is_conversation(value[0]):
            if len(value) > 1:
                raise ParseError(
                    f"input holds {len(value)} conversations; use load_many()",
                    format=FORMAT,
                    location=data.where("[1]"),
                )
            value = value[0]
            data = ParserInput(
                value=value, file=data.file, prefix=data.where("[0]"), fallback_id=data.fallback_id
            )
        if isinstance(value, (list, dict)) and not value:
            raise ParseError("input is empty", format=FORMAT, location=data.prefix)
        found = find_messages(value)
        if found is None:
            if is_message(value):  # a single message object
                return self._build([value], [data.where("$")], [], data, id=id, file=file)
            raise ParseError(
                f"no list of messages found (expected a list, or an object with one of: "
                f"{', '.join(WRAPPER_KEYS)})",
                format=FORMAT,
                location=data.prefix,
            )
        messages, path, containers = found
        if not messages and not containers:
            raise ParseError("input is empty", format=FORMAT, location=data.prefix)
        pointers = [data.where(f"{path}[{i}]") for i in range(len(messages))]
        return self._build(messages, pointers, containers, data, id=id, file=file)

    @staticmethod
    def _build(
        items: list[Any],
        pointers: list[str],
        containers: list[dict[str, Any]],
        data: ParserInput,
        *,
        id: str | None,
        file: str | None,
    ) -> Conversation:
        metadata: dict[str, Any] = {}
        found_id: Any = None
        wrapper_keys = set(WRAPPER_KEYS)
        for container in reversed(containers):  # the outermost wins
            for key, value in container.items():
                if key in wrapper_keys and isinstance(value, (list, dict)):
                    continue
                metadata[key] = value
        for key in CONVERSATION_ID_KEYS:
            candidate = metadata.get(key)
            if (isinstance(candidate, str) and candidate) or (
                isinstance(candidate, int) and not isinstance(candidate, bool)
            ):
                found_id = metadata.pop(key)
                break
        channel = metadata.get("channel")
        if not isinstance(channel, str) or not channel:
            channel = None
        ids = IdAllocator()
        messages = [
            parse_message(item, index + 1, pointers[index], ids, file, channel)
            for index, item in enumerate(items)
        ]
        return build_conversation(
            messages, id=id or default_id(found_id, data), metadata=metadata, format=FORMAT
        )


register_parser(
    FORMAT,
    description="Generic JSON or JSON Lines messages (role/speaker + text/content), e.g. ABCD, STAR",
    extensions=(".json", ".jsonl", ".ndjson"),
    priority=10,
)(JsonParser())
