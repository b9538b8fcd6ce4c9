"""The blocker's kinds of understanding (issue 11, item 3), on conversations worded unlike the
fixtures: a tool call's error result, a diagnosis stated by an agent, an internal note's finding
(not its routing line), failed steps after the problem they were meant to fix, an error code from
the problem's own message, an acknowledgment after work done, a shift note's open items; and
what must not become a blocker."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

import handoff_ai as ho
from handoff_ai import Conversation, Message

START = datetime(2026, 4, 14, 9, 0, tzinfo=timezone.utc)  # a Tuesday


def _conv(*turns: tuple[Any, ...]) -> Conversation:
    """``(role, text)`` or ``(role, text, {extra Message fields})``, a minute apart, ids m1, m2, …"""
    return Conversation(
        messages=[
            Message(
                id=f"m{i}",
                role=t[0],
                text=t[1],
                timestamp=START + timedelta(minutes=i),
                **(t[2] if len(t) > 2 else {}),
            )
            for i, t in enumerate(turns, start=1)
        ]
    )


def _blocker(conversation: Conversation) -> str | None:
    record = ho.summarize(conversation)
    return record.blocker.description if record.blocker else None


_EVENT = {"kind": "event"}
_NOTE = {"kind": "note"}


# -- failed tool calls ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "result",
    [
        "reserve_seat(flight=LH 404, seat=12C) -> 409 CONFLICT: seat already held",
        "update_address(id=A-77) → HTTP 500 internal error",
        "apply_coupon(code=SPRING) => RATE_LIMITED, retry later",
    ],
)
def test_a_tool_call_whose_result_is_an_error_is_the_blocker(result: str) -> None:
    found = _blocker(
        _conv(
            ("customer", "pls do it for me, thx"),
            ("system", result, _EVENT),
            ("bot", "Anything else I can do for you today? 😊"),
        )
    )
    assert found is not None and found.startswith("Failed:") and result.split("(")[0] in found


def test_a_tool_call_that_went_through_is_no_failure() -> None:
    found = _blocker(
        _conv(
            ("customer", "please move my seat to the aisle"),
            ("system", "reserve_seat(flight=LH 404, seat=12C) -> 200 OK, seat held until 18:00", _EVENT),
            ("bot", "Done, 12C is yours."),
            ("customer", "great, thank you!"),
        )
    )
    assert found is None


# -- a diagnosis stated by the agent, an internal note's finding ------------------------------


def test_an_agents_diagnosis_in_a_reply_is_the_blocker() -> None:
    found = _blocker(
        _conv(
            ("customer", "The SCANNER app won't start on my tablet anymore!!"),
            (
                "agent",
                "Thanks for waiting. The crash report shows the licence file is CORRUPTED on our side.",
            ),
        )
    )
    assert found is not None and "corrupted" in found.lower() and found.startswith("Found by the agent:")


@pytest.mark.parametrize(
    "text",
    [
        "I can see your order left our warehouse this morning.",  # no fault named
        "Could the logs show something on your side?",  # a question
        "Our logs show nothing unusual, everything looks fine.",
    ],
)
def test_an_agent_reading_logs_without_a_fault_is_no_finding(text: str) -> None:
    found = _blocker(_conv(("customer", "hi, where is my parcel"), ("agent", text)))
    assert found is None or not found.startswith("Found by")


def test_a_notes_finding_wins_over_its_routing_line() -> None:
    found = _blocker(
        _conv(
            ("customer", "sync keeps failing since monday"),
            (
                "agent",
                "Checked the tenant: webhook secret rotated on their side, our copy is stale. "
                "Escalated to Tier 2.",
                _NOTE,
            ),
        )
    )
    assert found is not None and "webhook secret rotated" in found and "Escalated" not in found


def test_a_note_that_only_routes_the_case_is_no_finding() -> None:
    found = _blocker(
        _conv(
            ("customer", "My export fails with error 1205."),
            ("agent", "Escalating to Tier 2 now.", _NOTE),
        )
    )
    assert found is not None and "1205" in found and "Escalating" not in found


def test_a_condition_in_a_note_is_no_finding() -> None:
    found = _blocker(
        _conv(
            ("customer", "where is my money back?"),
            ("agent", "Your refund was issued today.", {}),
            ("agent", "- ping her on Friday if the bank hasn't confirmed", _NOTE),
        )
    )
    assert found is None or not found.startswith("Internal note:")  # an open next step, not a finding


# -- failed steps after the problem they were meant to fix ------------------------------------


def test_failed_steps_follow_the_customers_problem_statement() -> None:
    found = _blocker(
        _conv(
            ("customer", "hey, my smart plug goes offline every night 😩 the app shows error E-51"),
            ("agent", "Could you try moving the plug closer to the router?"),
            ("customer", "moved it next to the router, still offline"),
            ("agent", "Please also try a factory reset (hold the button 10s)."),
            ("customer", "did that too. no change."),
        )
    )
    assert found is not None
    assert found.lower().startswith("hey, my smart plug goes offline")
    assert "E-51" in found and "still not working after" in found


def test_an_error_line_of_the_problem_message_is_reported() -> None:
    found = _blocker(
        _conv(
            (
                "customer",
                "the nightly import keeps failing:\n```java.net.SocketTimeoutException: Read timed out```",
            ),
            ("agent", "Thanks, looking into it."),
        )
    )
    assert found is not None and "SocketTimeoutException" in found


def test_an_invoice_number_or_a_file_name_is_not_reported_as_an_error() -> None:
    found = _blocker(
        _conv(
            ("customer", "I was charged twice this month!"),
            ("agent", "Which invoices?"),
            ("customer", "INV-2026-0311 and INV-2026-0312, screenshot IMG-20260414-WA0007.jpg"),
        )
    )
    assert found is not None and "INV-2026" not in found and "WA0007" not in found


def test_the_customers_problem_in_plain_words_is_found() -> None:
    found = _blocker(
        _conv(
            ("customer", "tracking says delivered but NOTHING is at my door"),
            ("bot", "Sorry, I didn't get that. Can you rephrase?"),
            ("customer", "the box never came, my neighbours don't have it either"),
        )
    )
    assert found is not None and ("never came" in found or "nothing is at" in found.lower())


# -- met, accepted, answered: no blocker ------------------------------------------------------


def test_an_acknowledgment_after_work_done_leaves_nothing_open() -> None:
    found = _blocker(
        _conv(
            ("customer", "you charged me for a cancelled order, I want my money back"),
            ("agent", "I've just refunded the €24.99 to your card; banks take 3–5 business days."),
            ("customer", "ok. and if it doesn't show up?"),
            ("agent", "Then reply here and I'll chase it with the bank."),
        )
    )
    assert found is None


@pytest.mark.parametrize(
    "reply",
    [
        "ok but the money is still not there",
        "okay, however it still shows the charge",
        "ok?? it didn't work",
    ],
)
def test_an_acknowledgment_with_but_or_a_problem_keeps_it_open(reply: str) -> None:
    found = _blocker(
        _conv(
            ("customer", "you charged me twice for a cancelled order"),
            ("agent", "I've just refunded the €24.99 to your card."),
            ("customer", reply),
        )
    )
    assert found is not None


def test_an_acknowledgment_without_work_done_leaves_the_problem_open() -> None:
    found = _blocker(
        _conv(
            ("customer", "my router's DSL light keeps blinking and there is no internet"),
            ("agent", "Let me check with the network team."),
            ("customer", "ok"),
        )
    )
    assert found is not None and "no internet" in found


# -- a shift note's open items -----------------------------------------------------------------


def test_a_shift_note_without_status_leaves_its_promises_open() -> None:
    found = _blocker(
        _conv(
            ("customer", "my e-scooter battery died after 2 weeks"),
            ("agent", "Sorry! I've opened RMA R-5512 and a courier collects it Thursday."),
            (
                "agent",
                "Going home.\nPromised customer: courier pickup Thursday AM, loaner scooter by Friday\n"
                "Next: confirm pickup slot with Parcelly",
                _NOTE,
            ),
        )
    )
    assert found is not None and found.startswith("Open:") and "courier pickup" in found


def test_a_shift_note_does_not_reopen_a_case_the_customer_closed() -> None:
    found = _blocker(
        _conv(
            ("customer", "password reset link never arrives"),
            ("agent", "I've resent it to your work address."),
            ("customer", "got it now, works, thanks! all good"),
            ("agent", "Wrapping up.\nNext: send the satisfaction survey tomorrow", _NOTE),
        )
    )
    assert found is None


def test_the_customer_speaking_after_the_note_keeps_their_problem() -> None:
    found = _blocker(
        _conv(
            ("customer", "Still no refund of my $80 deposit!"),
            ("agent", "Handover.\nNext: check the payout batch on Monday", _NOTE),
            ("customer", "two weeks now?? I'm filing a dispute if it's not there by Friday"),
        )
    )
    assert found is not None and not found.startswith("Open:")


def test_a_french_agent_diagnosis_is_read_and_labelled_in_french() -> None:
    record = ho.summarize(
        _conv(
            ("customer", "Bonjour, l'appli plante dès que j'ouvre une facture."),
            ("agent", "Merci. Le journal indique une erreur NullPointerException dans le lecteur PDF."),
        )
    )
    assert record.blocker is not None and "NullPointerException" in record.blocker.description
    assert record.blocker.description.startswith("Constaté par l'agent")


def test_a_bots_vague_failure_gets_the_error_the_customer_reported() -> None:
    found = _blocker(
        _conv(
            (
                "customer",
                'Since this morning your API returns 403 on every upload. Body: {"code":"token_scope_missing"}',
            ),
            ("bot", "It seems your token may not be valid. Have you created a new one?"),
            ("customer", "yes, created it 10 min ago, same thing"),
        )
    )
    assert found is not None and ("403" in found or "token_scope_missing" in found)
