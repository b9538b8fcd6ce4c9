"""Reported speech reads like a note, not a quote: a customer's "Can you check my balance? …" is
"Customer asks the agent to check their balance. …", a later sentence of the quote starts with a
capital ("… is wrong. They want to check it."), and a question that opens the quote is asked."""

from __future__ import annotations

import pytest

import handoff_ai as ho
from handoff_ai.rules.restate import third_person


def _summary(first: str, *, answer: str = "agent") -> str:
    conversation = ho.load(
        {
            "turns": [
                {"speaker": answer, "text": "Hi, how can I help you today?"},
                {"speaker": "customer", "text": first},
                {"speaker": answer, "text": "I have escalated this to our billing team."},
            ]
        },
        id="requests",
    )
    return ho.summarize(conversation).summary


@pytest.mark.parametrize(
    ("first", "expected"),
    [
        (
            "can you check my bank balance? I was thinking of going to a restaurant today.",
            "Customer asks the agent to check their bank balance. They were thinking of going",
        ),
        ("Could you please cancel my order 5512?", "Customer asks the agent to cancel their order 5512."),
        (
            "can you guys explain why my refund of $40 was denied",
            "Customer asks the agent to explain why their refund of $40 was denied.",
        ),
        (
            "Would you tell me if my package 88123 shipped?",
            "Customer asks the agent to tell them if their package 88123 shipped.",
        ),
    ],
)
def test_a_polite_request_is_reported_as_a_request(first: str, expected: str) -> None:
    assert _summary(first).startswith(expected)


def test_a_bot_is_asked_when_only_a_bot_answered() -> None:
    summary = _summary("Can you reset my router 4412 remotely, please?", answer="bot")
    assert summary.startswith("Customer asks the bot to reset their router 4412 remotely.")


@pytest.mark.parametrize(
    "first",
    [
        "Could you be aware that my card 4111 was stolen?",  # not a request to do something
        "Can you believe my order 7781 is late again?!",
        "Would you like to know my order number? It is 5521.",
    ],
)
def test_what_is_not_a_request_to_act_is_left_as_said(first: str) -> None:
    assert "asks the agent to" not in _summary(first)


def test_a_question_that_opens_the_quote_is_asked() -> None:
    summary = _summary("When will my refund of $40 arrive? I need it for rent.")
    assert summary.startswith("Customer asks: when will their refund of $40 arrive?")


@pytest.mark.parametrize(
    ("text", "agent", "expected"),
    [
        (
            "The delivery time is wrong. i wanna check it.",
            False,
            "The delivery time is wrong. They wanna check it.",
        ),
        (
            "My name is Crystal. My card was charged twice!",
            False,
            "their name is Crystal. Their card was charged twice!",
        ),
        ("Is it late? I was told Monday.", False, "Is it late? They were told Monday."),
        ("It said “done.” I still see it.", False, "It said “done.” They still see it."),
        ("Sent it. you should see it now.", True, "Sent it. The customer should see it now."),
        ("My flight is 52. My name is Alina.", False, "their flight is 52. Their name is Alina."),
        ("No. I need a refund.", False, "No. They need a refund."),
        # no sentence ends before the pronoun: left in lower case
        ("I tried... my phone died.", False, "they tried... their phone died."),
        ("I spoke to Mr. me about it.", False, "they spoke to Mr. them about it."),
        ("Parts, e.g. my screen, broke.", False, "Parts, e.g. their screen, broke."),
        ("Call me at 5 p.m. my time.", False, "Call them at 5 p.m. their time."),
    ],
)
def test_a_pronoun_that_starts_a_later_sentence_gets_a_capital(text: str, agent: bool, expected: str) -> None:
    assert third_person(text, agent=agent) == expected


@pytest.mark.parametrize(
    ("said", "expected"),
    [
        (
            "Do you know how to reach your destination?",
            "Agent asks: does the customer know how to reach their destination?",
        ),
        ("Did you try to log out and back in?", "Agent asks: did the customer try to log out and back in?"),
        (
            "Did you have the receipt with you?",
            "Agent asks: did the customer have the receipt with the customer?",
        ),
        ("The internet light is red again?", "Agent asks: the internet light is red again?"),
        # no question mark: reported, not quoted
        ("When you log in, it crashes.", "Agent says when the customer log in, it crashes."),
        ("What a day.", "Agent says what a day."),
    ],
)
def test_a_question_in_its_own_words_is_quoted_as_one(said: str, expected: str) -> None:
    from handoff_ai.rules.summary import _frame_agent

    assert _frame_agent("agent", said) == expected


def test_a_customer_question_is_quoted_as_one() -> None:
    assert _summary("What is the weather like tomorrow in Chicago?").startswith(
        "Customer asks: what is the weather like tomorrow in Chicago?"
    )
