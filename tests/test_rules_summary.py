"""The record's summary: the customer's issue, then where it stands (rules/summary.py)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import handoff_ai as ho
from handoff_ai import Conversation, Message
from handoff_ai.rules.phrases import CueReader
from handoff_ai.rules.ruleset import load_rules
from handoff_ai.rules.summary import MAX_WORDS, build_summary, third_person


def _conv(*turns: tuple[Any, ...]) -> Conversation:
    return Conversation(
        messages=[
            Message(id=f"m{i}", role=t[0], text=t[1], **(t[2] if len(t) > 2 else {}))
            for i, t in enumerate(turns, start=1)
        ]
    )


def _summary(*turns: tuple[Any, ...]) -> str:
    return ho.summarize(_conv(*turns)).summary


def test_issue_then_where_it_stands_in_the_third_person() -> None:
    summary = _summary(
        ("customer", "Hi!"),
        ("customer", "Since version 2.3.1 the app crashes whenever I open my invoices."),
        ("agent", "Sorry about that. I have reset your session, please log in again."),
    )
    assert summary.startswith(
        "Customer says since version 2.3.1 the app crashes whenever they open their invoices."
    )
    assert summary.endswith("Agent says they have reset their session, please log in again.")
    assert "Hi" not in summary.split(".")[0]


def test_values_are_never_cut() -> None:
    summary = _summary(
        ("customer", "I was charged $84.50 twice on order A-1.2. My email is j.doe@example.com."),
        ("agent", "Thanks, checking now."),
    )
    assert "$84.50" in summary and "A-1.2" in summary
    assert "$84 " not in summary and "My email j" not in summary


def test_a_greeting_or_vague_first_line_is_not_the_issue() -> None:
    summary = _summary(
        ("customer", "Hello there"),
        ("customer", "I need help!!"),
        ("customer", "My parcel 7731 was marked delivered on Monday but it never arrived at my flat."),
        ("agent", "I'm sorry. Could you confirm the delivery address for order 7731?"),
    )
    assert "parcel 7731 was marked delivered on Monday but it never arrived at their flat" in summary
    assert "I need help" not in summary


def test_agent_requests_read_as_requests() -> None:
    summary = _summary(
        ("customer", "My refund for the cancelled flight still has not arrived after three weeks."),
        ("agent", "Please DM us your booking reference and we'll look into it."),
    )
    assert "Agent asks the customer to DM them their booking reference" in summary


def test_long_messages_stay_within_the_word_limit_and_cut_at_a_word() -> None:
    long = "The export to CSV fails with error 500 " + "and then the page reloads " * 40 + "."
    summary = _summary(("customer", long), ("agent", "We are looking into the export error. " * 10))
    assert len(summary.split()) <= MAX_WORDS
    assert "…" in summary
    assert re.search(r"\w…", summary) is None or " …" in summary  # never "erro…"


def test_commitments_and_handoff_say_where_it_stands() -> None:
    @dataclass
    class Promise:
        text: str

    conversation = _conv(
        ("customer", "My card was charged twice for the same order yesterday."),
        ("bot", "I can't help with that."),
        ("customer", "let me talk to a real person"),
    )
    cues = CueReader(load_rules().phrases)
    record = ho.summarize(conversation)
    summary = build_summary(
        conversation,
        cues,
        handoff=record.handoff,
        commitments=[Promise("Refund the duplicate charge within 5 business days")],
    )
    assert summary.startswith("Customer says their card was charged twice for the same order yesterday.")
    assert "Promised: Refund the duplicate charge within 5 business days." in summary
    assert "The customer asked for a human." in summary


def test_blocker_from_another_message_is_named() -> None:
    summary = _summary(
        ("customer", "I can't log in to the billing portal since this morning."),
        ("agent", "Please try resetting your password from the login page."),
        ("customer", "I did, the reset link says the token is invalid."),
    )
    assert summary.startswith("Customer says they can't log in to the billing portal since this morning.")


def test_nothing_to_stand_on_gives_an_empty_summary() -> None:
    assert _summary(("bot", "Welcome! How can I help?"), ("customer", "hi")) == ""
    assert _summary() == ""


def test_twitter_handles_links_emoji_and_signatures_are_dropped() -> None:
    # Shaped like TweetSumm (IBM, CC0 annotations; text from the public Customer Support on Twitter corpus).
    summary = _summary(
        (
            "customer",
            "@AmazonHelp ok, I need to change the shipping address on some shipments 😩 https://t.co/x1",
        ),
        (
            "agent",
            "@183043 If the order hasn't entered the shipping process, you can change it in Your Orders. ^KM",
        ),
    )
    assert summary.startswith("Customer says they need to change the shipping address on some shipments.")
    assert "@" not in summary and "http" not in summary and "^KM" not in summary and "😩" not in summary


def test_same_input_same_summary() -> None:
    turns = (
        ("customer", "Mi pedido 5521 no ha llegado y ya pasaron dos semanas."),
        ("agent", "Lo siento, ¿puede confirmar su dirección?"),
    )
    assert _summary(*turns) == _summary(*turns)
    assert "5521" in _summary(*turns)


@pytest.mark.parametrize(
    ("text", "agent", "expected"),
    [
        ("I am sure my order is lost", False, "they are sure their order is lost"),
        ("I was told we'd get it", False, "they were told they'd get it"),
        ("Email me at me@example.com in the US", False, "Email them at me@example.com in the US"),
        (
            "We can refund you if you're eligible",
            True,
            "they can refund the customer if the customer is eligible",
        ),
    ],
)
def test_third_person(text: str, agent: bool, expected: str) -> None:
    assert third_person(text, agent=agent) == expected


_VALUE = st.from_regex(
    r"(?:\$\d{1,3}\.\d\d|v\d\.\d\.\d|[a-z]{2,5}\.[a-z]{2,5}@example\.com|\d{1,2}\.\d\d)", fullmatch=True
)
_WORDS = st.sampled_from(["my", "order", "app", "crashes", "since", "refund", "broken", "the", "I", "paid"])


@settings(max_examples=30, deadline=None)
@given(st.lists(st.one_of(_VALUE, _WORDS), min_size=4, max_size=40), st.sampled_from([". ", "! ", " "]))
def test_a_value_in_the_summary_is_a_whole_value_of_the_conversation(parts: list[str], end: str) -> None:
    text = " ".join(parts) + end + "It still does not work."
    summary = _summary(("customer", text), ("agent", "Checking now."))
    assert len(summary.split()) <= MAX_WORDS
    said = {token.rstrip(".,;:!?") for token in text.split()}
    for token in summary.split():
        token = token.strip("“”„«»").rstrip(".,;:!?…")  # a quoted summary wraps the words it quotes
        if any(c.isdigit() for c in token) or "@" in token:
            assert token in said, (token, text, summary)


def test_credentials_never_reach_the_summary() -> None:
    summary = _summary(
        (
            "customer",
            "Sarah Brown, date of birth 29/02/1980, security question 1 sanders, security question 2 nemo.",
        ),
        ("agent", "Right, and your PIN as well please."),
        ("customer", "Here's the problem. It's either 3100 or 5380."),
        ("agent", "Your temporary password is Xy7-Plum. Your report has been submitted."),
    )
    for secret in ("sanders", "nemo", "3100", "5380", "Xy7-Plum"):
        assert secret not in summary, summary


def test_beside_a_credential_only_the_problem_is_quoted() -> None:
    summary = _summary(
        ("customer", "I forgot my PIN. It's either 3100 or 5380, I think."), ("agent", "Let me help.")
    )
    assert summary.startswith("Customer says they forgot their PIN.")
    assert "3100" not in summary and "5380" not in summary
