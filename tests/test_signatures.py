"""An agent's signature is not part of what they said: "^Raj" glued to the sentence ("…to help.^Raj"),
a sign-off with a name ("…change.Thanks- Ed") and "asap ^HP" in a promise are dropped from the
summary and the commitment text; a caret or dash inside the text stays."""

from __future__ import annotations

import pytest

import handoff_ai as ho
from handoff_ai.rules.restate import clean, strip_signature


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The tickets are valid for travel tomorrow.^BTA", "The tickets are valid for travel tomorrow."),
        ("We're always here to help.^Raj.", "We're always here to help."),
        ("Please check this link. ^Sahil", "Please check this link."),
        ("You may do so or make a flight change.Thanks- Ed", "You may do so or make a flight change."),
        ("Reset the router and try again -Bob", "Reset the router and try again"),
        ("We'll check things backstage /MU", "We'll check things backstage"),
        # not signatures
        ("The area is 5^3 metres", "The area is 5^3 metres"),
        ("We use a well-known tool", "We use a well-known tool"),
        ("Battery at 80% - Normal", "Battery at 80% - Normal"),
        ("We're open 24/7", "We're open 24/7"),
        ("See the docs at /Docs", "See the docs at /Docs"),
        ("Choose A / B", "Choose A / B"),
    ],
)
def test_a_closing_signature_is_cleaned_off(text: str, expected: str) -> None:
    assert clean(text) == expected


def test_strip_signature_leaves_the_promise() -> None:
    assert strip_signature("A member of the team will get back to you asap ^HP") == (
        "A member of the team will get back to you asap"
    )


def test_a_promise_and_the_summary_carry_no_signature() -> None:
    conversation = ho.load(
        {
            "turns": [
                {
                    "speaker": "customer",
                    "text": "My train 2007 from Euston was cancelled and I need a refund of £45.",
                },
                {
                    "speaker": "agent",
                    "text": "Sorry to hear that. A member of the team will get back to you by tomorrow ^HP",
                },
            ]
        },
        id="signed",
    )
    record = ho.summarize(conversation)
    assert [c.text for c in record.commitments] == ["A member of the team will get back to you by tomorrow"]
    assert "^HP" not in record.summary
