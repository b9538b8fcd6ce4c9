"""A reply split across posts ("…we're not always . . 1/2", ". . . able to guarantee
availability 2/2") is never quoted from its second part alone: that says the opposite of what
was meant. Nor is a part counter ("*AAB 3/3") the agent's statement."""

from __future__ import annotations

import handoff_ai as ho


def _summary(*agent: str) -> str:
    turns = [
        {
            "speaker": "customer",
            "text": "@shop the coat Jodie recommended is out of stock everywhere, can you find one?",
        }
    ]
    turns += [{"speaker": "agent", "text": text} for text in agent]
    return ho.summarize(ho.load({"turns": turns}, id="split")).summary


def test_the_second_part_of_a_split_reply_is_not_quoted_alone() -> None:
    summary = _summary(
        "@1234 Our products are subject to availability so we're not always . . 1/2",
        "@1234 . . . able to guarantee availability in certain areas, but we hope you find something similar. 2/2",
    )
    assert "able to guarantee" not in summary
    assert "says able" not in summary


def test_a_part_counter_is_not_the_statement() -> None:
    summary = _summary(
        "@1234 I will be sure to send your comments to our stock planning team for the next season... 1/2",
        "@1234 ...improvements to our service. *AAB 2/2",
    )
    assert "AAB" not in summary and "2/2" not in summary
    assert "stock planning team" in summary


def test_an_ordinary_reply_ending_in_a_date_still_counts() -> None:
    assert "arrives 3/4" in _summary("@1234 Good news, a new coat in your size arrives 3/4")
