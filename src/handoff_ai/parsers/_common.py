"""Pieces every parser shares: role names, timestamps, message ids, text parts.

They live in one place so that ``"Visitor"`` means the customer, ``1714559531``
means the same instant and a missing id becomes the same ``m3`` whichever
format the conversation arrived in. Errors here are ``_FieldError`` (a message
without a location); each parser re-raises it as a ``ParseError`` that says
where in its input the bad value was.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from datetime import datetime, timezone
from pathlib import PurePath
from typing import Any

from pydantic import ValidationError

from ..exceptions import ParseError
from ..models import Conversation, Message, MessageKind, Role
from ._input import ParserInput

__all__ = [
    "ROLE_ALIASES",
    "FieldError",
    "IdAllocator",
    "build_conversation",
    "default_id",
    "make_message",
    "normalize_role",
    "parse_timestamp",
    "source_ref",
    "text_from_parts",
]


class FieldError(Exception):
    """A bad value; the caller knows where it was and turns this into a ``ParseError``."""


_CUSTOMER: tuple[Role, MessageKind] = ("customer", "message")
_BOT: tuple[Role, MessageKind] = ("bot", "message")
_AGENT: tuple[Role, MessageKind] = ("agent", "message")
_EVENT: tuple[Role, MessageKind] = ("system", "event")
_NOTE: tuple[Role, MessageKind] = ("agent", "note")

ROLE_ALIASES: dict[str, tuple[Role, MessageKind]] = {
    **dict.fromkeys(
        ("customer", "user", "client", "visitor", "human", "end_user", "enduser", "contact", "guest"),
        _CUSTOMER,
    ),
    **dict.fromkeys(("bot", "assistant", "ai", "virtual_agent", "chatbot", "automation"), _BOT),
    **dict.fromkeys(
        ("agent", "human_agent", "operator", "support", "staff", "admin", "representative", "rep"),
        _AGENT,
    ),
    **dict.fromkeys(("system", "action", "event", "tool", "log"), _EVENT),
    **dict.fromkeys(("note", "internal", "internal_note"), _NOTE),
}
"""Lower-case role names (spaces and dashes as ``_``) → (role, kind)."""


def normalize_role(value: str) -> tuple[Role, MessageKind] | None:
    """The (role, kind) a speaker label stands for, or ``None`` if unknown."""
    found = ROLE_ALIASES.get(value)
    if found is not None:
        return found
    key = value.strip().lower().replace("-", "_").replace(" ", "_")
    return ROLE_ALIASES.get(key)


_UTC = timezone.utc


def _from_epoch(number: float) -> datetime:
    if math.isnan(number) or math.isinf(number):
        raise FieldError("timestamp is not a finite number")
    magnitude = abs(number)
    if magnitude >= 1e17:
        number /= 1e9  # nanoseconds
    elif magnitude >= 1e14:
        number /= 1e6  # microseconds
    elif magnitude >= 1e11:
        number /= 1e3  # milliseconds
    try:
        return datetime.fromtimestamp(number, tz=_UTC)
    except (OverflowError, OSError, ValueError):
        raise FieldError("timestamp is out of range") from None


def parse_timestamp(value: Any) -> datetime | None:
    """A datetime from ISO-8601 text or epoch seconds/milliseconds; ``None`` stays ``None``.

    Naive results are returned naive; the ``Message`` model takes them as UTC.

    Raises:
        FieldError: the value is not a timestamp.
    """
    if value is None:
        return None
    if isinstance(value, datetime):
        return value
    if isinstance(value, bool):
        raise FieldError("timestamp must be text or a number, got a boolean")
    if isinstance(value, (int, float)):
        return _from_epoch(float(value))
    if not isinstance(value, str):
        raise FieldError(f"timestamp must be text or a number, got {type(value).__name__}")
    text = value.strip()
    if not text:
        return None
    if text[0].isdecimal() and text.replace(".", "", 1).isdecimal():  # "¹" is a digit, not decimal
        return _from_epoch(float(text))
    if text[-1] in "Zz":
        text = text[:-1] + "+00:00"
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        raise FieldError("timestamp is not ISO-8601 or epoch time") from None


def text_from_parts(parts: list[Any]) -> tuple[str, list[str]]:
    """Join a list of content parts (``[{"type": "text", "text": ...}]``) into text.

    Returns:
        The text parts joined by newlines, and the types of the non-text parts
        (``image_url``, ...) so they can be noted in metadata.

    Raises:
        FieldError: a part is neither text nor a dict.
    """
    texts: list[str] = []
    other: list[str] = []
    for index, part in enumerate(parts):
        if isinstance(part, str):
            texts.append(part)
        elif isinstance(part, dict):
            text = part.get("text")
            if isinstance(text, dict):  # Assistants API: {"text": {"value": ...}}
                text = text.get("value")
            if isinstance(text, str):
                texts.append(text)
            else:
                kind = part.get("type")
                other.append(kind if isinstance(kind, str) else "unknown")
        else:
            raise FieldError(f"content part [{index}] must be text or an object, got {type(part).__name__}")
    return "\n".join(texts), other


class IdAllocator:
    """Unique message ids: given ids are kept, missing ones become ``m<position>``.

    A repeated id is never dropped: the later message gets ``<id>#2``, ``#3``...
    and its original id goes into ``metadata["original_id"]``.
    """

    __slots__ = ("_seen",)

    def __init__(self) -> None:
        self._seen: set[str] = set()

    def take(self, given: str | None, position: int) -> tuple[str, str | None]:
        """The id for the message at 1-based ``position``, and the original id if renamed."""
        wanted = given if given else f"m{position}"
        if wanted not in self._seen:
            self._seen.add(wanted)
            return wanted, None
        suffix = 2
        while f"{wanted}#{suffix}" in self._seen:
            suffix += 1
        unique = f"{wanted}#{suffix}"
        self._seen.add(unique)
        return unique, wanted


def source_ref(format: str, file: str | None, pointer: str) -> dict[str, str | None]:
    """A message's ``source``, as the fields ``make_message`` validates into a ``SourceRef``.

    Validated with its message in one ``Message(...)`` call (pydantic-core, in Rust): faster than
    building the ``SourceRef`` first, either validated or by ``model_construct``.
    """
    return {"format": format, "file": file, "pointer": pointer}


def _first_error(exc: ValidationError) -> tuple[str, str]:
    """(dotted location, error type) of a validation error's first problem — never its input value."""
    errors = exc.errors(include_url=False, include_input=False)
    if not errors:
        return "", "error"
    return ".".join(str(p) for p in errors[0]["loc"]), errors[0]["type"]


def make_message(format: str, location: str, **fields: Any) -> Message:
    """A validated ``Message``; a validation error becomes a ``ParseError`` at ``location``.

    Callers pass only the fields they set: validating fewer arguments is
    measurably faster on big inputs.
    """
    try:
        return Message(**fields)
    except ValidationError as exc:
        field, problem = _first_error(exc)
        raise ParseError(
            f"invalid message field {field or '?'} ({problem})", format=format, location=location
        ) from None


def default_id(found: Any, data: ParserInput) -> str:
    """The conversation id: the input's own, else ``data.fallback_id``, the file's stem, ``conversation``."""
    if isinstance(found, str) and found:
        return found
    if isinstance(found, int) and not isinstance(found, bool):
        return str(found)
    if data.fallback_id:
        return data.fallback_id
    if data.file:
        return PurePath(data.file).stem or "conversation"
    return "conversation"


def build_conversation(
    messages: Iterable[Message],
    *,
    id: str,
    metadata: dict[str, Any] | None = None,
    format: str,
) -> Conversation:
    """Assemble the conversation, turning a (should-not-happen) validation error into a ParseError."""
    try:
        return Conversation(id=id, messages=list(messages), metadata=metadata or {})
    except ValidationError as exc:
        where, problem = _first_error(exc)
        raise ParseError(f"invalid conversation ({problem})", format=format, location=where or None) from None
