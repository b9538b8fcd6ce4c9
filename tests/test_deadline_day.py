""" "Today" is a deadline only when the customer asks or needs something by then.

On the dev sets most customer sentences with "today"/"tonight"/"this morning" told when
something happened ("I purchased the pass today", "two orders delivered today, both wrong")
or were courtesies ("thanks for helping me today", "that's all for today"), and each made the
record `high — time-bound request`.
"""

from __future__ import annotations

import pytest

from handoff_ai import summarize


def _urgency(text: str) -> tuple[str, list[str]]:
    record = summarize(
        {"messages": [{"role": "customer", "text": text}, {"role": "agent", "text": "Let me check."}]}
    )
    return record.urgency.level, record.urgency.reasons


@pytest.mark.parametrize(
    "text",
    [
        "I purchased the Battlefield 1 Premium Pass today and it did nothing",
        "thank you so much for helping me today",
        "No, I think that's all for today.",
        "Two orders delivered today, both deliveries screwed up!",
        "This morning it says restoring previous version of Windows for two hours",
        "Drinks on me tonight! 🎉",
    ],
)
def test_today_that_tells_when_is_no_deadline(text: str) -> None:
    _, reasons = _urgency(text)
    assert not any(reason.startswith("time-bound") for reason in reasons), reasons


@pytest.mark.parametrize(
    "text",
    [
        "Can you deliver it today?",
        "I need the replacement tonight, please",
        "Please get this fixed this afternoon",
        "The report is due today",  # "due today" is a deadline of its own
        "I have to have it by tonight",
    ],
)
def test_today_that_asks_or_needs_is_a_deadline(text: str) -> None:
    level, reasons = _urgency(text)
    assert level in ("high", "urgent") and any(reason.startswith("time-bound") for reason in reasons), reasons


def test_today_beside_an_impact_is_part_of_it() -> None:
    level, reasons = _urgency("Our payroll runs today and the payment system is down")
    assert level == "high"
    assert reasons[0] == "customer impact: Our payroll runs today and the payment system is down"
    assert "time-bound request" in reasons
