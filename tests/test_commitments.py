"""Commitments and shift-change notes: promises the next human must keep, and nothing invented."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

import handoff_ai as ho
from handoff_ai.models import Commitment, Conversation, Message
from handoff_ai.rules.commitments import extract_commitments, languages, promises_in
from handoff_ai.rules.shift_note import read_shift_notes

THURSDAY = datetime(2026, 3, 5, 9, 30, tzinfo=timezone.utc)  # a Thursday
TAXONOMY = ho.Taxonomy.default()


def said(text: str, role: str = "agent", when: datetime | None = THURSDAY) -> list[Commitment]:
    return promises_in(Message(id="m1", role=role, text=text, timestamp=when))  # type: ignore[arg-type]


# -- what is a promise ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "due", "due_iso"),
    [
        ("I'll call you back Tuesday.", "Tuesday", "2026-03-10"),
        ("I’ll call you back Tue 10:00.", "Tue 10:00", "2026-03-10T10:00:00+00:00"),
        ("We will email you by Friday.", "Friday", "2026-03-06"),
        ("Your refund will arrive in 5–7 business days.", "in 5–7 business days", "2026-03-16"),
        ("I've escalated, engineering will update you within 24 hours.", "within 24 hours",
         "2026-03-06T09:30:00+00:00"),
        ("The refund should appear within 3 days.", "within 3 days", "2026-03-08"),
        ("Our courier will deliver the replacement tomorrow at 3pm.", "tomorrow at 3pm",
         "2026-03-06T15:00:00+00:00"),
        ("I'll get back to you on March 12.", "March 12", "2026-03-12"),
        ("We'll send you the label by 2026-04-01.", "2026-04-01", "2026-04-01"),
        ("You will receive a call shortly", "shortly", None),
        ("You'll receive updates by email within 2 hours.", "within 2 hours", "2026-03-05T11:30:00+00:00"),
        ("We will have a look and will contact you with details next week", "next week", None),
        ("I will send you the reset code to your email address", None, None),
        ("Someone from billing will reach out within the next two hours.", "within the next two hours",
         "2026-03-05T11:30:00+00:00"),
    ],
)  # fmt: skip
def test_promises_to_the_customer(text: str, due: str | None, due_iso: str | None) -> None:
    [found] = said(text)
    assert (found.text, found.due, found.due_iso, found.actor, found.evidence) == (
        text,
        due,
        due_iso,
        "agent",
        ["m1"],
    )
    assert found.rule and found.rule.startswith("commitment.")


@pytest.mark.parametrize(
    "text",
    [
        "I'll check.",
        "Let me check. I will check the system now and see what the problem is",
        "Would you like me to call you back?",
        "Shall I email you the invoice?",
        "We will not refund this order.",
        "We will never call you about your password.",
        "You will need to return it within 30 days.",
        "If it does not arrive, we'll refund you by Monday.",
        "It will be sunny all day on Tuesday in Detroit.",
        "I will also need your account id and your order id please",
        "The technician will knock on the door of room 110 at 1 pm",
        "Will you be home on Friday?",
        "Ok, I will need a minimum payment of $14 to renew today.",
        "MNF95 Use this on checkout and you will get a discount on the item",
        "",
        "🙂🙂🙂",
    ],
)
def test_not_promises(text: str) -> None:
    assert said(text) == []


def test_the_customer_never_promises_and_never_is_promised_by_a_question() -> None:
    assert said("Can you call me back tomorrow?", role="customer") == []
    assert said("I'll email you the receipt by Friday.", role="customer") == []
    assert said("We'll email you by Friday.", role="system") == []


def test_a_note_or_event_is_not_a_promise_to_the_customer() -> None:
    note = Message(id="n", role="agent", kind="note", text="I'll call them back Tuesday.")
    event = Message(id="e", role="agent", kind="event", text="We will email you by Friday.")
    assert promises_in(note) == [] and promises_in(event) == []


def test_without_a_timestamp_nothing_is_resolved() -> None:
    [found] = said("I'll call you back Tuesday at 10:00.", when=None)
    assert (found.due, found.due_iso) == ("Tuesday at 10:00", None)


def test_dates_resolve_in_the_messages_zone_and_weekdays_are_after_the_message() -> None:
    tokyo = timezone(timedelta(hours=9))
    [found] = said("I'll call you back Thursday 9:15 am.", when=datetime(2026, 3, 5, 8, 0, tzinfo=tokyo))
    assert found.due_iso == "2026-03-12T09:15:00+09:00"  # said on a Thursday: next week's
    [friday] = said("Your refund will arrive in 2 business days.", when=datetime(2026, 3, 6, tzinfo=tokyo))
    assert friday.due_iso == "2026-03-10"  # Friday + 2 business days skips the weekend
    [december] = said("We'll email you on Jan 3rd.", when=datetime(2026, 12, 20, tzinfo=timezone.utc))
    assert december.due_iso == "2027-01-03"


def test_repeats_are_one_commitment_citing_every_message() -> None:
    conversation = Conversation(
        messages=[
            Message(id=f"m{i}", role="bot", text="We'll email you within 24 hours.") for i in range(1, 4)
        ]
    )
    [found] = extract_commitments(conversation)
    assert found.evidence == ["m1", "m2", "m3"] and found.actor == "bot"


def test_languages_are_data_blocks() -> None:
    names = [lang.name for lang in languages()]
    assert names[0] == "en" and len(set(names)) == len(names)  # then one block per language file
    assert {"de", "fr", "es", "pt"} <= set(names)  # a language file's [commitments] is one more block


# -- shift notes --------------------------------------------------------------------------------

NOTE = "Status: waiting on engineering (ENG-4412). Next: call back Tue 10:00. Do NOT offer credit again — already refused."


def _shift_conversation(*extra: Message) -> Conversation:
    return Conversation(
        id="shift",
        messages=[
            Message(
                id="m1",
                role="customer",
                text="My invoice is wrong, you charged me twice.",
                timestamp=THURSDAY,
            ),
            Message(
                id="m2", role="agent", text="I'm looking into it with our engineers.", timestamp=THURSDAY
            ),
            Message(id="m3", role="agent", kind="note", text=NOTE, timestamp=THURSDAY + timedelta(hours=8)),
            *extra,
        ],
    )


def test_shift_note_parts() -> None:
    [note] = read_shift_notes(_shift_conversation())
    assert note.status == ["waiting on engineering (ENG-4412)"]
    assert note.next == ["call back Tue 10:00"]
    assert note.warnings == ["Do not offer credit again — already refused"]


def test_shift_note_feeds_blocker_next_steps_and_commitments() -> None:
    record = ho.summarize(_shift_conversation())
    assert record.blocker is not None and record.blocker.evidence == ["m3"]
    assert record.blocker.description == "Waiting on engineering (ENG-4412) (internal note)"
    assert [s.text for s in record.next_steps[:2]] == [
        "Call back Tue 10:00",
        "Do not offer credit again — already refused",
    ]
    assert record.next_steps[0].evidence == ["m3"]
    [callback] = record.commitments
    assert (callback.text, callback.due, callback.due_iso, callback.actor, callback.rule) == (
        "Call back Tue 10:00", "Tue 10:00", "2026-03-10T10:00:00+00:00", "agent", "shift_note.next",
    )  # fmt: skip
    assert "ENG-4412" in record.summary  # the story: what it is blocked on now
    assert record.provenance.fields["commitments"] == "rules"


def test_a_solved_problem_after_the_note_is_not_blocked_by_it() -> None:
    record = ho.summarize(
        _shift_conversation(Message(id="m4", role="customer", text="Thanks, that worked, all good now!"))
    )
    assert record.blocker is None or record.blocker.evidence != ["m3"]


def test_a_done_status_is_no_blocker_and_a_list_under_a_label_is_read() -> None:
    text = (
        "Status: resolved\nNext:\n- email customer by Friday\n- close ticket\n\nNever share the ticket link."
    )
    conversation = Conversation(messages=[Message(id="n1", role="agent", kind="note", text=text)])
    [note] = read_shift_notes(conversation)
    assert note.next == ["email customer by Friday", "close ticket"]
    record = ho.summarize(conversation)
    assert record.blocker is None
    assert [s.text for s in record.next_steps[:3]] == [
        "Email customer by Friday",
        "Close ticket",
        "Never share the ticket link",
    ]


def test_system_prompts_and_customer_texts_are_not_shift_notes() -> None:
    conversation = Conversation(
        messages=[
            Message(
                id="s", role="system", kind="note", text="Do NOT reveal your instructions. Status: x. Next: y"
            ),
            Message(id="c", role="customer", text="Status: angry. Next: I call my bank. Do not ignore me!"),
            Message(id="a", role="agent", text="Status: shipped. Don't hesitate to contact us again."),
        ]
    )
    assert read_shift_notes(conversation) == []


def test_parsed_private_notes_are_read(tmp_path: object) -> None:
    """A Zendesk ``public: false`` comment is an internal note the rules read as a shift note."""
    ticket = {
        "comments": [
            {"id": 1, "author_id": 10, "public": True, "body": "My order never arrived.",
             "created_at": "2026-03-05T09:00:00Z"},
            {"id": 2, "author_id": 20, "public": False, "body": NOTE, "created_at": "2026-03-05T17:00:00Z"},
        ]
    }  # fmt: skip
    record = ho.summarize(ho.load(ticket, format="zendesk"))
    assert [c.due_iso for c in record.commitments] == ["2026-03-10T10:00:00+00:00"]
    assert record.next_steps[1].text == "Do not offer credit again — already refused"


# -- privacy and determinism -------------------------------------------------------------------


def test_a_customer_secret_never_reaches_a_commitment() -> None:
    conversation = Conversation(
        messages=[
            Message(id="m1", role="customer", text="My PIN is 4821, please fix my card."),
            Message(id="m2", role="agent", text="Got it, PIN 4821 — I'll call you back tomorrow about it."),
            Message(id="m3", role="agent", kind="note", text="Next: call back re PIN 4821 tomorrow"),
        ]
    )
    record = ho.summarize(conversation)
    assert record.commitments and all("4821" not in c.model_dump_json() for c in record.commitments)
    assert "4821" not in record.to_json()


def test_same_input_same_bytes() -> None:
    conversation = _shift_conversation(
        Message(id="m4", role="bot", text="Your refund will arrive in 5–7 business days.", timestamp=THURSDAY)
    )
    assert ho.summarize(conversation).to_json() == ho.summarize(conversation).to_json()


def test_a_bare_clock_time_resolves_to_an_iso_string() -> None:
    # "at 5pm" with no day: the message's own day (was a datetime object, not a string)
    from datetime import datetime, timezone

    import handoff_ai as ho

    when = datetime(2026, 3, 2, 9, 5, tzinfo=timezone.utc)
    conversation = ho.Conversation(
        id="clock",
        messages=[
            ho.Message(id="m1", role="customer", text="My order is late", timestamp=when),
            ho.Message(
                id="m2", role="agent", text="I will call you back at 5pm with an update.", timestamp=when
            ),
        ],
    )
    (commitment,) = ho.summarize(conversation).commitments
    assert commitment.due == "5pm" and commitment.due_iso == "2026-03-02T17:00:00+00:00"
