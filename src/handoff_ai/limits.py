"""Size limits on input, enforced when a conversation is loaded.

Hostile or broken exports must end in a typed error, never in a stalled process
or an unrelated exception. :func:`handoff_ai.load` checks every input against a
:class:`Limits`: the one passed as ``load(..., limits=...)``, else the module
default (:func:`default_limits`, replaceable with :func:`set_default_limits`, which
is what ``summarize`` and the CLI use).

A breach raises :class:`LimitExceededError` (a ``ParseError``) naming the limit,
the value found and where (``messages[3]``, ``line 12``) — never the text.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

from .exceptions import ParseError

__all__ = [
    "LimitExceededError",
    "Limits",
    "check_conversation",
    "check_depth",
    "default_limits",
    "set_default_limits",
]


@dataclass(frozen=True)
class Limits:
    """Upper bounds on one input. ``None`` switches a bound off.

    Attributes:
        max_bytes: size of one input read whole (file bytes; for ``str`` input, characters).
        max_messages: messages in one conversation.
        max_message_chars: characters in one message's text.
        max_json_depth: nesting of JSON objects/arrays in one input.
    """

    max_bytes: int | None = 50 * 1024 * 1024
    max_messages: int | None = 100_000
    max_message_chars: int | None = 1_000_000
    max_json_depth: int | None = 64


class LimitExceededError(ParseError):
    """An input exceeds one of the :class:`Limits`.

    Attributes:
        limit: the ``Limits`` field that was exceeded (``max_bytes``, ...).
        value: the size found (for depth: the first depth past the limit).
        maximum: the configured bound.
    """

    def __init__(self, limit: str, value: int, maximum: int, *, location: str | None = None) -> None:
        self.limit = limit
        self.value = value
        self.maximum = maximum
        super().__init__(f"input exceeds {limit}={maximum} ({value})", location=location)


_default = Limits()


def default_limits() -> Limits:
    """The limits ``load`` uses when none are passed."""
    return _default


def set_default_limits(limits: Limits) -> Limits:
    """Replace the process-wide default limits; returns the previous ones."""
    global _default
    previous, _default = _default, limits
    return previous


def check_size(size: int, limits: Limits, *, location: str | None = None) -> None:
    if limits.max_bytes is not None and size > limits.max_bytes:
        raise LimitExceededError("max_bytes", size, limits.max_bytes, location=location)


_CONTAINERS: Final = (dict, list, tuple)


def check_depth(value: Any, limits: Limits, *, location: str | None = None) -> None:
    """Raise when decoded JSON ``value`` nests deeper than ``max_json_depth`` (iterative, no recursion)."""
    maximum = limits.max_json_depth
    if maximum is None or not isinstance(value, _CONTAINERS):
        return
    # Level by level: each level's containers are one deeper than the last (no per-item tuples).
    # Only containers are kept for the next level, so most scalars are looked at once.
    level: list[Any] = [value]
    depth = 0
    while level:
        depth += 1
        if depth > maximum:
            raise LimitExceededError("max_json_depth", depth, maximum, location=location)
        deeper: list[Any] = []
        for container in level:
            for item in container.values() if isinstance(container, dict) else container:
                if isinstance(item, _CONTAINERS):
                    deeper.append(item)
        level = deeper


def check_conversation(messages: Any, limits: Limits, *, location: str | None = None) -> None:
    """Raise when a parsed conversation has too many messages or a too-long message."""
    count = len(messages)
    if limits.max_messages is not None and count > limits.max_messages:
        raise LimitExceededError("max_messages", count, limits.max_messages, location=location)
    if limits.max_message_chars is not None:
        for index, message in enumerate(messages):
            if len(message.text) > limits.max_message_chars:
                where = f"{location}, messages[{index}]" if location else f"messages[{index}]"
                raise LimitExceededError("max_message_chars", len(message.text), limits.max_message_chars,
                                         location=where)  # fmt: skip
