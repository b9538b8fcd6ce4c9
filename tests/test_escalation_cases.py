"""The escalation acceptance set (tests/fixtures/escalation/cases.json): the figures of
issue 13 on 100 hand-labelled live-chat states, and invariants on every state."""

from __future__ import annotations

from collections import Counter

import pytest

from handoff_ai import Conversation, should_escalate
from handoff_ai.escalation import REASON_KINDS, LiveEscalation
from tests.escalation_cases import HOLDOUT, STATES, Figures, baseline, conversation, policy


@pytest.fixture(scope="module")
def figures() -> tuple[Figures, Figures]:
    ours, base = Figures(), Figures()
    for state in STATES:
        decision = should_escalate(conversation(state), policy=policy(state))
        ours.add(state, decision.escalate, decision.reason_kinds, decision.missing if state.policy else None)
        base.add(state, *baseline(state), None)
    return ours, base


def test_the_set_is_what_the_issue_asks_for() -> None:
    assert len(STATES) >= 80
    assert sum(not s.escalate for s in STATES) >= 30
    assert {"en", "de", "es"} <= {s.lang for s in STATES}
    assert len(Counter(s.format for s in STATES)) >= 4
    assert all(set(s.kinds) <= set(REASON_KINDS) for s in STATES)
    assert all(s.kinds for s in STATES if s.escalate)


def test_precision_and_recall_of_escalate(figures: tuple[Figures, Figures]) -> None:
    ours, base = figures
    assert ours.precision >= 0.95, ours.misses
    assert ours.recall >= 0.95, ours.misses
    assert ours.recall > base.recall  # the trivial baseline is far below


def test_reason_kind_recall(figures: tuple[Figures, Figures]) -> None:
    ours, _ = figures
    assert ours.kind_recall >= 0.9, ours.misses


def test_missing_nearly_everywhere(figures: tuple[Figures, Figures]) -> None:
    ours, _ = figures
    assert ours.missing_cases >= 30
    assert ours.missing_rate >= 0.95, ours.misses


def test_missing_exact_on_every_state_with_a_policy(figures: tuple[Figures, Figures]) -> None:
    ours, _ = figures
    assert ours.missing_exact == ours.missing_cases, ours.misses


def test_the_held_out_set_stays_above_the_bar() -> None:
    # Written after the tuning; first measured at precision 1.0, recall 0.89 (8 of 9),
    # then one general fix (a rephrased request is not news) -- see bench/escalation.py.
    ours = Figures()
    for state in HOLDOUT:
        decision = should_escalate(conversation(state), policy=policy(state))
        ours.add(state, decision.escalate, decision.reason_kinds, decision.missing if state.policy else None)
    assert len(HOLDOUT) >= 25
    assert ours.precision >= 0.95 and ours.recall >= 0.85, ours.misses


@pytest.mark.parametrize("state", [*STATES, *HOLDOUT], ids=[s.name for s in [*STATES, *HOLDOUT]])
def test_every_state_live_equals_fresh_and_cites_its_messages(state) -> None:  # type: ignore[no-untyped-def]
    conv = conversation(state)
    fresh = should_escalate(conv, policy=policy(state))
    live = LiveEscalation(policy=policy(state), conversation_id=conv.id)
    for message in conv.messages:
        decided = live.update([message])
    assert decided.model_dump_json() == fresh.model_dump_json()
    ids = {m.id for m in conv.messages}
    for reason in fresh.reasons:
        assert reason.evidence and set(reason.evidence) <= ids
    if not fresh.escalate:
        assert fresh.customer_message is None
    again = should_escalate(Conversation(id=conv.id, messages=list(conv.messages)), policy=policy(state))
    assert again.model_dump_json() == fresh.model_dump_json()


def test_required_facts_wait_for_an_intent_the_customer_stands_behind() -> None:
    # A blender question read (at low confidence) as a return: no order number to ask for.
    chat = Conversation.model_validate(
        {
            "messages": [
                {"id": "1", "role": "customer", "text": "Is the X200 blender dishwasher safe?"},
                {"id": "2", "role": "bot", "text": "The X200 jar is dishwasher safe; the base is not."},
                {"id": "3", "role": "customer", "text": "I'd like to talk to a person about a bulk order"},
            ]
        }
    )
    strict = {
        "intents": {"return_exchange": {"required": ["order_id"]}, "refund": {"required": ["order_id"]}}
    }
    decision = should_escalate(chat, policy=strict)
    assert decision.escalate and decision.missing == [] and decision.ask == []
    returns = Conversation.model_validate(
        {"messages": [{"id": "1", "role": "customer", "text": "I want to return these shoes, wrong size"}]}
    )
    assert should_escalate(returns, policy=strict).missing == ["order_id"]
