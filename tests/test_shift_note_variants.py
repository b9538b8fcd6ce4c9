"""Shift-change notes in their common real variants, and the due times they carry.

Wording is written for these tests (not copied from the understanding fixtures): the
labels agents use (``Done:``, ``Tried:``, ``Promised <name>:``, ``Pending:``,
``Next shift:``), bullets that start with a follow-up verb, tasks chained with ``+`` or
``then``, and due times resolved against the note's timestamp.
"""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

import handoff_ai as ho
from handoff_ai.models import Conversation, Message
from handoff_ai.rules.commitments import languages
from handoff_ai.rules.shift_note import read_shift_notes

# A Monday afternoon, UTC.
MONDAY = datetime(2026, 6, 1, 14, 20, tzinfo=timezone.utc)


def _note(text: str, kind: str = "note") -> Conversation:
    return Conversation(
        id="note",
        messages=[
            Message(
                id="c1", role="customer", text="The replacement blender never arrived.", timestamp=MONDAY
            ),
            Message(id="a1", role="agent", text="Sorry, I'm checking with the warehouse.", timestamp=MONDAY),
            Message(id="n1", role="agent", kind=kind, text=text, timestamp=MONDAY),
        ],
    )


def test_done_and_tried_lines_become_the_agents_actions() -> None:
    text = (
        "Done: replacement order RX-5521 created.\n"
        "Tried: offered a partial refund - declined by the customer.\n"
        "Tried: asked the courier for a trace."
    )
    record = ho.summarize(_note(text))
    got = {(a.description, a.outcome, a.actor) for a in record.actions_taken if a.rule and "shift" in a.rule}
    assert got == {
        ("Replacement order RX-5521 created", "succeeded", "agent"),
        ("Offered a partial refund - declined by the customer", "failed", "agent"),
        ("Asked the courier for a trace", "unknown", "agent"),
    }


@pytest.mark.parametrize(
    ("text", "promise"),
    [
        ("Promised: a callback before 16:30 with the courier's answer.", "a callback before 16:30"),
        ("Promised Hana: refund of the shipping fee by Friday.", "refund of the shipping fee by Friday"),
        ("Customer was promised a replacement tomorrow by 12:00.", "a replacement tomorrow by 12:00"),
        ("Promised the customer an email with the label today.", "an email with the label today"),
    ],
)
def test_promised_lines_are_commitments(text: str, promise: str) -> None:
    [note] = read_shift_notes(_note(text))
    assert note.promised and note.promised[0].startswith(promise)
    commitments = [c for c in ho.summarize(_note(text)).commitments if c.rule == "shift_note.promised"]
    assert commitments and commitments[0].actor == "agent" and commitments[0].evidence == ["n1"]
    assert commitments[0].due_iso is not None


def test_promise_dues_resolve_against_the_note_time() -> None:
    record = ho.summarize(
        _note("Promised: a callback before 16:30. Next shift: chase the courier Wed morning.")
    )
    dues = {
        c.text: (c.due, c.due_iso) for c in record.commitments if c.rule and c.rule.startswith("shift_note")
    }
    assert dues == {
        "A callback before 16:30": ("16:30", "2026-06-01T16:30:00+00:00"),
        "Chase the courier Wed morning": ("Wed morning", "2026-06-03"),
    }


def test_pending_and_next_step_labels() -> None:
    [note] = read_shift_notes(
        _note("Pending: warehouse stock count. Next step: refund if no stock by Thursday.")
    )
    assert note.status == ["warehouse stock count"]
    assert note.next == ["refund if no stock by Thursday"]


def test_follow_up_bullets_in_an_internal_note_are_next_steps() -> None:
    text = "Handing this to the late desk\n\n- Courier trace requested\n- Chase the courier at 18:00\n- Check the stock"
    [note] = read_shift_notes(_note(text))
    assert note.next == ["Chase the courier at 18:00", "Check the stock"]
    record = ho.summarize(_note(text))
    assert record.next_steps[0].text == "Chase the courier at 18:00"


def test_follow_up_bullets_in_a_reply_to_the_customer_are_advice() -> None:
    text = "Here is what you can do:\n- Check the spam folder\n- Confirm the address in your profile"
    assert read_shift_notes(_note(text, kind="message")) == []


def test_chained_tasks_are_split() -> None:
    [note] = read_shift_notes(_note("Next: ring the courier, then email her the tracking + update the CRM."))
    assert note.next == ["ring the courier", "email her the tracking", "update the CRM"]


def test_a_status_after_an_emoji_code_is_read() -> None:
    text = "Over to the night team :moon: Status: courier lost the parcel. Promised Omar: a new one by Wed."
    [note] = read_shift_notes(_note(text, kind="message"))
    assert note.status == ["courier lost the parcel"]
    assert note.promised == ["a new one by Wed"]


@pytest.mark.parametrize(
    ("sentence", "due", "iso"),
    [
        ("we will call before 15:45", "15:45", "2026-06-01T15:45:00+00:00"),
        ("I'll email you by 09:15", "09:15", "2026-06-02T09:15:00+00:00"),  # already past: tomorrow
        ("an update before 6pm today", "6pm today", "2026-06-01T18:00:00+00:00"),
        ("the label tomorrow by 11:00", "tomorrow by 11:00", "2026-06-02T11:00:00+00:00"),
        ("a call Thu afternoon", "Thu afternoon", "2026-06-04"),
        ("re-send the file once the fix is deployed", "once the fix is deployed", None),
        ("the price was reduced by 2.50 today", "today", "2026-06-01"),
    ],
)
def test_due_variants(sentence: str, due: str, iso: str | None) -> None:
    found = languages()[0].due.find(sentence, MONDAY)
    assert found is not None and (found.text, found.iso) == (due, iso)


@pytest.mark.parametrize("sentence", ["thanks once more", "I'll try once again", "the wed dress"])
def test_not_dues(sentence: str) -> None:
    assert languages()[0].due.find(sentence, MONDAY) is None


def test_a_done_line_citing_a_reference_already_acted_on_is_not_repeated() -> None:
    conversation = Conversation(
        messages=[
            Message(id="c1", role="customer", text="The kettle leaks from the base."),
            Message(id="a1", role="agent", text="I have opened warranty claim WC-20417 for you."),
            Message(id="n1", role="agent", kind="note", text="Done: WC-20417 opened, courier pickup booked."),
        ]
    )
    actions = [a for a in ho.summarize(conversation).actions_taken if "WC-20417" in a.description]
    assert len(actions) == 1 and actions[0].evidence == ["a1"]
