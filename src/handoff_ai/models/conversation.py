"""The normalized conversation every parser produces and every backend reads.

A ``Conversation`` is an ordered list of ``Message`` objects. Parsers keep the
input's order and count: nothing is dropped, and a message without an id gets a
stable one (``m1``, ``m2``, ... by position) so evidence can point at it.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

__all__ = ["Conversation", "Message", "MessageKind", "Participant", "Role", "SourceRef"]

Role = Literal["customer", "bot", "agent", "system"]
"""Who wrote a message. ``system`` covers logged events (tool calls, button clicks)."""

MessageKind = Literal["message", "event", "note"]
"""``message`` is said to the customer or by them; ``event`` is a logged action;
``note`` is internal (an agent's private note)."""


class SourceRef(BaseModel):
    """Where a message came from, so a human can find the original."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    format: str | None = None
    """The parser that read it (``json``, ``text``, ``openai``, ...)."""
    file: str | None = None
    """Path of the file it was read from, when it came from a file."""
    pointer: str | None = None
    """Where in that input: ``line 12`` or ``messages[3]``."""


class Message(BaseModel):
    """One turn of a conversation.

    Timestamps are timezone-aware. A naive timestamp is taken to be UTC — the
    stated rule for exports that omit the zone — and converted on validation.
    """

    model_config = ConfigDict(extra="forbid")

    id: str
    role: Role
    text: str = ""
    timestamp: datetime | None = None
    channel: str | None = None
    author: str | None = None
    kind: MessageKind = "message"
    metadata: dict[str, Any] = Field(default_factory=dict)
    source: SourceRef | None = None

    @field_validator("timestamp")
    @classmethod
    def _aware(cls, value: datetime | None) -> datetime | None:
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value


class Participant(BaseModel):
    """Someone who wrote in the conversation."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    role: Role


class Conversation(BaseModel):
    """An ordered, id-addressable list of messages.

    ``channels`` and ``participants`` are derived from the messages when not
    given. Message ids must be unique: evidence in a record points at them.
    """

    model_config = ConfigDict(extra="forbid")

    id: str = "conversation"
    messages: list[Message] = Field(default_factory=list)
    channels: list[str] = Field(default_factory=list)
    participants: list[Participant] = Field(default_factory=list)
    metadata: dict[str, Any] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _check_and_derive(self) -> Conversation:
        messages = self.messages
        if len({m.id for m in messages}) != len(messages):  # rare: find the first repeat
            seen: set[str] = set()
            for index, message in enumerate(messages):
                if message.id in seen:
                    raise ValueError(f"duplicate message id {message.id!r} at messages[{index}]")
                seen.add(message.id)
        if not self.channels:
            self.channels = list(dict.fromkeys(m.channel for m in self.messages if m.channel))
        if not self.participants:
            found = dict.fromkeys((m.author, m.role) for m in self.messages if m.author)
            self.participants = [Participant(name=name, role=role) for name, role in found if name]
        return self

    def __len__(self) -> int:
        return len(self.messages)

    def get(self, message_id: str) -> Message | None:
        """The message with this id, or ``None``."""
        for message in self.messages:
            if message.id == message_id:
                return message
        return None

    @property
    def ids(self) -> list[str]:
        """Message ids in order."""
        return [m.id for m in self.messages]
