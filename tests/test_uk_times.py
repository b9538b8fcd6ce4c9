"""A time written the British way ("7.43 am", "11.45am") is one time, not "43 am"."""

from __future__ import annotations

import pytest

from handoff_ai import summarize


def _times(text: str) -> list[str]:
    record = summarize({"messages": [{"role": "customer", "text": text}]})
    return [fact.value for fact in record.facts if fact.kind == "time"]


@pytest.mark.parametrize(
    ("text", "time"),
    [
        ("Why are you selling super off peak at 7.43 am if it is not valid?", "7.43 am"),
        ("it is 11.45am and nobody answers", "11.45am"),
        ("got to sleep 1.30 am, now back to the airport", "1.30 am"),
        ("my train is at 10:30 pm tonight", "10:30 pm"),
        ("call me at 3pm please", "3pm"),
    ],
)
def test_one_time(text: str, time: str) -> None:
    assert _times(text) == [time]


@pytest.mark.parametrize(
    "text", ["I paid 84.50 and nothing arrived", "version 2.25 crashes", "it costs 7.99 per month"]
)
def test_decimals_are_not_times(text: str) -> None:
    assert _times(text) == []
