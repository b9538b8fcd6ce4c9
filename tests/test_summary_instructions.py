"""Where the case stands, as the agent said it: an instruction ("Turn left after the park…") is
"Agent asks the customer to turn left…", an interjection ("Omg,", "Ugh") is no part of the issue,
and a sentence cut with "…" still fits beside the issue instead of being left out."""

from __future__ import annotations

import pytest

import handoff_ai as ho
from handoff_ai.rules.summary import MAX_WORDS, _frame_agent, _frame_customer, _limit


def _summary(first: str, last: str) -> str:
    conversation = ho.load(
        {"turns": [{"speaker": "customer", "text": first}, {"speaker": "agent", "text": last}]}, id="steps"
    )
    return ho.summarize(conversation).summary


@pytest.mark.parametrize(
    ("said", "expected"),
    [
        ("Try logging out and in again.", "Agent asks the customer to try logging out and in again."),
        (
            "Turn left after the park and your destination will be on the left.",
            "Agent asks the customer to turn left after the park and their destination will be on the left.",
        ),
        ("Check your email for the code.", "Agent asks the customer to check their email for the code."),
        # nouns, not instructions
        ("Update will be out on Monday.", "Agent says Update will be out on Monday."),
        ("Check is in the mail.", "Agent says Check is in the mail."),
        ("Ride booked.", "Agent says Ride booked."),
        ("Call center hours are 9 to 5.", "Agent says Call center hours are 9 to 5."),
        ("Use of the app is free.", "Agent says Use of the app is free."),
        ("Contact details were sent to you.", "Agent says Contact details were sent to the customer."),
    ],
)
def test_an_instruction_is_reported_as_one(said: str, expected: str) -> None:
    assert _frame_agent("agent", said) == expected


def test_an_instruction_reaches_the_summary() -> None:
    summary = _summary(
        "My router shows a red globe and says there is no coax connection.",
        'Press and hold the blue "ONT Reset" button for 20 seconds.',
    )
    assert summary.endswith(
        'Agent asks the customer to press and hold the blue "ONT Reset" button for 20 seconds.'
    )


@pytest.mark.parametrize(
    ("first", "expected"),
    [
        ("Omg, I totally forgot my medicine instructions.", "Customer says they totally forgot"),
        ("ugh I took the wrong bus and I'm so lost.", "Customer says they took the wrong bus"),
        ("Wow, my card 4417 was charged three times.", "Customer says their card 4417 was charged"),
    ],
)
def test_an_interjection_is_no_part_of_the_issue(first: str, expected: str) -> None:
    assert _summary(first, "I have escalated this to our billing team.").startswith(expected)


def test_a_shouted_request_is_lower_cased_whole() -> None:
    assert (
        _frame_customer("HELP me GET IN THE DOOR") == "Customer asks the agent to help them GET IN THE DOOR."
    )


def test_a_cut_counts_its_ellipsis_as_a_word() -> None:
    text = " ".join(f"w{n}" for n in range(30))
    cut = _limit(text, 10)
    assert cut.endswith(" …") and len(cut.split()) == 10
    assert _limit("one two three", 3) == "one two three"


def test_a_cut_status_still_fits_beside_a_long_issue() -> None:
    issue = (
        "The website is running really slow so I want to find out what is going on because the "
        "website is not usable at this speed at all."
    )
    summary = _summary(
        issue,
        "Try using the search bar to search for an item to test out the speed of the pages you open.",
    )
    assert "Agent asks the customer to try using the search bar" in summary
    assert len(summary.split()) <= MAX_WORDS
