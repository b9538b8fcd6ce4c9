"""Sentiment, urgency, history and handoff signals from the rules backend."""

from __future__ import annotations

from typing import Any

import pytest

import handoff_ai as ho
from handoff_ai import Conversation, Message


def _conv(*turns: tuple[Any, ...]) -> Conversation:
    """``(role, text)`` or ``(role, text, {extra Message fields})`` -> a conversation with ids m1, m2, ..."""
    return Conversation(
        messages=[
            Message(id=f"m{i}", role=t[0], text=t[1], **(t[2] if len(t) > 2 else {}))
            for i, t in enumerate(turns, start=1)
        ]
    )


def _signals(turns: list[tuple[Any, ...]]) -> dict[str, list[str]]:
    record = ho.summarize(_conv(*turns))
    return {s.kind: s.evidence for s in record.sentiment.frustration_signals}


# -- handoff -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text", ["can I talk to a real person", "I want to speak to a human", "LIVE AGENT", "agent please"]
)
def test_customer_asks_for_a_human_with_a_bot(text: str) -> None:
    record = ho.summarize(
        _conv(("bot", "Hi, I'm the virtual assistant. How can I help?"), ("customer", text))
    )
    assert record.handoff.type == "ai_to_human"
    assert record.handoff.trigger == "customer_request"
    assert record.handoff.evidence == ["m2"]
    assert any(e.kind == "handoff_request" and e.evidence == ["m2"] for e in record.history)
    # Two words state no problem, so the summary may stay empty; when written, it says so.
    assert record.summary == "" or "asked for a human" in record.summary
    assert record.next_steps[0].evidence == ["m2"]


def test_customer_asks_for_a_human_without_a_bot() -> None:
    record = ho.summarize(_conv(("agent", "Hello, Sam here."), ("customer", "can I talk to a real person")))
    assert (record.handoff.type, record.handoff.trigger) == ("agent_to_agent", "customer_request")


def test_escalation_request() -> None:
    record = ho.summarize(
        _conv(("agent", "I can't refund that."), ("customer", "let me talk to your manager"))
    )
    assert (record.handoff.type, record.handoff.trigger) == ("tier_escalation", "escalation_request")


def test_bot_transfer() -> None:
    record = ho.summarize(
        _conv(("customer", "my bill is wrong"), ("bot", "I'm transferring you to an agent now."))
    )
    assert (record.handoff.type, record.handoff.trigger) == ("ai_to_human", "bot_transfer")
    assert any(e.kind == "transfer" and e.evidence == ["m2"] for e in record.history)


def test_no_handoff_in_a_plain_conversation() -> None:
    record = ho.summarize(_conv(("customer", "what are your opening hours?"), ("agent", "9 to 5.")))
    assert record.handoff.type is None and record.handoff.trigger is None


# -- frustration -----------------------------------------------------------------------

FRUSTRATION = [
    (
        [("customer", "my order never arrived"), ("customer", "THIS IS RIDICULOUS I WANT MY MONEY BACK")],
        "all_caps",
        ["m2"],
    ),
    ([("customer", "where is my package!!!")], "punctuation", ["m1"]),
    (
        [("customer", "hi"), ("agent", "how can I help?"), ("customer", "as I said, the app crashes")],
        "as_i_said",
        ["m3"],
    ),
    (
        [
            ("customer", "my package never arrived"),
            ("bot", "Sorry, I didn't understand."),
            ("customer", "My package never arrived."),
        ],
        "repeat",
        ["m3"],
    ),
    ([("customer", "fix it or I'm switching to a competitor")], "threat_to_leave", ["m1"]),
    ([("customer", "I want to cancel my account, this is unacceptable")], "threat_to_leave", ["m1"]),
    ([("customer", "this is a waste of time")], "negative_words", ["m1"]),
]


@pytest.mark.parametrize(
    ("turns", "kind", "evidence"), FRUSTRATION, ids=[f[1] + str(i) for i, f in enumerate(FRUSTRATION)]
)
def test_frustration_cue(turns: list[tuple[Any, ...]], kind: str, evidence: list[str]) -> None:
    record = ho.summarize(_conv(*turns))
    assert record.sentiment.label == "negative"
    found = {s.kind: s.evidence for s in record.sentiment.frustration_signals}
    assert found.get(kind) == evidence
    assert all(s.rule for s in record.sentiment.frustration_signals)


def test_frustration_cues_only_from_the_customer() -> None:
    found = _signals(
        [("agent", "AS I SAID!!! THIS IS RIDICULOUS, cancel my account"), ("customer", "ok, thank you")]
    )
    assert found == {}


def test_calm_and_grateful_customer() -> None:
    record = ho.summarize(
        _conv(("customer", "my parcel is late"), ("agent", "Resent."), ("customer", "great, thanks!"))
    )
    assert record.sentiment.label == "positive"
    assert record.sentiment.frustration_signals == []


def test_short_repeats_are_not_frustration() -> None:
    assert "repeat" not in _signals([("customer", "ok"), ("agent", "anything else?"), ("customer", "ok")])


# -- urgency ---------------------------------------------------------------------------

URGENCY = [
    ([("customer", "this is urgent, my site is down")], "urgent", ["m1"]),
    ([("customer", "please fix this ASAP")], "urgent", ["m1"]),
    ([("customer", "this is the third time I'm contacting you about this")], "high", ["m1"]),
    ([("customer", "I called yesterday about my refund")], "high", ["m1"]),
    ([("customer", "fix it or I'm switching to a competitor")], "high", ["m1"]),
    ([("customer", "how do I change my profile picture?")], "normal", []),
]


@pytest.mark.parametrize(("turns", "level", "evidence"), URGENCY, ids=[u[0][0][1][:30] for u in URGENCY])
def test_urgency(turns: list[tuple[Any, ...]], level: str, evidence: list[str]) -> None:
    record = ho.summarize(_conv(*turns))
    assert record.urgency.level == level
    assert record.urgency.evidence == evidence
    assert bool(record.urgency.reasons) == (level != "normal")


# -- history ---------------------------------------------------------------------------


def test_earlier_contact_is_a_history_event() -> None:
    record = ho.summarize(
        _conv(
            ("customer", "Hello."), ("customer", "This is the third time I'm contacting you about my refund.")
        )
    )
    assert record.sentiment.repeat_contact is True
    events = [e for e in record.history if e.kind == "earlier_contact"]
    assert [e.evidence for e in events] == [["m2"]]
    assert "third time" in events[0].description
    assert any("earlier contact" in s.text for s in record.next_steps)


def test_channel_switch_is_a_history_event() -> None:
    record = ho.summarize(
        _conv(
            ("customer", "my order is late", {"channel": "chat"}),
            ("agent", "Let me check.", {"channel": "chat"}),
            ("customer", "following up by email, any news?", {"channel": "email"}),
            ("agent", "Yes, it ships today.", {"channel": "email"}),
        )
    )
    switches = [e for e in record.history if e.kind == "channel_switch"]
    assert [(e.description, e.evidence) for e in switches] == [("Moved from chat to email", ["m3"])]
    assert record.handoff.type == "channel_switch"


def test_messages_without_a_channel_do_not_switch() -> None:
    record = ho.summarize(
        _conv(
            ("customer", "hi", {"channel": "chat"}),
            ("agent", "hello"),
            ("customer", "it broke", {"channel": "chat"}),
        )
    )
    assert not [e for e in record.history if e.kind == "channel_switch"]


def test_agent_joining_after_bot_is_a_transfer_event() -> None:
    record = ho.summarize(
        _conv(("customer", "refund please"), ("bot", "I can help with refunds."), ("agent", "Hi, Dana here."))
    )
    assert any(e.kind == "transfer" and e.evidence == ["m3"] for e in record.history)
