"""Dialogue understanding (issue 11) on the hand-written fixture set in tests/fixtures/understanding.

Three layers:

* the fixture sets themselves (the tuning set and the held-out set in
  tests/fixtures/understanding_holdout): size and spread, every conversation parses in its
  declared format with every message accounted for, expectations well formed and grounded in
  the text;
* the scorer (``tests/understanding.py``): a record written from the expectations scores full
  marks, the trivial baseline and an empty record do not, leaks and hallucinations are caught;
* the rules backend: invariants that hold whatever the engine's progress (no secret in any
  record, no hallucinated fact), and the figure thresholds per category (xfail while issue 11
  is in progress).
"""

from __future__ import annotations

import re

import pytest

from handoff_ai import summarize
from handoff_ai.evaluation.metrics import normalize
from handoff_ai.models import Fact, HandoffRecord

from .understanding import (
    ACTORS,
    CASES,
    CATEGORIES,
    HANDOFF_TYPES,
    HOLDOUT_CASES,
    OUTCOMES,
    Case,
    Score,
    baseline_record,
    figures,
    kind_ok,
    leaks,
    oracle_record,
    score,
)

BOTH = [pytest.param(c, id=c.name) for c in CASES] + [
    pytest.param(c, id=f"holdout-{c.name}") for c in HOLDOUT_CASES
]
"""The tuning set and the held-out set: every set check and engine invariant runs on both."""
_KEYS = {
    "category",
    "format",
    "messages",
    "handoff",
    "steps",
    "blocker",
    "facts",
    "not_facts",
    "commitments",
    "secrets",
    "why",
}


def _alts(value: str) -> list[str]:
    return [a.strip() for a in value.split("|")]


# -- the fixture set ------------------------------------------------------------------


def test_set_size_and_spread() -> None:
    assert len(CASES) >= 40
    assert len({c.format for c in CASES}) >= 6
    per = {cat: sum(c.category == cat for c in CASES) for cat in CATEGORIES}
    assert all(per[cat] >= 8 for cat in ("tier_escalation", "bot_loop", "shift_change", "secret_trap")), per
    assert per["refusal"] >= 3 and per["promise"] >= 3, per
    assert {c.category for c in CASES} <= set(CATEGORIES)


def test_holdout_size_and_spread() -> None:
    assert len(HOLDOUT_CASES) >= 18
    assert len({c.format for c in HOLDOUT_CASES}) >= 6
    per = {cat: sum(c.category == cat for c in HOLDOUT_CASES) for cat in CATEGORIES}
    assert all(n >= 3 for n in per.values()), per
    assert {c.category for c in HOLDOUT_CASES} <= set(CATEGORIES)
    assert not {c.name for c in HOLDOUT_CASES} & {c.name for c in CASES}


@pytest.mark.parametrize("case", BOTH)
def test_expectation_is_well_formed(case: Case) -> None:
    e = case.expected
    assert set(e) <= _KEYS, set(e) - _KEYS
    assert e["category"] in CATEGORIES
    assert isinstance(e["messages"], int) and e["messages"] > 0
    if e.get("handoff") is not None:
        assert set(_alts(e["handoff"])) <= HANDOFF_TYPES
    for step in e.get("steps", []):
        assert (
            step["keywords"]
            and set(_alts(step["outcome"])) <= OUTCOMES
            and set(_alts(step["actor"])) <= ACTORS
        )
    assert e["blocker"] is None or (isinstance(e["blocker"], list) and e["blocker"])
    for commitment in e.get("commitments", []):
        assert commitment["keywords"] and commitment["due"]
        assert commitment.get("due_iso") is None or re.fullmatch(r"\d{4}-\d{2}-\d{2}", commitment["due_iso"])


@pytest.mark.parametrize("case", BOTH)
def test_parses_in_declared_format_with_every_message(case: Case) -> None:
    conversation = case.conversation()
    assert len(conversation.messages) == case.expected["messages"]
    assert {m.source.format for m in conversation.messages if m.source} == {case.format}
    assert len(set(conversation.ids)) == len(conversation.ids)
    if case.format in ("text", "whatsapp"):
        # line formats: every non-blank line of the file is in some message
        texts = [m.text.replace("\u200e", "") for m in conversation.messages]
        for number, line in enumerate(case.path.read_text(encoding="utf-8").splitlines(), 1):
            line = line.replace("\u200e", "").strip()
            if not line:
                continue
            tails = [line, *(line.split(sep, 1)[1].strip() for sep in (": ", " - ") if sep in line)]
            assert any(t and any(t in text for text in texts) for t in tails), (
                f"line {number} not in any message"
            )


@pytest.mark.parametrize("case", BOTH)
def test_expected_values_are_in_the_conversation(case: Case) -> None:
    """Expectations never name a value the conversation does not hold."""
    texts = [normalize(m.text) for m in case.conversation().messages]
    raw = [m.text for m in case.conversation().messages]
    for fact in case.expected.get("facts", []):
        assert any(normalize(fact["value"]) in t for t in texts), fact
    for secret in case.expected.get("secrets", []):
        assert any(secret in t for t in raw), secret[:2]
    for commitment in case.expected.get("commitments", []):
        assert any(normalize(d) in t for d in _alts(commitment["due"]) for t in texts), commitment["due"]


# -- the scorer -----------------------------------------------------------------------


@pytest.mark.parametrize("case", BOTH)
def test_oracle_record_scores_full_marks(case: Case) -> None:
    conversation = case.conversation()
    s = score(case, conversation, oracle_record(case, conversation))
    pending = (
        set() if "commitments" in HandoffRecord.model_fields else {"commitments", "due_iso"}
    )  # lands with issue 11
    assert [m for m in s.misses if not (pending and m.startswith("commitment "))] == []
    for name, (value, _num, den) in figures(s).items():
        if name in pending:
            continue
        if den:
            assert value == 1.0, name
        elif name not in ("commitments", "due_iso", "withheld"):
            assert value in (0, None), name


def test_empty_record_and_baseline_score_low() -> None:
    empty, base = Score(), Score()
    for case in CASES:
        conversation = case.conversation()
        empty = empty + score(case, conversation, HandoffRecord(conversation_id=conversation.id))
        base = base + score(case, conversation, baseline_record(conversation))
    assert figures(empty)["steps"][0] == 0 and figures(empty)["facts"][0] == 0
    assert figures(base)["steps"][0] == 0 and figures(base)["commitments"][0] == 0
    assert figures(base)["blocker"][0] < 0.7
    assert figures(base)["records_leaking"][0] > 0  # pasting the last customer line leaks secrets


def test_scorer_catches_leaks_hallucinations_and_junk() -> None:
    case = next(c for c in CASES if c.name.startswith("st02"))
    conversation = case.conversation()
    record = oracle_record(case, conversation)
    cited = record.facts[0].evidence
    leaky = record.model_copy(update={"summary": "card 4111111111111111, cvv 987"})
    assert sorted(leaks(leaky, case.expected["secrets"])) == ["4111 1111 1111 1111", "987"]
    invented = record.model_copy(
        update={"facts": [*record.facts, Fact(kind="order_id", value="W-99999", evidence=cited)]}
    )
    assert score(case, conversation, invented).hallucinated == 1
    junk = record.model_copy(
        update={"facts": [*record.facts, Fact(kind="count", value="3 times", evidence=["m3"])]}
    )
    assert score(case, conversation, junk).junk == 1
    assert (
        kind_ok("os_version", "os") and kind_ok("order_id", "reference") and not kind_ok("phone", "order_id")
    )


# -- the rules backend: invariants ------------------------------------------------------

LEAKING_TODAY: set[str] = set()  # st08 (German/Spanish "Passwort"/"contraseña") leaked before issue 12
"""Records that leak a secret with the engine this set was written against (issue 11)."""


HOLDOUT_LEAKING_TODAY: set[str] = (
    set()
)  # st51 (memorable word, a code typed "482 913"), st52 (a URL password): fixed
"""Held-out records that leak a secret with the engine at main when the held-out set was
written: secret phrasings the engine does not catch yet. Drop a name when its
leak is fixed (the mark is strict); ``bench/understanding.py --holdout --misses`` says which."""


def _marked(
    names: set[str], reason: str, holdout_names: set[str] | frozenset[str] = frozenset()
) -> list[object]:
    def param(case: Case, name: str, leaking: bool, why: str) -> object:
        marks = [pytest.mark.xfail(reason=why, strict=True)] if leaking else []
        return pytest.param(case, id=name, marks=marks)

    return [param(c, c.name, c.name in names, reason) for c in CASES] + [
        param(c, f"holdout-{c.name}", c.name in holdout_names, "held-out secret phrasing not caught yet")
        for c in HOLDOUT_CASES
    ]


@pytest.mark.parametrize(
    "case",
    _marked(
        LEAKING_TODAY,
        '"mein Passwort ist …" / "mi contraseña …": secrets in German and Spanish are the languages issue (12)',
        HOLDOUT_LEAKING_TODAY,
    ),
)
def test_no_secret_in_record(case: Case) -> None:
    record = summarize(case.conversation())
    assert leaks(record, case.expected.get("secrets", [])) == []


@pytest.mark.parametrize("case", BOTH)
def test_no_hallucinated_fact(case: Case) -> None:
    conversation = case.conversation()
    s = score(case, conversation, summarize(conversation))
    assert s.hallucinated == 0, [m for m in s.misses if m.startswith("HALLUCINATED")]


# -- the rules backend: figures ---------------------------------------------------------------

THRESHOLDS = {"steps": 0.8, "blocker": 0.8, "facts": 0.85, "commitments": 0.8, "handoff": 0.85}
"""Issue 11's targets (the session-3 reading of "would I still have to ask"): reached over the
whole fixture set since session 5 (tested below); the held-out set, printed by
``bench/understanding.py``, stays below them."""

FLOORS = {
    "bot_loop": {"steps": 15, "blocker": 10, "facts": 24, "handoff": 11},
    "promise": {"steps": 6, "blocker": 3, "facts": 8, "commitments": 6, "handoff": 1},
    "refusal": {"steps": 2, "blocker": 3, "facts": 9, "commitments": 2, "handoff": 3},
    "shift_change": {"steps": 12, "blocker": 8, "facts": 29, "commitments": 15, "handoff": 8},
    "secret_trap": {"steps": 11, "blocker": 8, "facts": 21, "handoff": 7},
    "tier_escalation": {"steps": 31, "blocker": 13, "facts": 53, "commitments": 10, "handoff": 13},
}
"""Hits per category and figure that the engine reached (raised in session 5, after the steps,
blocker, commitments and facts work): a change may raise them, never lower them. Raise a
floor when the engine gets better."""


def _by_category() -> dict[str, Score]:
    out: dict[str, Score] = {}
    for case in CASES:
        conversation = case.conversation()
        out[case.category] = out.get(case.category, Score()) + score(
            case, conversation, summarize(conversation)
        )
    return out


@pytest.fixture(scope="module")
def by_category() -> dict[str, Score]:
    return _by_category()


@pytest.mark.parametrize("category", CATEGORIES)
def test_figures_never_fall_below_their_floor(by_category: dict[str, Score], category: str) -> None:
    found = figures(by_category[category])
    below = {
        figure: f"{found[figure][1]}/{found[figure][2]} < {floor}"
        for figure, floor in FLOORS[category].items()
        if found[figure][1] < floor
    }
    assert below == {}


def test_no_junk_facts(by_category: dict[str, Score]) -> None:
    assert sum(s.junk for s in by_category.values()) == 0


def test_figures_reach_the_issue_thresholds(by_category: dict[str, Score]) -> None:
    """Over the whole fixture set, each figure reaches issue 11's target (``THRESHOLDS``)."""
    total = Score()
    for s in by_category.values():
        total = total + s
    found = figures(total)
    below = {name: found[name][0] for name, target in THRESHOLDS.items() if (found[name][0] or 0) < target}
    assert below == {}
