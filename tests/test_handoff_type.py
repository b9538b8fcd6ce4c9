"""Handoff type and trigger across the classes a human taking over would name.

Wording here is written for these tests (not copied from the understanding fixtures): a
shift hand-over note, an agent who says they took the ticket over, a second agent name,
a first-line agent escalating after a bot, a bot/system hand-off event, and the cases
that must stay as they were (the customer's request, one agent, a bot only).
"""

from __future__ import annotations

from typing import Any

import pytest

import handoff_ai as ho
from handoff_ai import Conversation, Message


def _conv(*turns: tuple[Any, ...]) -> Conversation:
    """``(role, text)`` or ``(role, text, {extra Message fields})`` -> messages m1, m2, ..."""
    return Conversation(
        messages=[
            Message(id=f"m{i}", role=t[0], text=t[1], **(t[2] if len(t) > 2 else {}))
            for i, t in enumerate(turns, start=1)
        ]
    )


def _handoff(*turns: tuple[Any, ...]) -> tuple[str | None, str | None, list[str]]:
    handoff = ho.summarize(_conv(*turns)).handoff
    return handoff.type, handoff.trigger, handoff.evidence


@pytest.mark.parametrize(
    "note",
    [
        "Going off shift now. Status: parts ordered. Next: confirm the courier slot.",
        "Handing over to the night team: customer wants the invoice re-issued in the company name.",
        "Shift handover - waiting on the warehouse count for SKU 4471.",
        "for whoever picks this up: the customer prefers email, not phone.",
        "I'm off until Thursday, Noor will take it from here.",
    ],
)
def test_internal_handover_note_is_agent_to_agent(note: str) -> None:
    got = _handoff(
        ("customer", "my parcel never arrived"),
        ("agent", "Sorry to hear that, I'm checking with the courier.", {"author": "Ines"}),
        ("agent", note, {"kind": "note", "author": "Ines"}),
    )
    assert got == ("agent_to_agent", "shift_change", ["m3"])


@pytest.mark.parametrize(
    "text",
    [
        "Hello, I've taken over your ticket from my colleague and I'm reading up now.",
        "Hi, I'm looking after your case today while Jo is out.",
        "Good morning! Taking over from the overnight desk - the replacement is on its way.",
    ],
)
def test_agent_who_takes_over_says_so(text: str) -> None:
    got = _handoff(
        ("customer", "the replacement still has not shipped"),
        ("agent", text),
    )
    assert got[:2] == ("agent_to_agent", "shift_change")


def test_a_second_agent_name_is_a_change_of_hands() -> None:
    got = _handoff(
        ("customer", "my card was charged twice"),
        ("agent", "I see two charges, I'll look into it.", {"author": "Tomasz"}),
        ("customer", "any news?"),
        ("agent", "Hi, I can see the duplicate and have reversed it.", {"author": "Aiko"}),
    )
    assert got == ("agent_to_agent", "new_agent", ["m4"])


def test_one_agent_throughout_is_no_handoff() -> None:
    got = _handoff(
        ("customer", "my card was charged twice"),
        ("agent", "I see two charges, I'll look into it.", {"author": "Tomasz"}),
        ("customer", "any news?"),
        ("agent", "Reversed, you'll see it in 3 days.", {"author": "Tomasz"}),
    )
    assert got[0] is None


def test_shift_words_from_the_customer_are_not_a_handover() -> None:
    got = _handoff(
        ("customer", "I work the night shift so please call after 6pm, it's handover time before that"),
        ("agent", "Noted, we'll call after 6pm."),
    )
    assert got[0] is None


def test_first_line_escalation_after_a_bot_wins_over_the_bot_transfer() -> None:
    got = _handoff(
        ("customer", "printer offline on every laptop"),
        ("bot", "Let me get you to a human agent."),
        ("agent", "Hi, Priya from first line. Can you print a config page?", {"author": "Priya"}),
        ("customer", "did that, still offline"),
        ("agent", "Thanks, I'm escalating this to our 2nd line network team.", {"author": "Priya"}),
    )
    assert got[:2] == ("tier_escalation", "agent_transfer")


def test_escalation_logged_in_an_internal_note() -> None:
    got = _handoff(
        ("customer", "the export button does nothing"),
        ("agent", "Could you send a screenshot of the console?", {"author": "Lars"}),
        (
            "agent",
            "Reproduced on staging. Escalated to Tier 3 engineering.",
            {"kind": "note", "author": "Lars"},
        ),
    )
    assert got == ("tier_escalation", "agent_transfer", ["m3"])


def test_agent_sends_to_supervisor() -> None:
    got = _handoff(
        ("customer", "please refund the cancellation fee"),
        ("agent", "I can't approve that myself, so I'm passing this to my supervisor today."),
    )
    assert got[:2] == ("tier_escalation", "agent_transfer")


def test_customer_request_stays_the_trigger_after_a_later_move() -> None:
    got = _handoff(
        ("bot", "Hi! Ask me anything."),
        ("customer", "talk to a human please"),
        ("agent", "Hi, Ana here. What's up?", {"author": "Ana"}),
        ("agent", "I'm escalating this to tier 2.", {"author": "Ana"}),
    )
    assert got[:2] == ("ai_to_human", "customer_request")


@pytest.mark.parametrize(
    "event",
    [
        'called handoff_to_human(queue="billing")',
        "handoff requested: queue=returns, reason=damaged_item",
        "Conversation hand-over to the support inbox",
    ],
)
def test_bot_handoff_event_is_ai_to_human(event: str) -> None:
    got = _handoff(
        ("customer", "the app charged me but no credits"),
        ("bot", "Sorry about that, let me check."),
        ("system", event, {"kind": "event"}),
    )
    assert got == ("ai_to_human", "reassignment", ["m3"])


def test_bot_hands_to_a_human_colleague() -> None:
    got = _handoff(
        ("customer", "cancel my order"),
        ("bot", "I can't do that here, I'll pass this to a human colleague."),
    )
    assert got[:2] == ("ai_to_human", "bot_transfer")


def test_agent_sending_an_email_is_not_a_transfer() -> None:
    got = _handoff(
        ("customer", "can I get the invoice?"),
        ("agent", "Sure, I'm sending this to your email address now."),
    )
    assert got[0] is None
