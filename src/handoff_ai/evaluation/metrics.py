"""Scoring handoff records against gold labels: pure functions, no I/O.

A record is scored together with the conversation it was built from, because
grounding (does a fact appear in the message it cites?) can only be checked
against the text. The metrics, all pooled over every conversation (micro
averages):

- **intent accuracy**: ``record.intent.label == gold.intent``, over
  conversations whose gold has an intent.
- **facts recall**: share of gold values matched by some record fact with a
  value (``match_value``). Kind-agnostic: a gold ``customer_name`` found as a
  record ``name`` counts. Also broken down by gold kind.
- **hallucinated facts**: facts that cite nothing, cite an id that is not in the
  conversation, or whose value occurs in none of the cited messages. Withheld
  secrets (value ``None``) only need a valid citation.
- **action-turn citation**: share of gold action turns (logged system events)
  cited by some ``actions_taken`` item.
- **secret leaks**: records in which a gold secret occurs in free text (fact
  values, summary, descriptions, ...). Evidence ids, rule names and enum-like
  schema fields are not searched. Secrets shorter than ``MIN_SECRET_LENGTH``
  and secrets contained in one of the conversation's gold facts (a surname that
  is also a security answer: the record must keep the fact) are skipped and
  counted.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, NamedTuple

from pydantic import BaseModel, Field

from ..models import Conversation, HandoffRecord

__all__ = [
    "MAX_CONTAINING_LENGTH",
    "MIN_SECRET_LENGTH",
    "EvalResult",
    "FactMiss",
    "Gold",
    "GoldFact",
    "Hallucination",
    "Pair",
    "SecretLeak",
    "evaluate",
    "find_on_word_boundaries",
    "match_value",
    "normalize",
    "occurs_in",
]

MAX_CONTAINING_LENGTH = 40
"""A gold value may match *inside* a record value at most this long ("Sarah" in "Sarah Brown")."""

MIN_SECRET_LENGTH = 3
"""Shorter secrets are not searched for leaks (a 2-digit code matches everywhere)."""

_STRIP = "".join(chr(c) for c in range(33, 127) if not chr(c).isalnum()) + "“”‘’«»„‚‹› \t\r\n"
_SPACE = re.compile(r"\s+")
_PHONE_CHARS = re.compile(r"^\+?[\d\s().\-]+$")
_MERIDIEM = re.compile(r"(\d)\s*([ap])\.?m\b\.?")
_MIN_PHONE_DIGITS = 7

# Record fields that hold ids, rule names or enum values rather than text a
# human reads; secrets are not searched there.
_NOT_TEXT_FIELDS = frozenset(
    {
        "evidence",
        "omitted",
        "rule",
        "schema_version",
        "conversation_id",
        "fields",
        "kind",
        "actor",
        "outcome",
        "level",
        "type",
        "label",
        "alternatives",
        "backend",
        "model",
        "template",
    }
)


# -- text matching ------------------------------------------------------------------


def _fold(text: str) -> str:
    # casefold, one space between words, and "7 pm" / "7 p.m." / "7PM" all as "7pm"
    return _MERIDIEM.sub(r"\1\2m", _SPACE.sub(" ", text.casefold()))


def normalize(text: str) -> str:
    """Casefold, collapse whitespace, strip surrounding punctuation and quotes.

    Clock times are written one way (``7 PM`` and ``7 p.m.`` become ``7pm``) so a
    customer's ``7pm`` supplies a gold ``7 pm``.
    """
    return _fold(text).strip(_STRIP)


def _normalize_text(text: str) -> str:
    """Normalize a message body like ``normalize`` but keep its punctuation."""
    return _fold(text).strip()


@lru_cache(maxsize=8192)
def _boundary_pattern(needle: str, ignore_case: bool) -> re.Pattern[str]:
    flags = re.IGNORECASE if ignore_case else 0
    return re.compile(r"(?<!\w)" + re.escape(needle) + r"(?!\w)", flags)


def find_on_word_boundaries(haystack: str, needle: str, *, ignore_case: bool = False) -> bool:
    """Whether ``needle`` occurs in ``haystack`` not glued to letters or digits.

    Lookarounds rather than ``\\b`` so needles that start or end with punctuation
    (``(791) 582-4288``) behave.
    """
    if not needle:
        return False
    return _boundary_pattern(needle, ignore_case).search(haystack) is not None


def _phone_digits(value: str) -> str | None:
    """The digits of a phone-like value (digits and ``+()-.`` only, 7+ digits), else ``None``."""
    if not _PHONE_CHARS.match(value):
        return None
    digits = "".join(ch for ch in value if ch.isdigit())
    return digits if len(digits) >= _MIN_PHONE_DIGITS else None


def _same_phone(a: str, b: str) -> bool:
    # Equal digits, or equal after a country code of at most 3 digits.
    longer, shorter = (a, b) if len(a) >= len(b) else (b, a)
    return longer.endswith(shorter) and len(longer) - len(shorter) <= 3


def match_value(gold: str, value: str) -> bool:
    """Whether a record fact ``value`` recalls the ``gold`` value.

    Both are normalized (``normalize``); they match when equal, or when the gold
    value occurs on word boundaries inside a record value of at most
    ``MAX_CONTAINING_LENGTH`` characters. Phone-like values (only digits and
    ``+()-.`` separators, 7+ digits) match when their digits do, so
    ``(791) 582-4288`` and ``791-582-4288`` are the same number.
    """
    g, v = normalize(gold), normalize(value)
    if not g or not v:
        return False
    if g == v or (len(v) <= MAX_CONTAINING_LENGTH and find_on_word_boundaries(v, g)):
        return True
    gd, vd = _phone_digits(g), _phone_digits(v)
    return gd is not None and vd is not None and _same_phone(gd, vd)


def occurs_in(value: str, text: str) -> bool:
    """Whether ``value`` was supplied in ``text``: word-boundary containment after
    normalization, or (for phone-like values) the same digits with any separators."""
    needle = normalize(value)
    if not needle:
        return False
    if find_on_word_boundaries(_normalize_text(text), needle):
        return True
    digits = _phone_digits(needle)
    return digits is not None and _digits_pattern(digits).search(text) is not None


@lru_cache(maxsize=4096)
def _digits_pattern(digits: str) -> re.Pattern[str]:
    # the digits in order, any phone separators between them, not inside a longer number
    return re.compile(r"(?<!\d)" + r"[\s().\-]*".join(digits) + r"(?!\d)")


# -- gold ---------------------------------------------------------------------------


@dataclass(frozen=True)
class GoldFact:
    """A value the customer gave, with the gold kind it was labelled with."""

    kind: str
    value: str


@dataclass
class Gold:
    """What a record should contain for one conversation.

    Attributes:
        conversation_id: the row's id.
        source: ``abcd``, ``star`` or ``generic`` (the row shape it was read from).
        intent: the gold intent label, or ``None`` when the row has none.
        facts: values the customer supplied (deduplicated by kind and normalized value).
        secrets: secret values the customer supplied (must never appear in a record).
        action_turns: indices of messages that are logged agent actions.
        dropped_not_supplied: gold values dropped because no customer message contains them.
    """

    conversation_id: str
    source: str
    intent: str | None = None
    facts: list[GoldFact] = field(default_factory=list)
    secrets: list[str] = field(default_factory=list)
    action_turns: list[int] = field(default_factory=list)
    dropped_not_supplied: int = 0


class Pair(NamedTuple):
    """One scored item: the record, its gold, and the conversation it was built from."""

    record: HandoffRecord
    gold: Gold
    conversation: Conversation


# -- result -------------------------------------------------------------------------


class FactMiss(BaseModel):
    """A gold value no record fact recalled."""

    conversation_id: str
    kind: str
    value: str


class Hallucination(BaseModel):
    """A record fact that its citations do not support."""

    conversation_id: str
    kind: str
    reason: str
    evidence: list[str] = Field(default_factory=list)


class SecretLeak(BaseModel):
    """A secret found in a record; ``where`` is the JSON path, the secret itself is not repeated."""

    conversation_id: str
    where: str


class EvalResult(BaseModel):
    """Pooled scores over a set of conversations (``model_dump_json()`` to save).

    Rates are ``None`` when nothing was there to measure (e.g. no gold intents).
    """

    conversations: int = 0
    # intent
    intent_total: int = 0
    intent_correct: int = 0
    intent_accuracy: float | None = None
    # facts
    facts_gold: int = 0
    facts_recalled: int = 0
    facts_recall: float | None = None
    facts_recall_by_kind: dict[str, float] = Field(default_factory=dict)
    facts_gold_by_kind: dict[str, int] = Field(default_factory=dict)
    gold_dropped_not_supplied: int = 0
    facts_total: int = 0
    facts_per_record: float = 0.0
    withheld_facts: int = 0
    # grounding
    hallucinated_facts: int = 0
    evidence_ids_not_in_conversation: int = 0
    # actions
    action_turns_gold: int = 0
    action_turns_cited: int = 0
    action_turn_citation: float | None = None
    # secrets
    secrets_checked: int = 0
    secrets_skipped_short: int = 0
    secrets_skipped_also_fact: int = 0
    records_with_secret_leak: int = 0
    # speed (filled by the runners that time summarize)
    seconds: float | None = None
    conversations_per_second: float | None = None
    # debugging lists (capped)
    misses: list[FactMiss] = Field(default_factory=list)
    hallucinations: list[Hallucination] = Field(default_factory=list)
    leaks: list[SecretLeak] = Field(default_factory=list)


def _rate(num: int, den: int) -> float | None:
    return num / den if den else None


# -- per-record checks ----------------------------------------------------------------


def _hallucinations(record: HandoffRecord, conversation: Conversation) -> Iterator[Hallucination]:
    texts = {m.id: _normalize_text(m.text) for m in conversation.messages}
    cid = conversation.id
    for fact in record.facts:
        if not fact.evidence:
            yield Hallucination(conversation_id=cid, kind=fact.kind, reason="no evidence")
            continue
        unknown = [e for e in fact.evidence if e not in texts]
        if unknown:
            yield Hallucination(
                conversation_id=cid, kind=fact.kind, reason="cites unknown id", evidence=list(fact.evidence)
            )
            continue
        if fact.value is None:
            continue
        needle = normalize(fact.value)
        if not needle or not any(needle in texts[e] for e in fact.evidence):
            yield Hallucination(
                conversation_id=cid,
                kind=fact.kind,
                reason="value not in cited messages",
                evidence=list(fact.evidence),
            )


def _strings(node: Any, path: str) -> Iterator[tuple[str, str]]:
    """Every (json path, string) in a dumped record outside ``_NOT_TEXT_FIELDS``."""
    if isinstance(node, str):
        yield path, node
    elif isinstance(node, dict):
        for key, value in node.items():
            if key not in _NOT_TEXT_FIELDS:
                yield from _strings(value, f"{path}.{key}" if path else str(key))
    elif isinstance(node, (list, tuple)):
        for index, item in enumerate(node):
            yield from _strings(item, f"{path}[{index}]")


def _leaks(record: HandoffRecord, secrets: Iterable[str]) -> list[SecretLeak]:
    strings = list(_strings(record.model_dump(mode="json"), ""))
    found: list[SecretLeak] = []
    for secret in secrets:
        for where, text in strings:
            if find_on_word_boundaries(text, secret, ignore_case=True):
                found.append(SecretLeak(conversation_id=record.conversation_id or "", where=where))
    return found


def _also_a_fact(secret: str, facts: Iterable[GoldFact]) -> bool:
    """Whether a gold fact (which a record *should* keep) contains the secret: the
    surname that is also a security answer, the date of birth given as one."""
    needle = normalize(secret)
    return any(find_on_word_boundaries(normalize(f.value), needle) for f in facts)


def _action_ids(gold: Gold, conversation: Conversation) -> list[str]:
    ids = conversation.ids
    # Parsers give id-less turns the ids m1, m2, ...; use the real id when the turn exists.
    return [ids[i] if i < len(ids) else f"m{i + 1}" for i in gold.action_turns]


# -- evaluate -------------------------------------------------------------------------


def evaluate(pairs: Iterable[Pair], *, max_listed: int = 50) -> EvalResult:
    """Score records against gold, pooled over all pairs.

    Args:
        pairs: ``(record, gold, conversation)`` triples.
        max_listed: cap on each debugging list (misses, hallucinations, leaks).
    """
    r = EvalResult()
    gold_by_kind: Counter[str] = Counter()
    hit_by_kind: Counter[str] = Counter()
    for record, gold, conversation in pairs:
        r.conversations += 1
        cid = conversation.id or gold.conversation_id
        if gold.intent is not None:
            r.intent_total += 1
            r.intent_correct += record.intent.label == gold.intent

        values = [f.value for f in record.facts if f.value is not None]
        for gf in gold.facts:
            gold_by_kind[gf.kind] += 1
            if any(match_value(gf.value, v) for v in values):
                hit_by_kind[gf.kind] += 1
            elif len(r.misses) < max_listed:
                r.misses.append(FactMiss(conversation_id=cid, kind=gf.kind, value=gf.value))
        r.gold_dropped_not_supplied += gold.dropped_not_supplied
        r.facts_total += len(record.facts)
        r.withheld_facts += sum(1 for f in record.facts if f.withheld or f.value is None)

        for h in _hallucinations(record, conversation):
            r.hallucinated_facts += 1
            if len(r.hallucinations) < max_listed:
                r.hallucinations.append(h)
        known = set(conversation.ids)
        r.evidence_ids_not_in_conversation += len(record.evidence_ids() - known)

        action_ids = _action_ids(gold, conversation)
        cited = {e for a in record.actions_taken for e in a.evidence}
        r.action_turns_gold += len(action_ids)
        r.action_turns_cited += sum(1 for i in action_ids if i in cited)

        long_enough = [s for s in gold.secrets if len(s.strip()) >= MIN_SECRET_LENGTH]
        r.secrets_skipped_short += len(gold.secrets) - len(long_enough)
        checked = [s for s in long_enough if not _also_a_fact(s, gold.facts)]
        r.secrets_skipped_also_fact += len(long_enough) - len(checked)
        r.secrets_checked += len(checked)
        leaks = _leaks(record, [s.strip() for s in checked])
        if leaks:
            r.records_with_secret_leak += 1
            r.leaks.extend(leaks[: max(0, max_listed - len(r.leaks))])

    r.intent_accuracy = _rate(r.intent_correct, r.intent_total)
    r.facts_gold = sum(gold_by_kind.values())
    r.facts_recalled = sum(hit_by_kind.values())
    r.facts_recall = _rate(r.facts_recalled, r.facts_gold)
    r.facts_gold_by_kind = dict(sorted(gold_by_kind.items()))
    r.facts_recall_by_kind = {k: hit_by_kind[k] / n for k, n in sorted(gold_by_kind.items())}
    r.facts_per_record = r.facts_total / r.conversations if r.conversations else 0.0
    r.action_turn_citation = _rate(r.action_turns_cited, r.action_turns_gold)
    return r
