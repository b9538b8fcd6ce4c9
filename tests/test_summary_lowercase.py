"""Reported speech reads as one sentence: "Customer says someone stole $500", not "Customer says
Someone stole $500" — a common word that opened the customer's sentence is lower-cased, also
when a comma follows it ("However, …"); a name keeps its capital."""

from __future__ import annotations

import pytest

import handoff_ai as ho


def _summary(first: str) -> str:
    conversation = ho.load(
        {
            "turns": [
                {"speaker": "agent", "text": "Hi, how can I help you today?"},
                {"speaker": "customer", "text": first},
                {"speaker": "agent", "text": "I have escalated this to our fraud team."},
            ]
        },
        id="lower",
    )
    return ho.summarize(conversation).summary


@pytest.mark.parametrize(
    ("first", "expected"),
    [
        ("Someone took $500 out of my checking account last night.", "Customer says someone took $500"),
        (
            "However, every time I search for an item it comes back with 0 results.",
            "Customer says however, every time",
        ),
        ("Sorry, I can't remember if I paid the membership fee.", "Customer says sorry, they can't remember"),
        (
            "Sometimes the checkout page freezes when I add a promo code.",
            "Customer says sometimes the checkout page",
        ),
    ],
)
def test_a_common_first_word_is_lower_cased(first: str, expected: str) -> None:
    assert _summary(first).startswith(expected)


def test_a_name_keeps_its_capital() -> None:
    assert _summary("Amazon charged my card twice for the same order.").startswith(
        "Customer says Amazon charged"
    )
