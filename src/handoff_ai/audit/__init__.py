"""Stage 7, the handoff audit: where context was lost in conversations a team already has.

:func:`audit` reads past conversations (streamed) and finds re-asks (a bot or agent
asking for a fact the customer had given — ``reasks``), customers repeating
themselves (``repeats``), and ownership changes with the wait and the customer's
mood around each one, warm or cold (``transfers``); :class:`AuditReport` keeps the
rates and the worst conversations, and renders an offline HTML report (``html``).
:func:`score_note` checks a handoff note a person or a bot wrote against the
handoff checklist and lists the facts the next person would have to ask for.

Built on the rules engine's outputs (facts with evidence, its question reading and
cue lists) and the conversation contract. May import models, parsers, rules,
taxonomy. Never imports: apps, llm, backends.
"""

from __future__ import annotations

from .models import ConversationAudit, Reask, Repeat, Transfer
from .report import AuditReport, AuditSummary
from .run import audit, audit_conversation, audit_into, iter_audit
from .score import NotePart, NoteScore, score_note

__all__ = [
    "AuditReport",
    "AuditSummary",
    "ConversationAudit",
    "NotePart",
    "NoteScore",
    "Reask",
    "Repeat",
    "Transfer",
    "audit",
    "audit_conversation",
    "audit_into",
    "iter_audit",
    "score_note",
]
