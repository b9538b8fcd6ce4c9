"""A step the agent asks for in a roundabout way is still a step tried: "the next thing I can ask
you to do is clear out your cookies", "I would ask you to…", "I'll have you…", "what you can do
is…" — with its outcome from the customer's reply. A question for facts in the same words is not."""

from __future__ import annotations

import pytest

import handoff_ai as ho


def _steps(agent: str, reply: str = "That worked. Thank you") -> list[tuple[str, str]]:
    conversation = ho.load(
        {
            "turns": [
                {
                    "speaker": "customer",
                    "text": "Every time I search for an item it comes back with 0 results.",
                },
                {"speaker": "agent", "text": agent},
                {"speaker": "customer", "text": "Okay. Let me try that now"},
                {"speaker": "customer", "text": reply},
            ]
        },
        id="openers",
    )
    return [(a.description, a.outcome) for a in ho.summarize(conversation).actions_taken]


@pytest.mark.parametrize(
    ("agent", "step"),
    [
        ("Well the next thing I can ask you to do is clear out your cookies.", "Clear out your cookies"),
        ("Next, I would ask you to clear your cookies.", "Clear your cookies"),
        ("What you can do is log out and back in.", "Log out and back in"),
        ("I'll have you restart the app.", "Restart the app"),
        ("The next thing to try is reinstalling the app.", "Reinstalling the app"),
    ],
)
def test_a_roundabout_suggestion_is_a_step_with_its_outcome(agent: str, step: str) -> None:
    steps = _steps(agent)
    assert len(steps) == 1
    assert steps[0][0].startswith(step) and steps[0][1] == "succeeded"
    assert _steps(agent, "No, that did not help.")[0][1] == "failed"


def test_asking_for_a_fact_in_those_words_is_no_step() -> None:
    assert _steps("I would ask you to tell me your email address.") == []
