"""Who owns the conversation: the signals of a hand-off, read for ``read_signals``.

Split from :mod:`handoff_ai.rules.signals` because these rules form one concept, the
conversation changing hands: a logged event that reassigns it (``_ownership_change``), the
key words that decide whether an agent's or a bot's message is scanned for transfer cues at
all (``key_words_by_role``), a customer asking for a human or a manager
(``customer_request``), and which of two hand-offs the next owner should read
(``supersedes``). ``signals`` walks the timeline and applies them.
"""

from __future__ import annotations

import re
from functools import lru_cache

from ..models import Handoff, Message
from ..models.record import HandoffType
from .blocker_text import PhraseGate, phrase_gate
from .languages import profile_words
from .phrases import CueReader, PhraseIndex, scan_longest
from .ruleset import RuleSet
from .sentences import sentence_at

__all__ = [
    "customer_request", "gates_by_role", "key_words", "key_words_by_role", "ownership_change", "supersedes",
]  # fmt: skip

_OWNERSHIP = re.compile(
    r"\b(?:(?:un|re-?)?assign(?:ed|ment|s)?|transferred|handed (?:over|off)|escalated|routed"
    r"|hand(?:off|over|[-_ ]off|[-_]over)(?:_to_\w+)?)\b",
    re.IGNORECASE,
)


def _may_change_owner(text: str) -> bool:
    """Whether ``_OWNERSHIP`` may match: in ASCII text, every match holds (case ignored) "assign",
    "hand", "transferred", "escalated" or "routed" as a substring of the lower-cased text (five
    substring tests: a quarter of a trie regex's time on a logged event's line)."""
    if not text.isascii():
        return True
    low = text.lower()
    return "assign" in low or "hand" in low or "transferred" in low or "escalated" in low or "routed" in low


_OWNERSHIP_KEYS = ("assignee", "assignee_id", "assigned_to", "assignee_name", "new_assignee")
_EVENT_TYPE_KEYS = ("part_type", "event_type", "event", "type", "action", "subtype")


_SCANNED = {"agent": frozenset({"transfer", "shift_handover"}), "bot": frozenset({"transfer", "bot_failure"})}
"""The cue lists read in an agent's and in a bot's message."""


@lru_cache(maxsize=8)
def key_words_by_role(index: PhraseIndex) -> dict[str, frozenset[str]]:
    """``_key_words`` of what each role's messages are scanned for."""
    return {role: _key_words(index, wanted) for role, wanted in _SCANNED.items()}


@lru_cache(maxsize=8)
def gates_by_role(index: PhraseIndex) -> dict[str, PhraseGate]:
    """The :class:`.blocker_text.PhraseGate` of what each role's messages are scanned for: after
    ``key_words_by_role``'s one key word, a second of the same phrase. One agent reply in thirteen
    holds a key word ("level", "change", "going", "team"), one in four hundred a second: the
    others would each be scanned for every cue list, for labels no stage reads."""
    return {role: phrase_gate(index, tuple(sorted(wanted))) for role, wanted in _SCANNED.items()}


@lru_cache(maxsize=16)
def key_words(index: PhraseIndex, wanted: frozenset[str]) -> frozenset[str]:
    """``_key_words`` of the ``wanted`` lists, built once per index (for a reader of a few lists)."""
    return _key_words(index, wanted)


def _key_words(index: PhraseIndex, wanted: frozenset[str]) -> frozenset[str]:
    """One word of each phrase of the ``wanted`` lists: its longest that is no frequent word
    of a language (a language profile's word), as the rarest.

    A message whose words hold none of these matches none of those phrases: most agent
    messages, whose cue labels no other stage reads, so they are never scanned for every list.
    """
    common = profile_words()
    found: set[str] = set()
    for head, (labels, pairs) in index._heads.items():
        if wanted.intersection(labels):
            found.add(head)
        for second, group in pairs.items():
            for rest, label in group:
                if label in wanted:
                    found.add(max((head, second, *rest), key=lambda word: (word not in common, len(word))))
    return frozenset(found)


def ownership_change(message: Message) -> str | None:
    """A history description when a logged event says the conversation changed owner."""
    meta = message.metadata
    if meta and meta.get("channel_switch"):
        return None
    text = message.text
    match = _OWNERSHIP.search(text) if _may_change_owner(text) else None
    if match is not None:
        return "Ownership changed: " + sentence_at(message.text, match.start())
    if not meta:  # most logged events carry no metadata
        return None
    typed = any(
        isinstance(meta.get(k), str) and ("assign" in meta[k].lower() or "transfer" in meta[k].lower())
        for k in _EVENT_TYPE_KEYS
    )
    if typed or any(meta.get(k) not in (None, "") for k in _OWNERSHIP_KEYS):
        return "Ownership changed (assignment event)"
    return None


def supersedes(current: Handoff, kind: HandoffType, human_spoke: bool) -> bool:
    """A move by a human agent, once one has answered, replaces a bot's earlier hand-off.

    The note is read by whoever takes over *now*: a bot that passed the chat to a first-line
    agent who then escalates to Tier 2 (or hands over at the end of a shift) is that later
    move. The customer's own request and an escalation already on record stay.
    """
    if not human_spoke or current.trigger in ("customer_request", "escalation_request"):
        return False
    if current.type == "ai_to_human":
        return kind in ("tier_escalation", "agent_to_agent")
    return current.type == "agent_to_agent" and kind == "tier_escalation"


def customer_request(text: str, cues: CueReader, rules: RuleSet) -> str | None:
    """``customer_request``, ``escalation_request`` or ``None`` for one customer message.

    The handoff lists are read leftmost-longest, so a longer phrase that means
    something else wins where it overlaps a request ("sales representative",
    "office manager", "don't transfer me", "the human agent yesterday…"). A
    ``handoff_alone`` word ("AGENT!!!", "representative please") counts only
    when every other word of the message is one of ``handoff_alone_with``.
    """
    labels = cues.labels(text)
    if not ("handoff_request" in labels or "escalation_request" in labels or "handoff_alone" in labels):
        return None
    words = cues.words(text)
    found = {label for _, label in scan_longest(rules.handoff, words)}
    if "escalation_request" in found:
        return "escalation_request"
    if "handoff_request" in found:
        return "customer_request"
    if "handoff_alone" in found and "not_handoff" not in found:
        allowed = rules.handoff_alone_with
        alone = sum(1 for word in words if word not in allowed)
        if alone <= 2 and len(words) <= 8:  # "agent", "live agent", "human being", "AGENT PLEASE NOW"
            return "customer_request"
    return None
