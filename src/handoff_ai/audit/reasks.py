"""Re-asks: a bot or agent asking for something the customer had already given.

The facts come from the rules engine (:func:`handoff_ai.rules.facts.extract_facts`,
each citing the customer messages that gave it) and the question reading is the
engine's own (``"Could I get your account number?"`` asks for ``account_id``), so
the audit and the handoff note agree on what was said. A question that quotes the
known value back is a confirmation, not a re-ask; a question for *another* value
of the kind ("a second order number?") is not one either. ``issue`` is the problem
itself asked again ("How can I help you today?") after the customer described it.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass, field

from ..models import Conversation, Fact
from ..rules.facts import ASK_PHRASES, GENERIC_KINDS, SECRET_KINDS, asked_kinds
from .cues import content_words, cues, normalize, sentences, tokens
from .models import Reask

__all__ = ["Ask", "find_reasks", "read_asks"]

_ASKING = re.compile(
    r"\?|\b(?:please|kindly|provide|share|send\s+(?:me|us)|enter|type|give\s+me|tell\s+me|may\s+i|can\s+i|"
    r"could\s+i|could\s+you|can\s+you|would\s+you|i\s+need|i'?ll\s+need|i\s+will\s+need|we\s+need|need\s+your|"
    r"let\s+me\s+have|what\s+is|what's|what\s+was|which)\b",
    re.IGNORECASE,
)
_ISSUE_ASKING = re.compile(
    r"\?|\b(?:please|tell\s+me|describe|could\s+you|can\s+you|let\s+me\s+know)\b", re.I
)
_STATED_VALUE = re.compile(r"\d{3}|@|\b(?:right|correct)\s*\?\s*$", re.IGNORECASE)
"""A sentence that states a value ("your address is 3405 Primrose Ave?") confirms, not asks."""
_STATEMENT = re.compile(r"\b(?:that|this|it)\s+(?:was|is)\b|\b(?:was|is)\s+your\b", re.IGNORECASE)
"""A clause telling, not asking: "That was your order ID, do you also have an account ID?"."""
_NOT_GIVEN = re.compile(
    r"\b(?:don'?t|do\s+not|doesn'?t)\s+(?:know|have|remember)|\bforgot|\bcan'?t\s+remember|\bunknown\b|\bno\s+idea\b",
    re.IGNORECASE,
)
"""A customer message saying they lack a value: a word taken from it is not a given value."""
_RECENT = 20
"""Values of a kind checked for a quote in a question (the most recent; bounds huge threads)."""
_WEAK = frozenset({"name", "day", "date", "time", "city", "place", "room_number", "membership"})
"""Kinds asked about things other than the customer too ("what time do you open?"): need "your"."""
_ID_WORDS = {
    "order_id": ("order", "purchase"),
    "account_id": ("account", "acct", "member", "customer"),
    "ticket_id": ("case", "ticket", "reference"),
    "tracking_number": ("tracking", "parcel", "package", "shipment"),
}
_COMPATIBLE = {
    "date_of_birth": {"date"},
    "place": {"city"},
    "city": {"place"},
    "day": {"date"},
    "date": {"day"},
}


@dataclass
class Ask:
    """What one bot/agent message asks for."""

    kinds: list[str] = field(default_factory=list)
    new_value: list[str] = field(default_factory=list)  # kinds asked as another value: never a re-ask
    renew: list[str] = field(default_factory=list)  # "the new address?": a re-ask if a new one was given
    issue: bool = False
    full_name: bool = False  # "your full/last name": a first name alone does not answer it


def read_asks(text: str, words: list[str] | None = None, labels: dict[str, int] | None = None) -> Ask:
    """The kinds of value ``text`` (a bot/agent turn) asks the customer for.

    ``words``/``labels``: its tokens and audit-cue labels, when the caller has them.
    """
    ask = Ask()
    index = cues().own
    if words is None:
        words = tokens(text)
    if labels is None:
        labels = index.scan(words)
    whole = asked_kinds(text, words)
    if not whole and "issue_ask" not in labels:
        return ask
    pieces = sentences(text)
    for sentence in pieces:
        single = len(pieces) == 1
        sentence_words = words if single else tokens(sentence)
        found = labels if single else index.scan(sentence_words)
        if "issue_ask" in found and "issue_ask_not" not in found and _ISSUE_ASKING.search(sentence):
            ask.issue = True
        kinds = whole if single else asked_kinds(sentence, sentence_words)
        if not kinds or "ask_not" in found or not _ASKING.search(sentence) or _STATED_VALUE.search(sentence):
            continue
        if "," in sentence and _STATEMENT.search(sentence):
            told: set[str] = set()
            kept: set[str] = set()
            for clause in sentence.split(","):
                clause_kinds = asked_kinds(clause + "?", tokens(clause))
                (told if _STATEMENT.search(clause) and "?" not in clause else kept).update(clause_kinds)
            kinds = [k for k in kinds if k not in told or k in kept]
        if "name" in kinds and any(w in sentence_words for w in ("full", "last", "surname")):
            ask.full_name = True
        kinds = [k for k in kinds if k not in _WEAK or _yours(k, sentence)]
        target = ask.new_value if "new_value" in found else ask.renew if "new_word" in found else ask.kinds
        target.extend(k for k in kinds if k not in target)
    return ask


_YOURS: dict[str, re.Pattern[str]] = {}


def _yours(kind: str, sentence: str) -> bool:
    """A weak kind asked about the customer: "your (full) name", not "the item name"."""
    pattern = _YOURS.get(kind)
    if pattern is None:
        phrases = "|".join(
            sorted((re.escape(p).replace(r"\ ", r"\s+") for p in ASK_PHRASES[kind]), key=len)[::-1]
        )
        pattern = _YOURS[kind] = re.compile(rf"\byour\s+(?:\w+\s+){{0,2}}(?:{phrases})\b", re.IGNORECASE)
    return pattern.search(sentence) is not None


def _fact_kinds(fact: Fact, given: int, prompts: Sequence[list[str]], words: list[str]) -> set[str]:
    """The kinds a fact can answer: its own, what the question before it asked, what its message names."""
    kinds = {fact.kind, *_COMPATIBLE.get(fact.kind, ())}
    if fact.kind == "username" and (fact.value or "").isdigit():
        kinds.discard("username")  # a bare number read as the answer to "username?" is some other id
    asked = prompts[given]
    if fact.kind in GENERIC_KINDS or fact.kind in ("date", "secret"):
        kinds.update(k for k in asked if k in _ID_WORDS or k in SECRET_KINDS or k == "date_of_birth")
    if fact.kind in GENERIC_KINDS:
        kinds.update(k for k, names in _ID_WORDS.items() if any(n in words for n in names))
    if fact.withheld:
        kinds.add("secret")
        kinds.update(k for k in asked if k in SECRET_KINDS)
    return kinds


def _quoted(values: list[str], text_norm: str, text_digits: str) -> bool:
    for value in values:
        norm = normalize(value)
        if norm and norm in text_norm:
            return True
        digits = "".join(c for c in value if c.isdigit())
        if len(digits) >= 5 and digits in text_digits:
            return True
    return False


def find_reasks(
    conversation: Conversation,
    facts: Sequence[Fact],
    asks: dict[int, Ask],
    owners: Sequence[str | None],
    issue_at: int | None,
) -> list[Reask]:
    """Every re-ask in ``conversation``.

    ``asks``: :func:`read_asks` of each bot/agent message by position; ``owners``: the
    owner at each position; ``issue_at``: position of the customer's first description
    of the problem (``None`` if they never described one).
    """
    messages = conversation.messages
    position = {m.id: i for i, m in enumerate(messages)}
    # What the last bot/agent turn before each message asked (consecutive turns add up).
    prompts: list[list[str]] = []
    current: list[str] = []
    fresh = True
    for i, message in enumerate(messages):
        if i in asks:
            current = [*current, *asks[i].kinds] if fresh is False else list(asks[i].kinds)
            fresh = False
        elif message.role == "customer":
            fresh = True
        prompts.append(current)
    by_kind: dict[str, list[tuple[Fact, int]]] = {}  # kind -> (fact, given position), in order
    for fact in facts:
        if fact.kind == "membership" and not (fact.rule or "").startswith("answer."):
            continue  # "how do I get a premium membership?" names a tier, not theirs
        if fact.value and not any(c.isdigit() or c == "@" for c in fact.value):
            first = min((position[e] for e in fact.evidence if e in position), default=None)
            if first is not None and _NOT_GIVEN.search(messages[first].text):
                continue  # "I don't know my username either"
        given = min((position[e] for e in fact.evidence if e in position), default=None)
        if given is None:
            continue
        for kind in _fact_kinds(fact, given, prompts, tokens(messages[given].text)):
            by_kind.setdefault(kind, []).append((fact, given))
    for listed in by_kind.values():
        listed.sort(key=lambda pair: pair[1])
    places = {kind: [g for _, g in listed] for kind, listed in by_kind.items()}
    found: list[Reask] = []
    own = cues().own
    issue_words: set[str] | None = None
    for i, ask in asks.items():
        message = messages[i]
        text_norm = ""
        for kind in [*ask.kinds, *ask.renew]:
            listed = by_kind.get(kind, [])
            before = bisect_left(places.get(kind, []), i)
            # the first one given, and the latest ones a quote could name
            given_facts = listed[:1] + listed[max(1, before - _RECENT) : before] if before else []
            if kind not in ask.kinds:  # asked as "new": only a value given as new is asked again
                given_facts = [
                    (f, g) for f, g in given_facts if "already_new" in own.scan(tokens(messages[g].text))
                ]
            if kind == "name" and ask.full_name:
                given_facts = [(f, g) for f, g in given_facts if f.value and len(f.value.split()) > 1]
            if not given_facts:
                continue
            if not text_norm:
                text_norm = normalize(message.text)
                text_digits = "".join(c for c in message.text if c.isdigit())
            if _quoted([f.value for f, _ in given_facts if f.value], text_norm, text_digits):
                continue  # a confirmation: the value is quoted back
            fact, given = min(given_facts, key=lambda pair: pair[1])
            found.append(
                Reask(
                    kind=kind,
                    asked=message.id,
                    given=messages[given].id,
                    after_transfer=owners[given] is not None and owners[i] != owners[given],
                )
            )
        if ask.issue and issue_at is not None and issue_at < i:
            if issue_words is None:
                issue_words = content_words(tokens(messages[issue_at].text))
            words = tokens(message.text)
            if "context" in own.scan(words) or content_words(words) & issue_words:
                continue  # the question builds on the problem it already knows
            found.append(
                Reask(
                    kind="issue",
                    asked=message.id,
                    given=messages[issue_at].id,
                    after_transfer=owners[issue_at] is not None and owners[i] != owners[issue_at],
                )
            )
    return found
