"""Data models: the conversation read in and the handoff record given out."""

from __future__ import annotations

from .conversation import Conversation, Message, MessageKind, Participant, Role, SourceRef
from .record import (
    SCHEMA_VERSION,
    Action,
    Blocker,
    Expertise,
    Fact,
    Handoff,
    HandoffRecord,
    HistoryEvent,
    Intent,
    Item,
    Provenance,
    Sentiment,
    Signal,
    TokenUsage,
    Truncation,
    Urgency,
)

__all__ = [
    "SCHEMA_VERSION",
    "Action",
    "Blocker",
    "Conversation",
    "Expertise",
    "Fact",
    "Handoff",
    "HandoffRecord",
    "HistoryEvent",
    "Intent",
    "Item",
    "Message",
    "MessageKind",
    "Participant",
    "Provenance",
    "Role",
    "Sentiment",
    "Signal",
    "SourceRef",
    "TokenUsage",
    "Truncation",
    "Urgency",
]
