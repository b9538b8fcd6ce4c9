"""How soon a human should act, and what is at stake: urgency, impact and waits.

Urgency is a level with its reasons, each citing what the customer said: a
stated deadline ("payroll runs Friday", "need it for work tomorrow") or an
impact on many people, money, work or health ("50 users blocked") raises it
to ``high`` and the reason quotes the sentence. A day name alone is no
deadline: ``deadline_soft`` words count only beside an impact or an urgent
cue, ``deadline_day`` ones ("today") also in a sentence that asks or needs
something. Waits come from timestamps only, never from the clock.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from ..models import Message, Signal, Urgency
from ..models.record import UrgencyLevel
from .phrases import CueReader
from .sentences import sentence_at

__all__ = [
    "WAIT_HISTORY_MINUTES", "WAIT_URGENT_MINUTES", "Impact", "Wait", "impact_text", "note_impact",
    "urgency_of", "waits",
]  # fmt: skip

WAIT_HISTORY_MINUTES = 15
"""A wait this long (or longer) for a reply is a ``waiting`` history event."""
WAIT_URGENT_MINUTES = 60
"""A wait this long (or longer) raises urgency to at least ``high``."""

_URGENT_INTENTS = frozenset({"fraud_security"})
_LOW_INTENTS = frozenset({"product_question", "privacy_legal"})

Impact = tuple[str, str, bool]
"""(sentence, message id, raises urgency)."""


@dataclass(frozen=True)
class Wait:
    """A customer waiting for a reply: from ``start`` to ``end`` (``None``: still unanswered)."""

    minutes: int
    start: str
    end: str | None


def waits(messages: Iterable[Message]) -> list[Wait]:
    """Each wait from the customer's first unanswered message to the next bot/agent reply.

    Only timestamps say how long: a message without one neither starts nor ends
    a wait. A wait still open at the end runs to the latest timestamp in the
    conversation (never to the clock: the same input gives the same record).
    """
    found: list[Wait] = []
    start: Message | None = None
    latest = None
    for message in messages:
        if message.timestamp is not None and (latest is None or message.timestamp > latest):
            latest = message.timestamp
        if message.kind != "message":
            continue
        if message.role == "customer":
            if start is None and message.timestamp is not None:
                start = message
        elif message.role in ("bot", "agent"):
            if start is not None and start.timestamp is not None and message.timestamp is not None:
                seconds = (message.timestamp - start.timestamp).total_seconds()
                if seconds >= 0:
                    found.append(Wait(int(seconds // 60), start.id, message.id))
            start = None
    if start is not None and start.timestamp is not None and latest is not None:
        minutes = int((latest - start.timestamp).total_seconds() // 60)
        if minutes > 0:
            found.append(Wait(minutes, start.id, None))
    return found


def note_impact(
    impacts: list[Impact], text: str, message_id: str, cues: CueReader, label: str, high: bool
) -> None:
    """Add the sentence where ``label`` is found, once (a sentence seen before only upgrades ``high``)."""
    position = cues.find(label, text)
    if position is None:
        return
    sentence = sentence_at(text, position)
    for index, (seen, seen_id, was_high) in enumerate(impacts):
        if seen == sentence:
            impacts[index] = (seen, seen_id, was_high or high)
            return
    impacts.append((sentence, message_id, high))


def impact_text(impacts: Iterable[Impact]) -> str | None:
    """The first two impact sentences as one text, or ``None``."""
    found = [_sentence_end(sentence) for sentence, _, _ in list(impacts)[:2]]
    return " ".join(found) if found else None


def _sentence_end(sentence: str) -> str:
    return sentence if sentence.endswith((".", "!", "?", "…")) else sentence + "."


def urgency_of(
    found: dict[str, Signal],
    urgent_ids: list[str],
    deadline_ids: list[str],
    repeat_ids: list[str],
    intent_label: str,
    frustration: list[Signal],
    *,
    wait: Wait | None = None,
    impacts: list[Impact] | None = None,
) -> Urgency:
    reasons: list[str] = []
    evidence: list[str] = []
    level: UrgencyLevel = "normal"
    if urgent_ids:
        level = "urgent"
        reasons.append("customer says it is urgent")
        evidence += urgent_ids[:3]
    if intent_label in _URGENT_INTENTS:
        level = "urgent" if level == "urgent" else "high"
        reasons.append("possible fraud or security issue")
    if "threat_to_leave" in found:
        level = "urgent" if level == "urgent" else "high"
        reasons.append("customer threatens to leave or take action")
        evidence += found["threat_to_leave"].evidence[:2]
    high_impact = [(sentence, message_id) for sentence, message_id, high in impacts or () if high]
    if high_impact:
        level = level if level in ("urgent", "high") else "high"
        reasons.append(f"customer impact: {_quote(high_impact[0][0])}")
        evidence += [message_id for _, message_id in high_impact[:2]]
    if deadline_ids:
        level = level if level in ("urgent", "high") else "high"
        said = next((s for s, m, _ in impacts or () if m == deadline_ids[0]), None)
        quoted = said is not None and not (high_impact and high_impact[0][0] == said)
        reasons.append(f"time-bound request: {_quote(said)}" if quoted and said else "time-bound request")
        evidence += deadline_ids[:2]
    if repeat_ids:
        level = level if level in ("urgent", "high") else "high"
        reasons.append("repeat contact")
        evidence += repeat_ids[:2]
    if wait is not None and wait.minutes >= WAIT_URGENT_MINUTES:
        level = level if level in ("urgent", "high") else "high"
        reasons.append(f"waiting {wait.minutes} minutes" if wait.end is None else
                       f"waited {wait.minutes} minutes for a reply")  # fmt: skip
        evidence.append(wait.start)
    if len(frustration) >= 2 and level == "normal":
        level = "high"
        reasons.append("customer is frustrated")
        evidence += [s.evidence[0] for s in frustration[:2]]
    if level == "normal" and intent_label in _LOW_INTENTS and not frustration:
        level = "low"
        reasons.append("information request")
    return Urgency(level=level, reasons=reasons, evidence=list(dict.fromkeys(evidence)))


def _quote(sentence: str, limit: int = 80) -> str:
    """A reason's excerpt: the sentence, cut at a word boundary."""
    if len(sentence) <= limit:
        return sentence.rstrip(".")
    cut = sentence.rfind(" ", 0, limit)
    return sentence[: cut if cut > 0 else limit].rstrip(" ,;:") + "…"
