"""Conversation-level signals: frustration, urgency, repeat contact, handoff.

All cues come from the rule data (``rules.toml``) except the ones computed
from the shape of the text: shouting in capitals, runs of ``!!!``/``???``, and
the customer sending the same message again.

Conversation-level signals read the timeline itself: an ownership change (a
helpdesk event saying assigned/transferred/reassigned) is a ``transfer``; a
customer who waited for a reply (timestamps only, never invented) gets a
``waiting`` history event from ``WAIT_HISTORY_MINUTES`` and an urgency reason
from ``WAIT_URGENT_MINUTES``; and the same customer in several inputs of
:func:`handoff_ai.merge` is a repeat contact. The rules of a hand-off itself (ownership
events, transfer key words, a customer asking for a human) are in :mod:`.handoff_cues`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..models import Conversation, Handoff, HistoryEvent, Message, Sentiment, Signal, Urgency
from ..models.record import HandoffType
from .handoff_cues import customer_request, gates_by_role, key_words_by_role, ownership_change, supersedes
from .phrases import CueReader
from .ruleset import RuleSet, load_rules
from .sentences import sentence_at
from .urgency import (
    WAIT_HISTORY_MINUTES,
    WAIT_URGENT_MINUTES,
    Impact,
    Wait,
    impact_text,
    note_impact,
    urgency_of,
    waits,
)

__all__ = [
    "AGENT_UI_CHANNELS", "WAIT_HISTORY_MINUTES", "WAIT_URGENT_MINUTES", "Signals", "Wait", "customer_request",
    "read_signals", "waits",
]  # fmt: skip


AGENT_UI_CHANNELS = frozenset(
    {"web", "api", "agent_ui", "agent_workspace", "workspace", "internal", "note", "rule", "system",
     "trigger", "automation", "macro", "side_conversation", "zendesk", "freshdesk", "helpscout", "intercom"}
)  # fmt: skip
"""Where a helpdesk logs an agent's reply (its own web UI, its API, a rule): not a channel the customer
moved to, so an agent or system message there never makes a ``channel_switch``."""

_CAPS_WORD = re.compile(r"\b[A-Z]{3,}\b")
_ASCII_CAPITALS = bytes(range(ord("A"), ord("Z") + 1))
_ASCII_SMALL = bytes(range(ord("a"), ord("z") + 1))
_PUNCT_RUN = re.compile(r"[!?]{3,}")
_CUSTOMER_LABELS = frozenset(
    {"handoff_request", "escalation_request", "handoff_alone", "as_i_said", "threat_to_leave", "negative",
     "repeat_contact", "positive", "urgent", "urgent_soft", "impact", "impact_high", "deadline",
     "deadline_soft", "deadline_day"}
)  # fmt: skip
"""The cue lists :func:`read_signals` reads in a customer's line."""
_ASKS_OR_NEEDS = re.compile(
    r"\?|\b(?:need|needs|want|would like|['’]d like|please|pls|plz|help|fix|must|insist|demand|have to|"
    r"has to|asap|required|(?:can|could|would|will) (?:you|i|we|someone|somebody|anyone))\b",
    re.IGNORECASE,
)


def _asks_now(text: str, cues: CueReader, label: str = "urgent_soft") -> bool:
    """Whether the sentence with an ``urgent_soft`` (or ``label``) cue asks or needs something: "I
    need it right now", "can you do it immediately?", "can it arrive today?" — not "I'm in the
    store right now", "your rep immediately said no" or "I bought it today"."""
    position = cues.find(label, text)
    return position is not None and _ASKS_OR_NEEDS.search(sentence_at(text, position, 10_000)) is not None


def _resent(message: Message) -> bool:
    """The merge collapsed a copy of this message that its author sent again in the same turn."""
    found = message.metadata.get("duplicates")
    return isinstance(found, list) and any(isinstance(d, dict) and d.get("reason") == "resent" for d in found)


def _merged_contact(conversation: Conversation) -> HistoryEvent | None:
    """The same customer in several inputs of a merge: an earlier contact on another channel."""
    firsts: dict[tuple[object, object], Message] = {}
    for message in conversation.messages:
        source = message.metadata.get("merge_input")
        if message.role == "customer" and message.kind == "message" and source is not None:
            firsts.setdefault((message.metadata.get("merge_person"), source), message)
    people: dict[object, list[Message]] = {}
    for (person, _), message in firsts.items():
        people.setdefault(person, []).append(message)
    several = next((found for found in people.values() if len(found) > 1), None)
    if several is None:
        return None
    channels = ", ".join(dict.fromkeys(m.channel or str(m.metadata["merge_input"]) for m in several))
    return HistoryEvent(
        kind="earlier_contact",
        description=f"Same customer in {len(several)} merged conversations ({channels})",
        evidence=[m.id for m in several[1:6]],
    )


def _shouting(text: str) -> bool:
    """Two or more all-caps words, and most letters upper case."""
    # Two such words hold six ASCII capitals, bytes that UTF-8 uses for nothing else: counting
    # them (one C pass) rules out most messages for a fifth of the regex's time.
    encoded = text.encode("utf-8", "surrogatepass")
    capitals = len(encoded) - len(encoded.translate(None, _ASCII_CAPITALS))
    if capitals < 6:
        return False
    if text.isascii():  # letters are A-Z and a-z: "most letters upper case" by two byte counts
        small = len(encoded) - len(encoded.translate(None, _ASCII_SMALL))
        if capitals <= 0.5 * (capitals + small):
            return False
    if not _CAPS_WORD.search(text) or len(_CAPS_WORD.findall(text)) < 2:
        return False
    return sum(c.isupper() for c in text) > 0.5 * sum(c.isalpha() for c in text)


@dataclass
class Signals:
    sentiment: Sentiment
    urgency: Urgency
    history: list[HistoryEvent]
    handoff: Handoff
    customer_impact: str | None
    impact_evidence: list[str] = field(default_factory=list)


def _add(signals: dict[str, Signal], kind: str, message_id: str, rule: str) -> None:
    signal = signals.get(kind)
    if signal is None:
        signals[kind] = Signal(kind=kind, evidence=[message_id], rule=rule)
    elif message_id not in signal.evidence and len(signal.evidence) < 5:
        signal.evidence.append(message_id)


def read_signals(
    conversation: Conversation, cues: CueReader, intent_label: str, rules: RuleSet | None = None
) -> Signals:
    """Sentiment, urgency, history events, handoff and impact for ``conversation``."""
    rules = rules if rules is not None else load_rules()
    found: dict[str, Signal] = {}
    history: list[HistoryEvent] = []
    seen_texts: dict[str, str] = {}
    positives = 0
    urgent_ids: list[str] = []
    deadline_ids: list[str] = []
    impacts: list[Impact] = []
    repeat_ids: list[str] = []
    handoff = Handoff()
    messages = conversation.messages
    has_bot: bool | None = None  # any bot message: looked up when a hand-off needs it (rarely)
    previous_channel: str | None = None
    previous_role: str | None = None
    human_spoke = False  # an agent wrote before: an assignment is then between people
    last_agent: str | None = None  # who last answered as an agent (a new name is a new owner)
    key_words = key_words_by_role(cues._index)
    gates = gates_by_role(cues._index)
    words_of, labels_of = cues.words, cues.labels  # memoized per text: bound lookups, no method calls
    timed = merged_inputs = False  # any timestamp, any customer message from a merge input

    # Each field is read once into a local, from the model's ``__dict__``: a pydantic model's
    # attribute read goes through its ``__getattr__`` hook, a dict's item read does not.
    for message in messages:
        fields = message.__dict__
        role = fields["role"]
        kind = fields["kind"]
        text = fields["text"]
        channel = fields["channel"]
        timed = timed or fields["timestamp"] is not None
        if channel:
            if role != "customer" and channel.lower() in AGENT_UI_CHANNELS:
                channel = None  # an agent replying in the helpdesk's own UI did not move the conversation
            elif previous_channel and channel != previous_channel:
                history.append(
                    HistoryEvent(
                        kind="channel_switch",
                        description=f"Moved from {previous_channel} to {channel}",
                        evidence=[message.id],
                    )
                )
                if handoff.type is None:
                    handoff = Handoff(type="channel_switch", trigger="channel_switch", evidence=[message.id])
            previous_channel = channel or previous_channel
        if role == "system" or kind == "event":
            change = ownership_change(message)
            if change is not None:
                history.append(HistoryEvent(kind="transfer", description=change, evidence=[message.id]))
                if handoff.type in (None, "channel_switch"):
                    if has_bot is None:
                        has_bot = any(m.role == "bot" for m in messages)
                    move: HandoffType = (
                        "ai_to_human" if role == "bot" or (has_bot and not human_spoke)
                        else "tier_escalation" if cues.has("tier_transfer", text)
                        else "agent_to_agent"
                    )  # fmt: skip
                    handoff = Handoff(type=move, trigger="reassignment", evidence=[message.id])

        if role == "customer":
            if kind != "message":
                continue
            previous_role = role
        else:
            if (role == "agent" and kind in ("message", "note")) or (role == "bot" and kind == "message"):
                # Most messages hold no key word of a phrase read here, nearly all the rest no second
                # one: nothing to find in them (and no cue scan, whose other labels no stage reads).
                words = words_of(text)
                if not key_words[role].isdisjoint(words) and gates[role].may_hold(words):
                    transfer = cues.find("transfer", text)
                    shift = cues.find("shift_handover", text) if role == "agent" else None
                    if transfer is not None or shift is not None:
                        tier = cues.has("tier_transfer", text)
                        move = (
                            "ai_to_human" if role == "bot"
                            else "tier_escalation" if tier and transfer is not None
                            else "agent_to_agent"
                        )  # fmt: skip
                        shifted = shift is not None and move == "agent_to_agent"
                        trigger = "shift_change" if shifted else f"{role}_transfer"
                        at = transfer if transfer is not None else shift
                        history.append(
                            HistoryEvent(
                                kind="transfer",
                                description=sentence_at(text, at if at is not None else 0),
                                evidence=[message.id],
                            )
                        )
                        if handoff.trigger in (None, "channel_switch") or supersedes(
                            handoff, move, human_spoke
                        ):
                            handoff = Handoff(type=move, trigger=trigger, evidence=[message.id])
                        elif message.id not in handoff.evidence:
                            handoff.evidence.append(message.id)
                    elif role == "bot" and cues.has("bot_failure", text):
                        _add(found, "bot_failure", message.id, "cue.bot_failure")
                if role == "agent" and kind == "message":
                    author = fields["author"]
                    if author:
                        if (
                            author != last_agent
                            and last_agent is not None
                            and previous_role != "bot"
                            and handoff.type in (None, "ai_to_human", "channel_switch")
                        ):  # a second person answers for the company: the ticket changed hands
                            history.append(
                                HistoryEvent(
                                    kind="transfer",
                                    description=f"Another agent took over ({author})",
                                    evidence=[message.id],
                                )
                            )
                            handoff = Handoff(
                                type="agent_to_agent", trigger="new_agent", evidence=[message.id]
                            )
                        last_agent = author
                    if previous_role == "bot":
                        history.append(
                            HistoryEvent(
                                kind="transfer",
                                description="A human agent joined after the bot",
                                evidence=[message.id],
                            )
                        )
            if kind == "message":
                previous_role = role
                human_spoke = human_spoke or role == "agent"
            continue

        labels = labels_of(text)
        meta = fields["metadata"]
        # Only a line with a cue list read here is looked at for each (most have none, or only
        # "problem"/"resolved", which other stages read).
        cued = bool(labels) and not _CUSTOMER_LABELS.isdisjoint(labels)
        if cued:
            request = (
                customer_request(text, cues, rules)
                if "handoff_request" in labels or "escalation_request" in labels or "handoff_alone" in labels
                else None
            )
            if request == "customer_request":
                _add(found, "handoff_request", message.id, "cue.handoff_request")
                if handoff.trigger not in ("customer_request", "escalation_request"):
                    if has_bot is None:
                        has_bot = any(m.role == "bot" for m in messages)
                    handoff = Handoff(
                        type="ai_to_human" if has_bot and not human_spoke else "agent_to_agent",
                        trigger="customer_request",
                        evidence=[message.id],
                    )
                    history.append(
                        HistoryEvent(
                            kind="handoff_request",
                            description="Customer asked for a human",
                            evidence=[message.id],
                        )
                    )
            elif request == "escalation_request":
                _add(found, "escalation_request", message.id, "cue.escalation_request")
                handoff = Handoff(type="tier_escalation", trigger="escalation_request", evidence=[message.id])
            if "as_i_said" in labels:
                _add(found, "as_i_said", message.id, "cue.as_i_said")
            if "threat_to_leave" in labels:
                _add(found, "threat_to_leave", message.id, "cue.threat_to_leave")
            if "negative" in labels:
                _add(found, "negative_words", message.id, "cue.negative")
        # :func:`_shouting`'s first test inline: six ASCII capitals (most lines have fewer)
        encoded = text.encode("utf-8", "surrogatepass")
        if len(encoded) - len(encoded.translate(None, _ASCII_CAPITALS)) >= 6 and _shouting(text):
            _add(found, "all_caps", message.id, "shape.all_caps")
        if ("!!" in text or "??" in text or "?!" in text or "!?" in text) and _PUNCT_RUN.search(text):
            _add(found, "punctuation", message.id, "shape.punctuation")
        norm = " ".join(words_of(text))
        if len(norm) >= 12 and not (meta and meta.get("media")):  # two "<Multimedia omitido>" are no repeat
            if norm in seen_texts:
                _add(found, "repeat", message.id, "shape.repeat")
            else:
                seen_texts[norm] = message.id
        if meta:
            if _resent(message):
                _add(found, "repeat", message.id, "merge.resent")
            merged_inputs = merged_inputs or meta.get("merge_input") is not None
        if not cued:
            continue
        position = cues.find("repeat_contact", text) if "repeat_contact" in labels else None
        if position is not None:
            repeat_ids.append(message.id)
            history.append(
                HistoryEvent(
                    kind="earlier_contact",
                    description=sentence_at(text, position),
                    evidence=[message.id],
                )
            )
        if "positive" in labels:
            positives += 1
        urgent = "urgent" in labels or ("urgent_soft" in labels and _asks_now(text, cues))
        if urgent:
            urgent_ids.append(message.id)
        impact_found = "impact" in labels or "impact_high" in labels
        if (
            "deadline" in labels
            or ("deadline_soft" in labels and (impact_found or urgent))
            or (
                "deadline_day" in labels and (impact_found or urgent or _asks_now(text, cues, "deadline_day"))
            )
        ):
            deadline_ids.append(message.id)
            if impact_found:  # a deadline beside an impact is part of it ("payroll runs Friday")
                said = next(name for name in ("deadline", "deadline_day", "deadline_soft") if name in labels)
                note_impact(impacts, text, message.id, cues, said, False)
        if impact_found and len(impacts) < 3:
            high = "impact_high" in labels
            note_impact(impacts, text, message.id, cues, "impact_high" if high else "impact", high)

    merged = _merged_contact(conversation) if merged_inputs else None
    if merged is not None:
        history.append(merged)
        repeat_ids.extend(merged.evidence)
    longest: Wait | None = None
    for wait in waits(messages) if timed else ():
        if longest is None or wait.minutes > longest.minutes:
            longest = wait
        if wait.minutes >= WAIT_HISTORY_MINUTES:
            description = (
                f"Customer waited {wait.minutes} minutes for a reply"
                if wait.end
                else f"Customer has waited {wait.minutes} minutes without a reply"
            )
            evidence = [wait.start, wait.end] if wait.end else [wait.start]
            history.append(HistoryEvent(kind="waiting", description=description, evidence=evidence))
    if merged is not None or longest is not None:  # keep history in timeline order
        order = {message.id: index for index, message in enumerate(conversation.messages)}
        history.sort(key=lambda event: order.get(event.evidence[0], 0) if event.evidence else 0)

    signals = list(found.values())
    frustration = [s for s in signals if s.kind not in ("handoff_request", "bot_failure")]
    label = "negative" if frustration else ("positive" if positives else "neutral")
    sentiment = Sentiment(label=label, frustration_signals=signals, repeat_contact=bool(repeat_ids))

    urgency = urgency_of(
        found, urgent_ids, deadline_ids, repeat_ids, intent_label, frustration, wait=longest, impacts=impacts
    )
    return Signals(
        sentiment=sentiment,
        urgency=urgency,
        history=history,
        handoff=handoff,
        customer_impact=impact_text(impacts),
        impact_evidence=list(dict.fromkeys(m for _, m, _ in impacts[:2])),
    )
