"""Commitments (issue 11, item 6) worded unlike the fixtures: present-tense estimates, booked
appointments, "you'll hear back", follow-up checks with a due time, two promises in one
sentence, e-mail soft wraps, spans counted from an event; and what must stay out (a customer's
"I will …", a question, a hypothetical, "we can't promise", an estimate that did not hold)."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from handoff_ai.models import Commitment, Conversation, Message
from handoff_ai.rules.commitments import extract_commitments, promises_in
from handoff_ai.rules.shift_note import note_commitments, read_shift_notes

FRIDAY = datetime(2026, 5, 8, 16, 45, tzinfo=timezone.utc)  # a Friday


def said(text: str, role: str = "agent") -> list[Commitment]:
    return promises_in(Message(id="m1", role=role, text=text, timestamp=FRIDAY))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "due", "due_iso"),
    [
        (
            "Your REFUND arrives in 3-5 business days, depending on the card issuer.",
            "in 3-5 business days",
            "2026-05-15",
        ),
        (
            "Please allow up to 10 working days for the reimbursement to show.",
            "up to 10 working days",
            "2026-05-22",
        ),
        ("the replacement usually takes 2 days 📦", "takes 2 days", "2026-05-10"),
        ("I've booked our technician for Tuesday 12 May between 1 and 5pm.", "Tuesday", "2026-05-12"),
        (
            "Your repair visit is scheduled for Monday at 9:30am.",
            "Monday at 9:30am",
            "2026-05-11T09:30:00+00:00",
        ),
        ("I'll check on the claim again on Wednesday.", "Wednesday", "2026-05-13"),
        ("We'll push the fix to your account tonight.", "tonight", "2026-05-08"),
        ("Thanks! I'll check back in with you tomorrow morning.", "tomorrow morning", "2026-05-09"),
    ],
)
def test_promises_worded_many_ways(text: str, due: str, due_iso: str) -> None:
    [found] = said(text)
    assert found.due == due and (found.due_iso or "")[: len(due_iso)] == due_iso


@pytest.mark.parametrize(
    "text",
    ["You'll hear back from us within 48 hours.", "you will be contacted by our claims team by Monday"],
)
def test_hearing_back_needs_nothing_more_named(text: str) -> None:
    [found] = said(text)
    assert found.rule == "commitment.receive" and found.due


@pytest.mark.parametrize(
    ("text", "role"),
    [
        ("I will call you tomorrow to chase this!!", "customer"),  # the customer's own "I will"
        ("The refund arrives in 5 days, right?", "customer"),
        ("Will the refund arrive in 5 days?", "agent"),  # a question
        ("If the courier is late, the parcel arrives in 2 days.", "agent"),  # a hypothetical
        ("We can't promise the refund arrives in 5 days.", "agent"),
        ("Your refund didn't arrive in 5 days because the bank rejected it.", "agent"),
        ("I'll check.", "agent"),  # nothing promised, no due time
        ("Honestly I booked nothing, sorry.", "agent"),
    ],
)
def test_not_a_promise(text: str, role: str) -> None:
    assert said(text, role) == []


def test_two_promises_in_one_sentence_are_two() -> None:
    found = said(
        "I'll ring you Monday afternoon to confirm the slot, and our billing team will email you "
        "the corrected invoice within 3 business days after the visit."
    )
    assert [c.due for c in found] == ["Monday afternoon", "within 3 business days after the visit"]
    assert found[1].due_iso is None  # counted from the visit, not from today


def test_one_promise_in_two_clauses_stays_one() -> None:
    [found] = said("We're sending you a new card by post, it arrives in 3-5 business days.")
    assert "new card" in found.text and found.due == "in 3-5 business days"


def test_the_due_time_is_read_from_the_promise_itself() -> None:
    [found] = said("Please restart the hub tomorrow morning and I'll check back with you on Tuesday.")
    assert found.due == "Tuesday" and found.due_iso == "2026-05-12"


def test_an_email_soft_wrap_does_not_cut_the_promise() -> None:
    conversation = Conversation(
        messages=[
            Message(id="m1", role="customer", text="Meter still shows E4", timestamp=FRIDAY),
            Message(
                id="m2",
                role="agent",
                text="Hi Sam,\n\nthanks. Our field team\nwill call you within 2 business days\nto book the swap.\n\nBest,\nAna",
                timestamp=FRIDAY,
            ),
        ]
    )
    [found] = extract_commitments(conversation)
    assert "Our field team will call you" in found.text and found.due == "within 2 business days"


def test_a_shift_note_lists_two_promises_with_a_comma() -> None:
    note = Message(
        id="n1",
        role="agent",
        kind="note",
        text="Promised customer: loaner laptop ships Monday via UPS, status update by 17:00 today\n"
        "Next: check the RMA queue, if stuck ping Lea",
        timestamp=FRIDAY,
    )
    found = note_commitments(read_shift_notes(Conversation(messages=[note])))
    assert [c.due for c in found[:2]] == ["Monday", "17:00 today"]


def test_a_shift_note_keeps_a_condition_with_its_task() -> None:
    note = Message(
        id="n1",
        role="agent",
        kind="note",
        text="Promised: call back Tue, if no answer, email her",
        timestamp=FRIDAY,
    )
    found = note_commitments(read_shift_notes(Conversation(messages=[note])))
    assert len(found) == 1
