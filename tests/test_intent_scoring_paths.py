"""The intent index's two scoring paths give the same scores, and the languages' shared
sections are built once.

``score`` intersects a small index's term sets and probes a large one's tables once per
distinct term (``Index.probe_once``); which one runs is a matter of speed only.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from handoff_ai.rules import languages
from handoff_ai.rules._intent_build import _PROBE_ONCE
from handoff_ai.rules._intent_calibration import calibrated_index
from handoff_ai.rules._intent_index import score
from handoff_ai.rules._intent_words import CUSTOMER, tokens_of
from handoff_ai.taxonomy import IntentSpec, Taxonomy

CHATS = [
    (["I want a refund for order 12345", "it arrived broken", "please help"], ["sorry to hear that"], []),
    (["hi", "hello"], [], ["Ticket assigned"]),
    (["my password reset link never came", "I tried twice"], ["let me check your account"], []),
    (["cancel my subscription", "the plan is too expensive", "now", "today", "asap"], [], []),
    (["zzz qqq"], ["what is the refund method"], ["Identity verification in progress"]),
]


def _transcripts() -> Taxonomy:
    """Transcript examples: agent and event text get spaces of their own (no cross tables)."""
    return Taxonomy(
        intents=[
            IntentSpec(
                name="refund",
                description="money back for an order",
                keywords=["refund"],
                examples=["customer: I want my money back\nagent: what is the refund method"],
            ),
            IntentSpec(
                name="login",
                description="cannot sign in",
                keywords=["password", "reset link"],
                examples=["customer: the password reset link never came\nsystem: Ticket assigned"],
            ),
        ]
    )


@pytest.mark.parametrize("taxonomy", [Taxonomy.default(), _transcripts()], ids=["utterances", "transcripts"])
def test_probing_once_scores_as_intersecting(taxonomy: Taxonomy) -> None:
    index = calibrated_index(taxonomy)
    assert index.probe_once == (len(index.packed[CUSTOMER]) >= _PROBE_ONCE)
    other = replace(index, probe_once=not index.probe_once)
    for customer, agent, event in CHATS:
        groups = ([tokens_of(text) for text in customer], agent, event)
        assert score(index, *groups) == score(other, *groups)


def test_language_sections_are_built_once_and_follow_the_files() -> None:
    first = languages.language_section("note")
    assert languages.language_section("note") is first
    assert first == {code: data["note"] for code, data in languages.language_data().items() if "note" in data}
    languages.language_data.cache_clear()  # the files read again: the section is rebuilt
    try:
        again = languages.language_section("note")
        assert again == first
        assert again is not first
    finally:
        languages.language_data.cache_clear()
