"""Languages (issue 12) on the hand-written fixture set in tests/fixtures/languages.

Three layers, as in ``tests/test_understanding.py``:

* the fixture set: size and spread per language, every conversation parses in its declared
  format with every message accounted for, expectations well formed and grounded in the text
  (every fact value, secret and due phrase occurs in the conversation);
* the scorer (``tests/languages.py``): a record written from the expectations scores full
  marks, the trivial baseline does not;
* the rules backend: no secret in any record (strict xfail where it leaks today), no
  hallucinated fact, no false alarm on the negatives, and figure floors per language.
"""

from __future__ import annotations

import re

import pytest

from handoff_ai import summarize
from handoff_ai.evaluation.metrics import normalize

from .languages import (
    CASES,
    CATEGORIES,
    GROUPS,
    LANGUAGE_NAMES,
    SUPPORTED,
    LanguageCase,
    LanguageScore,
    baseline,
    figures,
    oracle,
    score_language,
)
from .understanding import ACTORS, HANDOFF_TYPES, OUTCOMES, leaks

IDS = [f"{c.group}/{c.name}" for c in CASES]
_KEYS = {
    "category",
    "format",
    "messages",
    "language",
    "human_request",
    "supported",
    "handoff",
    "steps",
    "blocker",
    "facts",
    "not_facts",
    "commitments",
    "secrets",
    "why",
}
_REQUIRED = {"category", "format", "messages", "language", "human_request", "supported"}


def _alts(value: str) -> list[str]:
    return [a.strip() for a in value.split("|")]


# -- the fixture set ------------------------------------------------------------------


@pytest.mark.parametrize("group", SUPPORTED)
def test_each_supported_language_is_covered(group: str) -> None:
    cases = [c for c in CASES if c.group == group]
    assert len(cases) >= 12
    assert len({c.format for c in cases}) >= 5, {c.format for c in cases}
    assert {"json", "text", "email", "whatsapp"} <= {c.format for c in cases}
    assert any(c.format in ("zendesk", "intercom", "freshdesk") for c in cases)
    assert any(c.format == "email" and "text/html" in c.path.read_text(encoding="utf-8") for c in cases)
    assert sum(c.human_request for c in cases) >= 4
    assert sum(c.category == "negative" and not c.human_request for c in cases) >= 3
    per = {cat: sum(c.category == cat for c in cases) for cat in CATEGORIES}
    assert all(per[cat] >= 1 for cat in CATEGORIES if cat != "other_language"), per
    assert sum(bool(c.expected.get("secrets")) for c in cases) >= 1
    assert sum(bool(c.expected.get("commitments")) for c in cases) >= 3
    assert sum(len(c.expected.get("steps", [])) for c in cases) >= 10


def test_other_languages_are_covered() -> None:
    cases = [c for c in CASES if c.group == "other"]
    assert {"it", "nl", "pl", "tr", "ja"} <= {c.language for c in cases}
    assert len({c.format for c in cases}) >= 4
    assert all(c.category == "other_language" and len(c.expected["facts"]) >= 3 for c in cases)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_expectation_is_well_formed(case: LanguageCase) -> None:
    e = case.expected
    assert _REQUIRED <= set(e) <= _KEYS, set(e) ^ _KEYS
    assert e["category"] in CATEGORIES
    assert isinstance(e["messages"], int) and e["messages"] > 0
    assert isinstance(e["human_request"], bool) and isinstance(e["supported"], bool)
    assert e["supported"] == (case.group in SUPPORTED)
    assert e["language"] == case.group if case.supported else e["language"] not in (*SUPPORTED, "en")
    assert e["language"] in LANGUAGE_NAMES
    assert (e["category"] == "other_language") == (case.group == "other")
    assert case.name.startswith(e["language"])
    if e["category"] == "negative":
        assert not e["human_request"]
    if e["category"] == "human_request":
        assert e["human_request"]
    if e.get("handoff") is not None:
        assert set(_alts(e["handoff"])) <= HANDOFF_TYPES
    for step in e.get("steps", []):
        assert (
            step["keywords"]
            and set(_alts(step["outcome"])) <= OUTCOMES
            and set(_alts(step["actor"])) <= ACTORS
        )
    blocker = e.get("blocker", ["not scored"])
    assert blocker is None or (isinstance(blocker, list) and blocker)
    for fact in e.get("facts", []):
        assert set(fact) == {"kind", "value"} and fact["value"].strip()
    for commitment in e.get("commitments", []):
        assert commitment["keywords"] and commitment["due"]
        assert commitment.get("due_iso") is None or re.fullmatch(r"\d{4}-\d{2}-\d{2}", commitment["due_iso"])


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_parses_in_declared_format_with_every_message(case: LanguageCase) -> None:
    conversation = case.conversation()
    assert len(conversation.messages) == case.expected["messages"]
    assert {m.source.format for m in conversation.messages if m.source} == {case.format}
    assert len(set(conversation.ids)) == len(conversation.ids)
    assert any(m.role == "customer" and m.text.strip() for m in conversation.messages)
    if case.format in ("text", "whatsapp"):
        texts = [m.text.replace("\u200e", "") for m in conversation.messages]
        for number, line in enumerate(case.path.read_text(encoding="utf-8").splitlines(), 1):
            line = line.replace("\u200e", "").strip()
            if not line:
                continue
            tails = [line, *(line.split(sep, 1)[1].strip() for sep in (": ", " - ") if sep in line)]
            assert any(t and any(t in text for text in texts) for t in tails), (
                f"line {number} not in any message"
            )


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_expected_values_are_in_the_conversation(case: LanguageCase) -> None:
    """Expectations never name a value the conversation does not hold; the secrets are real."""
    messages = case.conversation().messages
    texts = [normalize(m.text) for m in messages]
    for fact in case.expected.get("facts", []):
        assert any(normalize(fact["value"]) in t for t in texts), fact
    for secret in case.expected.get("secrets", []):
        assert any(secret in m.text for m in messages if m.role == "customer"), secret[:2]
    for commitment in case.expected.get("commitments", []):
        assert any(normalize(d) in t for d in _alts(commitment["due"]) for t in texts), commitment["due"]
    for step in case.expected.get("steps", []):
        for group in step["keywords"]:
            assert any(normalize(a) in t for a in _alts(group) for t in texts), group


# -- the scorer -----------------------------------------------------------------------


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_oracle_scores_full_marks(case: LanguageCase) -> None:
    conversation = case.conversation()
    record, language = oracle(case, conversation)
    s = score_language(case, conversation, record, language=language)
    assert s.misses == []
    for name, (value, _num, den) in figures(s).items():
        assert value == 1.0 if den else value in (0, None), name


def test_baseline_scores_low() -> None:
    total = LanguageScore()
    for case in CASES:
        conversation = case.conversation()
        record, language = baseline(conversation)
        total = total + score_language(case, conversation, record, language=language)
    found = figures(total)
    assert found["human_request"][0] == 0 and found["steps"][0] == 0 and found["facts"][0] == 0
    assert found["language"][0] == 0 and found["warning"][0] == 0
    assert found["records_leaking"][0] > 0  # pasting the last customer line leaks secrets


# -- the rules backend: invariants ------------------------------------------------------

LEAKING_TODAY: set[str] = set()  # all four leaked before the languages' [facts.secrets] (issue 12)
"""Records that leak a secret with the engine this set was written against (before issue 12):
"Mein Passwort ist Sommer2024!", "la clave es Sevilla_2023", "senha: Praia2024" and
"Minha senha é Floripa@2025"."""


@pytest.mark.parametrize(
    "case",
    [
        pytest.param(
            c,
            id=f"{c.group}/{c.name}",
            marks=pytest.mark.xfail(reason="secrets in de/es/pt wording: issue 12", strict=True)
            if c.name in LEAKING_TODAY
            else (),
        )
        for c in CASES
    ],
)
def test_no_secret_in_record(case: LanguageCase) -> None:
    record = summarize(case.conversation())
    assert leaks(record, case.expected.get("secrets", [])) == []


@pytest.fixture(scope="module")
def by_group() -> dict[str, LanguageScore]:
    out: dict[str, LanguageScore] = {}
    for case in CASES:
        conversation = case.conversation()
        out[case.group] = out.get(case.group, LanguageScore()) + score_language(
            case, conversation, summarize(conversation)
        )
    return out


@pytest.mark.parametrize("group", GROUPS)
def test_no_hallucinated_fact_and_no_false_alarm(by_group: dict[str, LanguageScore], group: str) -> None:
    s = by_group[group]
    assert s.hallucinated == 0, [m for m in s.misses if m.startswith("HALLUCINATED")]
    assert s.false_alarms == 0, [m for m in s.misses if m.startswith("FALSE ALARM")]


# -- the rules backend: figures ---------------------------------------------------------

FLOORS = {
    "de": {"human_request": 6, "steps": 14, "facts": 33, "commitments": 5, "language": 14},
    "fr": {"human_request": 5, "steps": 14, "facts": 36, "commitments": 6, "language": 14},
    "es": {"human_request": 5, "steps": 15, "facts": 33, "commitments": 5, "language": 14},
    "pt": {"human_request": 5, "steps": 18, "facts": 32, "commitments": 7, "language": 14},
    "other": {"facts": 24, "language": 6, "warning": 6, "low_confidence": 6},
}
"""Hits per language group and figure (first set before the issue 12 work, raised as it
landed): a change may raise them, never lower them. Issue 12's targets
(printed by ``bench/languages.py``): human_request 0.95, steps 0.85, facts 0.95, language
1.0 per language; warning and low_confidence 1.0 for ``other``."""


@pytest.mark.parametrize("group", GROUPS)
def test_figures_never_fall_below_their_floor(by_group: dict[str, LanguageScore], group: str) -> None:
    found = figures(by_group[group])
    below = {
        figure: f"{found[figure][1]}/{found[figure][2]} < {floor}"
        for figure, floor in FLOORS[group].items()
        if found[figure][1] < floor
    }
    assert below == {}


def test_scorer_catches_false_alarms_missing_warnings_and_confident_intents() -> None:
    negative = next(c for c in CASES if c.category == "negative")
    conversation = negative.conversation()
    record, language = oracle(negative, conversation)
    alarmed = record.model_copy(
        update={"handoff": record.handoff.model_copy(update={"trigger": "customer_request"})}
    )
    assert score_language(negative, conversation, alarmed, language=language).false_alarms == 1
    assert score_language(negative, conversation, record, language="en").language_hits == 0
    other = next(c for c in CASES if c.language == "it")
    conversation = other.conversation()
    record, language = oracle(other, conversation)
    unwarned = record.model_copy(update={"provenance": record.provenance.model_copy(update={"warnings": []})})
    assert score_language(other, conversation, unwarned, language=language).warned == 0
    sure = record.model_copy(
        update={"intent": record.intent.model_copy(update={"label": "billing", "confidence": 0.7})}
    )
    assert score_language(other, conversation, sure, language=language).low_confidence == 0
    named = record.model_copy(
        update={
            "provenance": record.provenance.model_copy(update={"warnings": ["rules do not cover it (it)"]})
        }
    )
    assert score_language(other, conversation, named, language=language).warned == 1
    vague = record.model_copy(
        update={"provenance": record.provenance.model_copy(update={"warnings": ["could not read it"]})}
    )
    assert score_language(other, conversation, vague, language=language).warned == 0
