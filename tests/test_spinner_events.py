"""A logged progress line that trails off is a spinner: pending only while nothing follows it.

ABCD dev had 692 "… System: Purchase validation in progress ... — pending" items: the agent
went on, so nothing was waiting on them; a person taking over read them as open work.
"""

from __future__ import annotations

import pytest

from handoff_ai import summarize
from handoff_ai.models import Action


def _outcome(record: object, text: str) -> str:
    actions: list[Action] = record.actions_taken  # type: ignore[attr-defined]
    return next(a.outcome for a in actions if a.description.startswith(text))


def _chat(*turns: tuple[str, str]) -> dict[str, object]:
    return {"messages": [{"role": role, "text": text} for role, text in turns]}


@pytest.mark.parametrize(
    "spinner", ["Purchase validation in progress ...", "Looking up your order…", "Processing refund..."]
)
def test_a_spinner_the_conversation_went_past_is_not_pending(spinner: str) -> None:
    record = summarize(
        _chat(
            ("customer", "I was charged for an order I never made, order 4671341202."),
            ("system", spinner),
            ("agent", "I see the order. A refund has been issued to your card."),
        )
    )
    assert _outcome(record, spinner.rstrip(".…")) == "unknown"


def test_a_spinner_that_is_the_last_message_is_still_pending() -> None:
    record = summarize(
        _chat(
            ("customer", "I was charged for an order I never made, order 4671341202."),
            ("system", "Purchase validation in progress ..."),
        )
    )
    assert _outcome(record, "Purchase validation in progress") == "pending"


def test_a_pending_status_that_does_not_trail_off_stays_pending() -> None:
    record = summarize(
        _chat(
            ("customer", "My refund still has not arrived."),
            ("system", "Refund request pending review by the payments team"),
            ("agent", "Your refund is with our payments team, they will review it within 2 days."),
        )
    )
    assert _outcome(record, "Refund request pending review") == "pending"
