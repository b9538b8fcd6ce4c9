"""Actions already taken and the blocker, as the rules backend reports them."""

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


_EVENT = {"kind": "event"}

EVENTS = [
    ("Payment error: card declined", "failed"),
    ("Card was declined by the issuer", "failed"),
    ("Purchase validation in progress ...", "pending"),
    ("Identity verification in progess ...", "pending"),  # sic, as logged in ABCD
    ("Shipping address has been updated", "succeeded"),
    ("Account has been pulled up for Crystal Minh.", "succeeded"),
    ("agent opened the FAQ page", "unknown"),
]


@pytest.mark.parametrize(("text", "outcome"), EVENTS, ids=[e[0] for e in EVENTS])
def test_system_event_becomes_an_action(text: str, outcome: str) -> None:
    record = ho.summarize(_conv(("customer", "hi, I need help"), ("system", text, _EVENT)))
    assert [(a.actor, a.outcome, a.evidence) for a in record.actions_taken] == [("system", outcome, ["m2"])]
    assert record.actions_taken[0].description == text


STATEMENTS = [
    ("bot", "I've reset your password. Check your inbox.", "succeeded", "I've reset your password."),
    ("agent", "I have refunded the $20 to your card.", "succeeded", "I have refunded the $20 to your card."),
    (
        "agent",
        "Your report has been successfully submitted.",
        "succeeded",
        "Your report has been successfully submitted.",
    ),
    ("bot", "I'm unable to verify your account.", "failed", "I'm unable to verify your account."),
    ("bot", "I’m unable to verify your account.", "failed", "I’m unable to verify your account."),
    ("agent", "Sorry, we couldn't find that order.", "failed", "Sorry, we couldn't find that order."),
    (
        "agent",
        "I'll escalate this to our billing team.",
        "pending",
        "I'll escalate this to our billing team.",
    ),
    (
        "bot",
        "Your refund will be processed in 3 days.",
        "pending",
        "Your refund will be processed in 3 days.",
    ),
]


@pytest.mark.parametrize(
    ("role", "text", "outcome", "description"), STATEMENTS, ids=[s[1] for s in STATEMENTS]
)
def test_bot_and_agent_statements(role: str, text: str, outcome: str, description: str) -> None:
    record = ho.summarize(_conv(("customer", "I have a problem with my account"), (role, text)))
    assert [(a.actor, a.outcome, a.evidence, a.description) for a in record.actions_taken] == [
        (role, outcome, ["m2"], description)
    ]


def test_small_talk_is_not_an_action() -> None:
    record = ho.summarize(_conv(("customer", "hello"), ("agent", "Hi! How can I help you today?")))
    assert record.actions_taken == []


def test_customer_tried_and_it_failed() -> None:
    text = "I already restarted the router twice but it still doesn't work"
    record = ho.summarize(_conv(("customer", text)))
    assert [(a.actor, a.outcome, a.evidence) for a in record.actions_taken] == [
        ("customer", "failed", ["m1"])
    ]
    assert record.blocker is not None
    assert record.blocker.evidence == ["m1"]
    assert "restarted the router" in record.blocker.description.lower()
    assert "still doesn't work" in record.blocker.description  # the reason travels with the step


def test_customer_tried_then_says_it_did_not_help() -> None:
    record = ho.summarize(
        _conv(
            ("customer", "my internet is down"),
            ("bot", "Have you tried restarting the router?"),
            ("customer", "I already restarted the router"),
            ("customer", "still nothing, same error"),
        )
    )
    tried = [a for a in record.actions_taken if a.actor == "customer"]
    # One step: the bot's suggestion, the customer's "already did", and the reply that it failed.
    assert [(a.outcome, a.evidence) for a in tried] == [("failed", ["m2", "m3", "m4"])]


def test_openai_tool_call_and_result_are_one_action() -> None:
    messages = [
        {"role": "user", "content": "where is my order 12345678?"},
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {
                    "id": "call_1",
                    "type": "function",
                    "function": {"name": "lookup_order", "arguments": '{"order_id": "12345678"}'},
                }
            ],
        },
        {"role": "tool", "tool_call_id": "call_1", "content": '{"status": "error", "message": "not found"}'},
        {"role": "assistant", "content": "Sorry, I couldn't find that order."},
    ]
    conversation = ho.load(messages, format="openai")
    record = ho.summarize(conversation)
    # The call, its result and the bot's word about it ("I couldn't find that order") are one action.
    (call,) = record.actions_taken
    assert call.actor == "bot" and call.outcome == "failed"
    assert call.evidence == [m.id for m in conversation.messages[1:]]
    assert "lookup_order" in call.description and "not found" in call.description
    assert record.blocker is not None
    assert conversation.messages[3].id in record.blocker.evidence


def test_tool_call_without_result_stays_pending() -> None:
    conversation = ho.load(
        [
            {"role": "user", "content": "cancel my subscription"},
            {
                "role": "assistant",
                "content": None,
                "tool_calls": [
                    {"id": "c9", "type": "function", "function": {"name": "cancel", "arguments": "{}"}}
                ],
            },
        ],
        format="openai",
    )
    record = ho.summarize(conversation)
    assert [(a.actor, a.outcome) for a in record.actions_taken] == [("bot", "pending")]


# -- blocker ---------------------------------------------------------------------------

BLOCKERS = [
    # (turns, expected blocker evidence or None, text the description contains)
    ([("customer", "My card was declined at checkout")], ["m1"], "declined"),
    (
        [
            ("customer", "I need to change my address"),
            ("system", "Address update failed: invalid postcode", _EVENT),
        ],
        ["m2"],
        "Address update failed",
    ),
    (
        [
            ("system", "Payment error: card declined", _EVENT),
            ("customer", "and now the app crashes too"),
        ],
        ["m2"],
        "crashes",
    ),
    (
        [
            ("customer", "my wifi doesn't work"),
            ("agent", "Please restart the router."),
            ("customer", "that worked, thanks"),
        ],
        None,
        "",
    ),
    ([("customer", "hello"), ("agent", "hi, how can I help?")], None, ""),
]


@pytest.mark.parametrize(
    ("turns", "evidence", "contains"), BLOCKERS, ids=["problem", "event", "latest", "resolved", "none"]
)
def test_blocker(turns: list[tuple[Any, ...]], evidence: list[str] | None, contains: str) -> None:
    record = ho.summarize(_conv(*turns))
    if evidence is None:
        assert record.blocker is None
    else:
        assert record.blocker is not None
        assert record.blocker.evidence == evidence
        assert contains in record.blocker.description


def test_blocker_appears_in_next_steps() -> None:
    record = ho.summarize(_conv(("customer", "I can't log in to the app, it says error 403")))
    assert record.blocker is not None
    assert any(step.text.startswith("Resolve:") and step.evidence == ["m1"] for step in record.next_steps)
