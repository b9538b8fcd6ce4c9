"""An agent saying the work failed is a failed step, however it is put: "Unfortunately I wasn't able
to update your booking", "I Couldn't reset it" (any case), "we weren't able to refund it"."""

from __future__ import annotations

import pytest

import handoff_ai as ho


def _actions(agent: str) -> list[tuple[str, str]]:
    conversation = ho.load(
        {
            "turns": [
                {"speaker": "customer", "text": "Can you update my booking 4471 to leave from the airport?"},
                {"speaker": "agent", "text": agent},
                {"speaker": "customer", "text": "That's too bad."},
            ]
        },
        id="failed",
    )
    record = ho.summarize(conversation)
    return [(a.description, a.outcome) for a in record.actions_taken]


@pytest.mark.parametrize(
    ("agent", "step"),
    [
        (
            "Unfortunately I wasn't able to update your booking, sorry.",
            "I wasn't able to update your booking",
        ),
        (
            "Sorry, we weren't able to update the booking today.",
            "We weren't able to update the booking today.",
        ),
        ("I Couldn't update your booking.", "I Couldn't update your booking."),
        ("UNFORTUNATELY I CANNOT UPDATE THAT BOOKING.", "I CANNOT UPDATE THAT BOOKING."),
    ],
)
def test_a_failure_the_agent_states_is_a_failed_step(agent: str, step: str) -> None:
    assert (step, "failed") in _actions(agent)


def test_being_able_to_is_no_failure() -> None:
    assert all(outcome != "failed" for _, outcome in _actions("I was able to update your booking to 5 pm."))


def test_a_bare_restatement_of_a_failed_call_leaves_the_call_as_the_blocker() -> None:
    conversation = ho.load(
        {
            "messages": [
                {"role": "user", "content": "need to move my flight ABC123 from 14 May to 16 May"},
                {
                    "role": "assistant",
                    "content": None,
                    "tool_calls": [
                        {
                            "id": "c1",
                            "type": "function",
                            "function": {"name": "change_flight", "arguments": '{"pnr": "ABC123"}'},
                        }
                    ],
                },
                {
                    "role": "tool",
                    "tool_call_id": "c1",
                    "content": '{"error": "FARE_RULE_VIOLATION", "message": "BASIC fares are non-changeable"}',
                },
                {"role": "assistant", "content": "Sorry, I wasn't able to do that."},
                {"role": "user", "content": "so can i change it or not??"},
            ]
        },
        id="restated",
    )
    record = ho.summarize(conversation)
    assert record.blocker is not None and "non-changeable" in record.blocker.description
    assert all("able to do that" not in a.description for a in record.actions_taken)


def test_a_refusal_in_the_same_words_is_still_a_failed_step() -> None:
    assert ("I cannot do that", "failed") in [
        (d.rstrip("."), o) for d, o in _actions("Sorry, I cannot do that.")
    ]
