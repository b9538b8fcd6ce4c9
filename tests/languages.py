"""The languages fixture set (issue 12) and how a record is scored against it.

Shared by ``tests/test_languages.py`` and ``bench/languages.py``. The conversations live in
``tests/fixtures/languages/<group>/`` (``de``, ``fr``, ``es``, ``pt``: languages the rules
are to cover; ``other``: languages they do not). Each ``NAME.<ext>`` has
``NAME.expected.json`` in the format of ``tests/understanding.py`` (steps, blocker, facts,
not_facts, commitments, handoff, secrets — keywords in the conversation's own words), plus:

* ``language``: the customer's language (BCP-47 primary subtag: ``de``, ``it``, ``ja`` …);
* ``human_request``: whether the customer explicitly asks for a person, agent or supervisor
  (``false`` for the negatives: praise for an agent, "are you a robot?", a sales
  representative, "no need to transfer me");
* ``supported``: ``true`` for de/fr/es/pt, ``false`` for the ``other`` group.

This module extends the understanding scorer (``score``, ``Case``, ``leaks``) rather than
copying it: ``score_language`` runs it and adds the language figures.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from handoff_ai.models import Conversation, Handoff, HandoffRecord, Intent

from .understanding import Case, Score, baseline_record, oracle_record, score

__all__ = [
    "CASES",
    "CATEGORIES",
    "FIGURES",
    "FIXTURES",
    "GROUPS",
    "LANGUAGE_NAMES",
    "REQUEST_TRIGGERS",
    "SUPPORTED",
    "LanguageCase",
    "LanguageScore",
    "baseline",
    "figures",
    "oracle",
    "score_language",
]

FIXTURES = Path(__file__).parent / "fixtures" / "languages"
SUPPORTED = ("de", "fr", "es", "pt")
GROUPS = (*SUPPORTED, "other")
CATEGORIES = (
    "human_request",
    "negative",
    "bot_loop",
    "tried_steps",
    "facts",
    "secret_trap",
    "promise",
    "other_language",
)
LANGUAGE_NAMES: dict[str, str] = {
    "en": "English",
    "de": "German",
    "fr": "French",
    "es": "Spanish",
    "pt": "Portuguese",
    "it": "Italian",
    "nl": "Dutch",
    "pl": "Polish",
    "tr": "Turkish",
    "ja": "Japanese",
    "sv": "Swedish",
}
"""Code → English name; a warning about an uncovered language must name one of the two."""

REQUEST_TRIGGERS = frozenset(("customer_request", "escalation_request"))
"""``record.handoff.trigger`` values that mean "the customer asked for a human"."""

LOW_CONFIDENCE = 0.5


@dataclass(frozen=True)
class LanguageCase(Case):
    """A fixture conversation of the languages set; ``group`` is its folder."""

    group: str = ""

    @property
    def language(self) -> str:
        return str(self.expected["language"])

    @property
    def human_request(self) -> bool:
        return bool(self.expected["human_request"])

    @property
    def supported(self) -> bool:
        return bool(self.expected["supported"])


def _cases() -> list[LanguageCase]:
    found = []
    for group in GROUPS:
        folder = FIXTURES / group
        for spec in sorted(folder.glob("*.expected.json")):
            name = spec.name.removesuffix(".expected.json")
            inputs = [p for p in folder.glob(f"{name}.*") if not p.name.endswith(".expected.json")]
            if len(inputs) != 1:
                raise ValueError(
                    f"{group}/{spec.name}: expected one input named {name}.*, found {len(inputs)}"
                )
            found.append(LanguageCase(name, inputs[0], json.loads(spec.read_text(encoding="utf-8")), group))
    return found


CASES: list[LanguageCase] = _cases()


@dataclass
class LanguageScore(Score):
    """The understanding counts plus the language ones (summed over a group)."""

    requests: int = 0
    request_hits: int = 0
    negatives: int = 0
    false_alarms: int = 0
    languages: int = 0
    language_hits: int = 0
    unsupported: int = 0
    warned: int = 0
    low_confidence: int = 0

    def __add__(self, other: Score) -> LanguageScore:
        out = LanguageScore()
        for f in fields(LanguageScore):
            setattr(
                out, f.name, getattr(self, f.name) + getattr(other, f.name, type(getattr(self, f.name))())
            )
        return out


def _warns(record: HandoffRecord, code: str) -> bool:
    """A provenance warning naming the language by English name, or by code set off as a code
    (``(it)``, ``"it"``, ``language=it``, ``language: it``): "it" alone is an English word."""
    name = LANGUAGE_NAMES.get(code, code).casefold()
    as_code = re.compile(rf"(?:[(\[\"'`=]|\blanguage:?\s+){re.escape(code)}(?![a-z])", re.IGNORECASE)
    return any(name in w.casefold() or as_code.search(w) for w in record.provenance.warnings)


def score_language(
    case: LanguageCase,
    conversation: Conversation,
    record: HandoffRecord,
    *,
    language: str | None = None,
) -> LanguageScore:
    """How well ``record`` notes what ``case`` expects. ``language`` overrides
    ``record.language`` (read with ``getattr``, so this runs before the field exists)."""
    base = score(case, conversation, record)
    s = LanguageScore(**{f.name: getattr(base, f.name) for f in fields(Score)})
    asked = record.handoff.trigger in REQUEST_TRIGGERS
    if case.human_request:
        s.requests += 1
        s.request_hits += asked
        if not asked:
            s.misses.append(f"human request: got trigger {record.handoff.trigger!r}")
    else:
        s.negatives += 1
        s.false_alarms += asked
        if asked:
            s.misses.append(f"FALSE ALARM human request (trigger {record.handoff.trigger!r})")
    got = language if language is not None else getattr(record, "language", None)
    s.languages += 1
    s.language_hits += got == case.language
    if got != case.language:
        s.misses.append(f"language {case.language}: got {got!r}")
    if not case.supported:
        s.unsupported += 1
        warned = _warns(record, case.language)
        s.warned += warned
        if not warned:
            s.misses.append(f"no warning naming {LANGUAGE_NAMES.get(case.language, case.language)}")
        low = record.intent.label == "unknown" or record.intent.confidence < LOW_CONFIDENCE
        s.low_confidence += low
        if not low:
            s.misses.append(f"confident intent {record.intent.label} {record.intent.confidence:.2f}")
    return s


FIGURES: dict[str, str] = {
    "human_request": "human-request recall (trigger customer_request/escalation_request)",
    "false_alarms": "human-request false alarms on negatives (count)",
    "steps": "tried-step recall with the right outcome",
    "facts": "facts recall (value and kind, aliases)",
    "commitments": "commitments recall (text keywords and due as written)",
    "records_leaking": "records with a secret leak (count)",
    "language": "language right (record.language)",
    "warning": "uncovered language: provenance warning naming it",
    "low_confidence": "uncovered language: intent unknown or confidence < 0.5",
}
"""Figure name → what it measures. Rates are in 0..1 (``None`` when nothing to score);
for the ``other`` group ``facts`` is the language-free facts recall."""


def figures(s: LanguageScore) -> dict[str, tuple[float | int | None, int, int]]:
    """Each figure as (value, numerator, denominator); counts have denominator 0."""

    def rate(num: int, den: int) -> tuple[float | None, int, int]:
        return (num / den if den else None, num, den)

    return {
        "human_request": rate(s.request_hits, s.requests),
        "false_alarms": (s.false_alarms, s.false_alarms, 0),
        "steps": rate(s.steps_outcome, s.steps),
        "facts": rate(s.facts_kind, s.facts),
        "commitments": rate(s.commitment_hits, s.commitments),
        "records_leaking": (s.records_leaking, s.records_leaking, 0),
        "language": rate(s.language_hits, s.languages),
        "warning": rate(s.warned, s.unsupported),
        "low_confidence": rate(s.low_confidence, s.unsupported),
    }


# -- reference records ------------------------------------------------------------------


def baseline(conversation: Conversation) -> tuple[HandoffRecord, str]:
    """The trivial baseline and its language: the understanding baseline (blocker = the last
    customer message, no steps, no facts), ``language`` always ``en``, no request ever."""
    record = baseline_record(conversation)
    return record.model_copy(update={"handoff": Handoff(type=record.handoff.type)}), "en"


def oracle(case: LanguageCase, conversation: Conversation) -> tuple[HandoffRecord, str]:
    """A record written from the expectations, and its language: full marks by construction."""
    record = oracle_record(case, conversation)
    update: dict[str, Any] = {}
    if case.human_request:
        update["handoff"] = record.handoff.model_copy(update={"trigger": "customer_request"})
    if not case.supported:
        name = LANGUAGE_NAMES.get(case.language, case.language)
        warning = f"conversation language {name} ({case.language}) is not covered by the rules"
        update["provenance"] = record.provenance.model_copy(update={"warnings": [warning]})
        update["intent"] = Intent(label="unknown", confidence=0.0)
    return record.model_copy(update=update), case.language
