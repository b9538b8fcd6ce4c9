"""Well-formed nonsense from a model does not pass grounding (issue 16).

Seen with the local model: ``return_exchange 30% · runner-up: billing 89%`` (runner-up above the
winner), ``Urgency: urgent — 1; 2; 3`` (reasons that are list markers) and ``Impact:
customer_impact`` (a field name echoed as its value).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import handoff_ai as ho
from handoff_ai.backends.rules import RulesBackend
from handoff_ai.llm.grounding import ground, merge
from handoff_ai.llm.grounding_check import hollow
from handoff_ai.models.llm import LLMAction, LLMAnswer, LLMItem
from handoff_ai.taxonomy import Taxonomy

CHAT = ho.load(Path(__file__).resolve().parents[1] / "examples" / "chat.json")
TAXONOMY = Taxonomy.default()
RULES = RulesBackend().extract(CHAT, TAXONOMY)


def _record(answer: LLMAnswer) -> ho.HandoffRecord:
    grounded, warnings = ground(answer, CHAT, TAXONOMY)
    return merge(
        grounded, RULES, CHAT, TAXONOMY, backend="openai", model="m", template=None, warnings=warnings
    )


def test_the_reported_answer_is_cleaned() -> None:
    answer = LLMAnswer(
        summary="Customer was charged twice for order A-20931",
        intent="return_exchange",
        intent_evidence=["c1"],
        customer_impact="customer_impact",
        urgency="urgent",
        urgency_reasons=["1", "2", "3"],
        sentiment="negative",
    )
    record = _record(answer)
    assert RULES.intent.label == "billing" and record.intent.label == "billing"
    assert all(score <= record.intent.confidence for _, score in record.intent.alternatives)
    assert record.customer_impact != "customer_impact"
    assert not any(r.strip() in ("1", "2", "3") for r in record.urgency.reasons)
    assert record.urgency.level == RULES.urgency.level  # "urgent" with no reason left is not taken
    assert any("without content" in w for w in record.provenance.warnings)


@pytest.mark.parametrize(
    "text",
    ["1", "2.", "(a)", "iv)", "- ", "•", "42", "customer_impact", "Customer impact", "urgency_reasons",
     "string", "null", "N/A", "description", "evidence", "...", "—"],
)  # fmt: skip
def test_hollow_text(text: str) -> None:
    assert hollow(text)


@pytest.mark.parametrize(
    "text",
    [
        "Refund failed twice",
        "charged twice",
        "Customer can't log in",
        "ordered 2 items",
        "Übergabe",
        "退款失败",
    ],
)
def test_real_text_is_not_hollow(text: str) -> None:
    assert not hollow(text)


def test_hollow_items_are_dropped_from_every_list() -> None:
    answer = LLMAnswer(
        summary="summary",
        intent="billing",
        blocker=LLMItem(text="blocker", evidence=["c9"]),
        actions_taken=[LLMAction(description="1.", actor="bot", outcome="failed", evidence=["c7"])],
        open_questions=[LLMItem(text="string", evidence=[]), LLMItem(text="Which card was charged?")],
        next_steps=[LLMItem(text="next_steps"), LLMItem(text="Retry the refund", evidence=["c9"])],
    )
    grounded, warnings = ground(answer, CHAT, TAXONOMY)
    assert grounded.summary == "" and grounded.blocker is None and grounded.actions_taken == []
    assert [i.text for i in grounded.open_questions] == ["Which card was charged?"]
    assert [i.text for i in grounded.next_steps] == ["Retry the refund"]
    assert any(w.startswith("next_steps: 1 item(s) without content") for w in warnings)
    assert not any("Retry" in w or "Which card" in w for w in warnings)  # warnings never quote text


@given(
    intent=st.sampled_from([i.name for i in TAXONOMY.intents] + ["unknown"]),
)
def test_no_record_shows_a_runner_up_above_its_intent(intent: str) -> None:
    record = _record(LLMAnswer(summary="Charged twice for A-20931", intent=intent, intent_evidence=["c1"]))
    assert all(score <= record.intent.confidence for _, score in record.intent.alternatives)
