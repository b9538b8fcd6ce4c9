"""The routing step says "Route to X" only when the intent behind X is likely right.

Below 0.5 the packaged taxonomy's confidence means "probably not in your taxonomy, or several
intents at once" (docs/taxonomy.md): the person taking over is told the team is a guess,
with the intent and its confidence, instead of being sent on a coin flip.
"""

from __future__ import annotations

import pytest

from handoff_ai import summarize
from handoff_ai.models import Expertise, Handoff, Intent
from handoff_ai.rules.compose import LIKELY_INTENT, build_next_steps
from handoff_ai.rules.note_words import note_languages, note_words


def _chat(text: str) -> dict[str, object]:
    return {
        "messages": [
            {"role": "customer", "text": text},
            {"role": "bot", "text": "Let me get a person to help you."},
        ]
    }


def _route_steps(record: object) -> list[str]:
    steps = [step.text for step in record.next_steps]  # type: ignore[attr-defined]
    return [text for text in steps if "rout" in text.lower() or "team" in text.lower()]


def test_a_clear_request_is_routed() -> None:
    record = summarize(_chat("I can't log in to my account, the password reset email never arrives"))
    assert record.intent.confidence >= LIKELY_INTENT
    assert _route_steps(record) == [f"Route to {record.needed_expertise.team}"]


def test_a_request_the_taxonomy_does_not_cover_gets_a_check_not_an_order() -> None:
    record = summarize(
        _chat("Do you still sell the chocolate orange segments? I can't find them at my local store anymore")
    )
    assert record.intent.confidence < LIKELY_INTENT
    team = record.needed_expertise.team
    assert team, "the best guess is still named"
    [step] = _route_steps(record)
    assert step.startswith(f"Check the team before routing: {team} is a guess")
    assert f"'{record.intent.label}'" in step and f"{record.intent.confidence:.0%}" in step
    assert not any(text.startswith("Route to") for text in (s.text for s in record.next_steps))
    route = next(s for s in record.next_steps if s.text == step)
    assert route.evidence == record.intent.evidence  # the messages the guess rests on


@pytest.mark.parametrize(("confidence", "routed"), [(0.49, False), (LIKELY_INTENT, True), (0.93, True)])
def test_the_threshold(confidence: float, routed: bool) -> None:
    intent = Intent(label="billing", confidence=confidence, evidence=["m1"])
    expertise = Expertise(team="billing_ops", skills=[], reason="")
    steps = build_next_steps(Handoff(), None, [], expertise, [], False, intent=intent)
    assert [s.text.startswith("Route to billing_ops") for s in steps] == [routed]


def test_without_the_intent_the_step_stays_a_plain_route() -> None:
    """Callers of the earlier signature (no ``intent``) keep "Route to X"."""
    steps = build_next_steps(
        Handoff(), None, [], Expertise(team="billing_ops", skills=[], reason=""), [], False
    )
    assert [s.text for s in steps] == ["Route to billing_ops"]


def test_no_team_no_routing_step() -> None:
    intent = Intent(label="unknown", confidence=0.2, evidence=[])
    assert build_next_steps(Handoff(), None, [], Expertise(), [], False, intent=intent) == []


@pytest.mark.parametrize("code", note_languages())
def test_every_note_language_words_the_guess(code: str) -> None:
    text = note_words(code).step("route_unsure", team="sales", intent="product_question", confidence="27%")
    assert "sales" in text and "product_question" in text and "27%" in text


def test_a_german_note_words_the_guess_in_german() -> None:
    record = summarize(
        _chat("Do you still sell the chocolate orange segments? I can't find them at my local store anymore"),
        note_language="de",
    )
    [step] = _route_steps(record)
    assert step.startswith("Team vor dem Weiterleiten prüfen:")


def test_a_guessed_fraud_intent_does_not_make_the_record_urgent() -> None:
    """STAR: a booking chat guessed as fraud_security at 18% read "urgent — possible fraud"."""
    chat = {
        "messages": [
            {"role": "customer", "text": "hello"},
            {"role": "agent", "text": "Hello, how can I help?"},
            {"role": "customer", "text": "Yes i would like to make an appointment with Dr. Alexis for today"},
        ]
    }
    record = summarize(chat)
    assert record.intent.confidence < LIKELY_INTENT
    assert "possible fraud or security issue" not in record.urgency.reasons


def test_a_likely_fraud_intent_still_raises_urgency() -> None:
    record = summarize(
        _chat(
            "Someone used my card without permission, there are charges I never made, my account was hacked"
        )
    )
    assert record.intent.label == "fraud_security" and record.intent.confidence >= LIKELY_INTENT
    assert "possible fraud or security issue" in record.urgency.reasons
    assert record.urgency.level in ("high", "urgent")
