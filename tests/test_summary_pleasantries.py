"""Where the case stands is never small talk: "Thanks for shopping with Acme" (its "Thanks"
cleaned off), "Good to hear", "Sounds good" or "I'll end this chat now" is skipped for the
agent's last informative statement."""

from __future__ import annotations

import pytest

import handoff_ai as ho


def _summary(last: str) -> str:
    conversation = ho.load(
        {
            "turns": [
                {
                    "speaker": "customer",
                    "text": "What are the washing instructions for the Michael Kors jacket I bought?",
                },
                {
                    "speaker": "agent",
                    "text": "That jacket is machine washable at 30 degrees if you turn it inside out.",
                },
                {"speaker": "customer", "text": "Great, thank you so much!"},
                {"speaker": "agent", "text": last},
            ]
        },
        id="pleasantries",
    )
    return ho.summarize(conversation).summary


@pytest.mark.parametrize(
    "last",
    [
        "Thanks for shopping with Acme and please contact us with any questions in the future.",
        "Thank you for contacting AcmeCorp, please stay safe.",
        "Good to hear, have a nice afternoon.",
        "Sounds good to me, glad I could help.",
        "I'll end this chat now, bye bye.",
        "Nice chatting with you today, Sam.",
        "Thank you for your patronage and have a wonderful rest of your day.",
        "Thanks for providing us with that information.",
        "Thank you for being a Silver member.",
        "Thanks for your support over the years.",
        "Thank you so much for contacting AcmeBrands customer service.",
        "I hope you enjoy the rest of your day.",
        "Any other questions today?",
        "Does that answer your question?",
        "Is there anything further I can assist you with today?",
        "I completely understand your frustration, Sam.",
        "Regards, Prashant",
        "Great, please let us know if we can be of further assistance.",
        "We appreciate you reaching out to us about this.",
        "Thanks for working with #Social.",
        "Hi Sam, that's great thanks for getting back to me.",
    ],
)
def test_small_talk_is_not_where_the_case_stands(last: str) -> None:
    summary = _summary(last)
    assert "machine washable at 30 degrees" in summary
    assert (
        last.split(",")[0].split(" and ")[0].lower().removeprefix("thanks ").removeprefix("thank you ")
        not in summary.lower()
    )


def test_an_informative_last_reply_still_counts() -> None:
    assert "replacement ships Friday" in _summary(
        "Good news: the replacement ships Friday from our Denver warehouse."
    )


def test_a_thank_you_followed_by_a_clause_that_says_something_still_counts() -> None:
    summary = _summary("Thanks for that info Sam, I will check whether the jacket ships in size L.")
    assert "check whether the jacket ships in size L" in summary


def test_understanding_followed_by_a_fact_still_counts() -> None:
    summary = _summary("I understand that the replacement jacket ships on Friday from our Denver warehouse.")
    assert "replacement jacket ships on Friday" in summary
