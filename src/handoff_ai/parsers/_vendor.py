"""Shared machinery of the vendor-API parsers (helpdesks, bot frameworks, messaging apps).

Those formats are JSON payloads of one vendor each, so their parsers need the
same few things: read a field of an expected type or fail with a ``ParseError``
that says where (never what the value was: it is personal data), turn an HTML
body into text, and assemble messages with the project's conventions. The
:class:`Timeline` does the assembling:

- **ids** are stable and positional (``m1``, ``m2`` … in timeline order); the
  vendor's own id stays in ``metadata`` under the vendor's key (``id``, ``sid``,
  ``mid``), so evidence ids look the same whatever the source;
- **order** is by timestamp, stable: ties keep input order, and a message
  without a timestamp stays right after the message before it in the input.
  Several APIs list newest first (Help Scout threads, Twilio messages, OpenAI
  thread messages), so this makes every conversation read oldest first;
- **nothing is silently dropped**: what a parser deliberately leaves out of the
  timeline (typing indicators, delivery receipts, Rasa's ``action_listen``) is
  counted in ``conversation.metadata["skipped"]`` by kind.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Container, Iterator
from datetime import datetime, timezone
from typing import Any, Final, NoReturn

from ..exceptions import ParseError
from ..models import Conversation, MessageKind, Role
from ._common import FieldError, build_conversation, make_message, parse_timestamp, source_ref
from ._html import html_to_text
from ._input import NOT_JSON, JsonLines, ParserInput

__all__ = [
    "Timeline",
    "as_dict",
    "as_list",
    "attachment_names",
    "fail",
    "html_text",
    "ident",
    "item_list",
    "json_value",
    "objects",
    "opt_dict",
    "opt_list",
    "opt_str",
    "rest",
    "sample",
    "sniff_items",
    "sniff_value",
    "stamp",
    "wrapped_list",
]

_UTC: Final = timezone.utc
_SNIFF_ITEMS: Final = 20


def fail(format: str, message: str, location: str | None) -> NoReturn:
    """Raise a ``ParseError`` for ``format`` at ``location``."""
    raise ParseError(message, format=format, location=location or None)


def json_value(data: ParserInput, format: str) -> Any:
    """The decoded JSON input; JSON Lines is not a vendor payload."""
    value = data.json(format)
    if isinstance(value, JsonLines):
        fail(format, "expected one JSON document, got JSON Lines", data.prefix)
    return value


def sniff_value(data: ParserInput) -> Any:
    """The decoded JSON input for a sniffer, or ``None`` (never raises)."""
    value = data.try_json()
    if value is NOT_JSON or isinstance(value, JsonLines):
        return None
    return value


def sample(items: list[Any]) -> list[Any]:
    """The first items of a list, which is what sniffers look at."""
    return items[:_SNIFF_ITEMS]


def sniff_items(items: Any, looks_right: Callable[[Any], bool]) -> bool:
    """Whether ``items`` is a non-empty list whose first items all look right: a sniffer's test."""
    return isinstance(items, list) and bool(items) and all(map(looks_right, sample(items)))


def _kind(value: Any) -> str:
    return "null" if value is None else type(value).__name__


def as_dict(value: Any, format: str, where: str, what: str = "an object") -> dict[str, Any]:
    """``value`` if it is a JSON object, else a ``ParseError`` at ``where``."""
    if not isinstance(value, dict):
        fail(format, f"expected {what}, got {_kind(value)}", where)
    return value


def as_list(value: Any, format: str, where: str, what: str = "a list") -> list[Any]:
    """``value`` if it is a JSON array, else a ``ParseError`` at ``where``."""
    if not isinstance(value, list):
        fail(format, f"expected {what}, got {_kind(value)}", where)
    return value


def opt_dict(item: dict[str, Any], key: str, format: str, at: str) -> dict[str, Any]:
    """``item[key]`` as an object (missing or null is ``{}``); ``at`` is where that value is."""
    value = item.get(key)
    if value is None:
        return {}
    return as_dict(value, format, at)


def opt_list(item: dict[str, Any], key: str, format: str, at: str) -> list[Any]:
    """``item[key]`` as a list (missing or null is ``[]``); ``at`` is where that value is."""
    value = item.get(key)
    if value is None:
        return []
    return as_list(value, format, at)


def opt_str(item: dict[str, Any], key: str, format: str, at: str) -> str | None:
    """``item[key]`` as text (missing or null is ``None``); ``at`` is where that value is."""
    value = item.get(key)
    if value is None or isinstance(value, str):
        return value
    fail(format, f"{key} must be a string, got {_kind(value)}", at)


def ident(value: Any) -> str | None:
    """A vendor id (string or integer) as text; anything else is ``None``."""
    if isinstance(value, str) and value:
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return None


def stamp(value: Any, format: str, where: str) -> datetime | None:
    """A timestamp (ISO-8601 text or epoch seconds/ms); null is ``None``."""
    try:
        return parse_timestamp(value)
    except FieldError as exc:
        raise ParseError(str(exc), format=format, location=where) from None


def html_text(value: str) -> str:
    """An HTML body as plain text; text without markup is only stripped."""
    if "<" in value or "&" in value:
        return html_to_text(value)
    return value.strip()


def rest(item: dict[str, Any], consumed: Container[str]) -> dict[str, Any]:
    """Every key of ``item`` not read into a message field: it goes to metadata."""
    return {key: value for key, value in item.items() if key not in consumed}


def attachment_names(attachments: list[Any], key: str = "name") -> list[str]:
    """The file name (under ``key``) of each attachment; ``"attachment"`` when it has none.

    Only names are kept: the content is the vendor's to serve, and a handoff needs
    to know a file was sent, not what is in it.
    """
    names: list[str] = []
    for attachment in attachments:
        name = attachment.get(key) if isinstance(attachment, dict) else None
        names.append(name if isinstance(name, str) and name else "attachment")
    return names


def item_list(data: ParserInput, format: str, value: Any, base: str, what: str = "a list") -> list[Any]:
    """``value`` as the list found at pointer ``base`` (``""``: the input itself), else a ``ParseError``."""
    return as_list(value, format, data.where(base) if base else data.prefix or "", what)


def wrapped_list(
    data: ParserInput, format: str, key: str, what: str
) -> tuple[list[Any], str, dict[str, Any]]:
    """The input as a list that APIs return either bare or as ``{key: [...], ...}`` (with paging, meta).

    Returns the list, its pointer (``""`` when bare) and the object's other keys,
    which the parsers keep as conversation metadata.
    """
    value = json_value(data, format)
    if isinstance(value, dict):
        return item_list(data, format, value.get(key), key, what), key, rest(value, {key})
    return item_list(data, format, value, "", what), "", {}


def objects(
    data: ParserInput, format: str, items: list[Any], base: str
) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """``(pointer, location, item)`` of each item of the list at ``base``; a non-object is a ``ParseError``.

    The pointer (``messages[3]``) is relative to the input, as ``Timeline.add`` wants
    it; the location is prefixed for error messages (see ``ParserInput.where``).
    """
    for index, raw in enumerate(items):
        pointer = f"{base}[{index}]"
        at = data.where(pointer)
        yield pointer, at, as_dict(raw, format, at)


class Timeline:
    """Collects messages of one conversation and builds it (see the module docstring)."""

    __slots__ = ("_entries", "_skipped", "data", "file", "format")

    def __init__(self, format: str, data: ParserInput, file: str | None) -> None:
        self.format = format
        self.data = data
        self.file = file
        self._entries: list[tuple[datetime | None, str, dict[str, Any]]] = []
        self._skipped: Counter[str] = Counter()

    def where(self, pointer: str) -> str:
        """``pointer`` inside this input (prefixed when the input is part of a batch)."""
        return self.data.where(pointer)

    def add(
        self,
        pointer: str,
        *,
        role: Role,
        text: str,
        kind: MessageKind = "message",
        timestamp: datetime | None = None,
        author: str | None = None,
        channel: str | None = None,
        metadata: dict[str, Any] | None = None,
    ) -> None:
        """Queue one message read at ``pointer`` (relative to this input)."""
        if timestamp is not None and timestamp.tzinfo is None:
            timestamp = timestamp.replace(tzinfo=_UTC)
        fields: dict[str, Any] = {"role": role, "text": text, "metadata": metadata or {}}
        if kind != "message":
            fields["kind"] = kind
        if timestamp is not None:
            fields["timestamp"] = timestamp
        if author:
            fields["author"] = author
        if channel:
            fields["channel"] = channel
        self._entries.append((timestamp, self.data.where(pointer), fields))

    def skip(self, what: str) -> None:
        """Count one input item deliberately left out of the timeline."""
        self._skipped[what] += 1

    def __len__(self) -> int:
        return len(self._entries)

    def _order(self) -> list[int]:
        keys: list[tuple[datetime, int]] = []
        last = datetime.min.replace(tzinfo=_UTC)
        for index, (timestamp, _, _) in enumerate(self._entries):
            if timestamp is not None:
                last = timestamp
            keys.append((last, index))
        return sorted(range(len(keys)), key=keys.__getitem__)

    def build(self, id: str, metadata: dict[str, Any] | None = None) -> Conversation:
        """The conversation, messages in timeline order with ids ``m1``, ``m2``…"""
        meta = dict(metadata or {})
        if self._skipped:
            meta["skipped"] = dict(sorted(self._skipped.items()))
        messages = []
        for position, index in enumerate(self._order(), start=1):
            _, pointer, fields = self._entries[index]
            messages.append(
                make_message(
                    self.format,
                    pointer,
                    id=f"m{position}",
                    source=source_ref(self.format, self.file, pointer),
                    **fields,
                )
            )
        return build_conversation(messages, id=id, metadata=meta, format=self.format)
