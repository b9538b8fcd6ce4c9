"""The contract every stage shares: the conversation read in (``conversation``), the
handoff record given out (``record``) and the model's answer before grounding (``llm``).

Depends on no stage: models import only :mod:`handoff_ai.exceptions`. The record's
render shortcuts reach the renderers through hooks they install, not imports.
"""

from __future__ import annotations

from .conversation import Conversation, Message, MessageKind, Participant, Role, SourceRef
from .record import (
    SCHEMA_VERSION,
    Action,
    Blocker,
    Commitment,
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
    "Commitment",
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
