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


# -- handoff: phrasings, look-alikes, types ------------------------------------------------

_BOT = ("bot", "Hi, I'm the virtual assistant. How can I help?")


@pytest.mark.parametrize(
    "text",
    [
        "AGENT!!!", "agent", "Representative please!!", "operator", "real person please", "can I talk to someone",
        "HUMAN PLEASE NOW", "I want to speak to a human", "can i speak with a representative about my bill",
        "get me a person, this bot is useless", "is there an actual human i can talk to",
    ],
)  # fmt: skip
def test_the_many_ways_to_ask_for_a_person(text: str) -> None:
    record = ho.summarize(_conv(_BOT, ("customer", text)))
    assert (record.handoff.type, record.handoff.trigger, record.handoff.evidence) == (
        "ai_to_human", "customer_request", ["m2"],
    )  # fmt: skip


@pytest.mark.parametrize(
    "text",
    [
        "the sales representative promised me a discount", "I'm the office manager, I pay the invoices",
        "the human agent yesterday was great", "don't transfer me, just fix it", "are you a bot?",
        "Agent said it shipped on Monday", "someone stole my card", "my travel agent booked the wrong date",
        "please do not escalate this, I only need the invoice", "my account manager left the company",
    ],
)  # fmt: skip
def test_look_alikes_are_not_requests_for_a_person(text: str) -> None:
    record = ho.summarize(_conv(_BOT, ("customer", text)))
    assert record.handoff.trigger is None, text
    assert "handoff_request" not in {s.kind for s in record.sentiment.frustration_signals}


def test_a_request_beside_a_look_alike_still_counts() -> None:
    record = ho.summarize(
        _conv(_BOT, ("customer", "the sales representative lied to me, I want to speak to a human now"))
    )
    assert record.handoff.trigger == "customer_request"


def test_an_agent_escalating_to_tier_2_is_a_tier_escalation() -> None:
    record = ho.summarize(
        _conv(("customer", "The export fails with error 500."), ("agent", "I'm escalating to Tier 2 now."))
    )
    assert (record.handoff.type, record.handoff.trigger) == ("tier_escalation", "agent_transfer")


def test_an_agent_transferring_sideways_is_agent_to_agent() -> None:
    record = ho.summarize(
        _conv(
            ("customer", "I was double charged."),
            ("agent", "I'm transferring you to our billing colleagues."),
        )
    )
    assert (record.handoff.type, record.handoff.trigger) == ("agent_to_agent", "agent_transfer")


def test_a_bot_assigning_to_a_team_is_ai_to_human() -> None:
    record = ho.summarize(
        _conv(
            ("customer", "my invoice is wrong"),
            ("bot", "Let me look that up."),
            ("system", "Conversation assigned to team Billing", {"kind": "event"}),
        )
    )
    assert (record.handoff.type, record.handoff.trigger, record.handoff.evidence) == (
        "ai_to_human", "reassignment", ["m3"],
    )  # fmt: skip


def test_a_reassignment_between_agents_is_agent_to_agent() -> None:
    record = ho.summarize(
        _conv(
            ("customer", "my invoice is wrong"),
            ("agent", "Let me look that up."),
            ("system", "Ticket reassigned to Priya", {"kind": "event"}),
        )
    )
    assert (record.handoff.type, record.handoff.trigger) == ("agent_to_agent", "reassignment")


def test_a_helpdesk_agent_replying_in_the_web_ui_is_no_channel_switch() -> None:
    record = ho.summarize(
        _conv(
            ("customer", "my order is late", {"channel": "email"}),
            ("agent", "Looking into it.", {"channel": "web"}),
            ("customer", "any news?", {"channel": "email"}),
            ("agent", "It ships today.", {"channel": "api"}),
        )
    )
    assert record.handoff.type is None
    assert not [e for e in record.history if e.kind == "channel_switch"]


def test_handoff_phrases_come_by_language_block(tmp_path: Any) -> None:
    extra = tmp_path / "fr.toml"
    extra.write_text('[languages.fr.cues]\nhandoff_request = ["parler à un humain", "un conseiller"]\n')
    backend = ho.RulesBackend(rules=extra)
    record = ho.summarize(_conv(_BOT, ("customer", "je veux parler à un humain")), backend=backend)
    assert record.handoff.trigger == "customer_request"


# -- impact and deadlines ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("Payroll runs Friday and the export is broken.", "Payroll runs Friday"),
        ("Since the update 50 users blocked at login. Please hurry.", "50 users blocked"),
        ("The laptop won't boot and I need it for work tomorrow.", "need it for work tomorrow"),
    ],
)
def test_impact_and_deadline_raise_urgency_with_the_reason(text: str, said: str) -> None:
    record = ho.summarize(_conv(("customer", text), ("agent", "Let me check.")))
    assert record.customer_impact is not None and said in record.customer_impact
    assert record.urgency.level in ("high", "urgent")
    assert any(said in reason for reason in record.urgency.reasons)
    assert record.urgency.evidence[0] == "m1"


def test_a_day_name_alone_is_no_deadline() -> None:
    record = ho.summarize(_conv(("customer", "I ordered a lamp on Friday, where do I see the invoice?")))
    assert record.urgency.level != "high" and record.customer_impact is None


def test_a_plain_problem_has_no_impact() -> None:
    record = ho.summarize(_conv(("customer", "The app crashes when I open settings.")))
    assert record.customer_impact is None and record.urgency.level == "normal"
