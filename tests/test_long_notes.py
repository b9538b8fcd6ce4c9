"""Long conversations: notes stay readable (caps, "+N more", repeats collapsed) and every
writer stays within its platform's limit, saying what it cut."""

from __future__ import annotations

import json
import time
from datetime import datetime, timedelta, timezone

import pytest

import handoff_ai as ho
from handoff_ai.models import Action, Commitment, Conversation, Fact, HandoffRecord, Item, Message
from handoff_ai.renderers import render
from handoff_ai.renderers._note import MAX_FACT_ITEMS, MAX_SECTION_ITEMS, build_note
from handoff_ai.renderers._payload import HELPDESK_BODY_CHARS
from handoff_ai.renderers.slack import MAX_BLOCKS, MAX_TEXT_CHARS, slack_payload
from handoff_ai.renderers.teams import MAX_MESSAGE_BYTES, teams_payload
from handoff_ai.renderers.zendesk import zendesk_payload

START = datetime(2026, 3, 2, 8, 0, tzinfo=timezone.utc)
CUSTOMER = [
    "My order #A-{n} still has not arrived, this is ridiculous!",
    "As I said, I already tried tracking it, it does not work.",
    "Can you tell me when it will arrive?",
    "My email is jane{n}@example.com",
]
AGENT = [
    "Sorry about that. We'll email you within 24 hours.",
    "I have escalated this to the courier.",
    "Your refund will arrive in 5–7 business days.",
    "Let me check that for you.",
]


def three_thousand() -> Conversation:
    """3,000 messages: the same few turns over and over (as a stuck bot loop looks), some notes."""
    messages = []
    for i in range(3000):
        when = START + timedelta(minutes=i)
        if i % 500 == 499:
            text = f"Status: waiting on courier claim C-{i}. Next: call back Tue 10:00. Do NOT offer credit again."
            messages.append(Message(id=f"m{i}", role="agent", kind="note", text=text, timestamp=when))
        elif i % 2 == 0:
            text = CUSTOMER[(i // 2) % 4].format(n=i % 40)
            messages.append(Message(id=f"m{i}", role="customer", text=text, timestamp=when))
        else:
            messages.append(Message(id=f"m{i}", role="agent", text=AGENT[(i // 2) % 4], timestamp=when))
    return Conversation(id="long", messages=messages)


@pytest.fixture(scope="module")
def long_record() -> HandoffRecord:
    return ho.summarize(three_thousand())


def test_rules_on_three_thousand_messages_stay_fast_and_collapse_promises() -> None:
    conversation = three_thousand()
    started = time.perf_counter()
    record = ho.summarize(conversation)
    assert time.perf_counter() - started < 30  # generous: a shared 2-core machine
    texts = [c.text for c in record.commitments]
    assert len(texts) == len(set(texts))  # the same promise once, citing every message
    email = next(c for c in record.commitments if c.text == "We'll email you within 24 hours.")
    assert len(email.evidence) > 300
    assert email.due_iso == "2026-03-05T09:53:00+00:00"  # said again and again: the latest due stands
    assert record.commitments[-1].rule == "shift_note.next"


def test_every_note_section_is_capped(long_record: HandoffRecord) -> None:
    note = build_note(long_record)
    for section in note.sections:
        limit = MAX_FACT_ITEMS if section.key == "facts" else MAX_SECTION_ITEMS
        assert len(section.entries) <= limit + 1, section.key
    evidence = "".join(span.text for section in note.sections for e in section.entries for span in e.body)
    assert "×375" in evidence and "+367 more)" in evidence  # repeats collapsed, their ids counted


@pytest.mark.parametrize("fmt", ["markdown", "text", "html", "rich", "html_email", "intercom", "freshdesk"])
def test_every_format_renders_the_long_record(long_record: HandoffRecord, fmt: str) -> None:
    out = render(long_record, fmt)
    assert "+" in out and "more" in out
    assert len(out) < HELPDESK_BODY_CHARS + 20_000


def test_writers_respect_platform_limits(long_record: HandoffRecord) -> None:
    slack = slack_payload(long_record)
    assert len(slack["blocks"]) <= MAX_BLOCKS
    for block in slack["blocks"]:
        if "text" in block and block["type"] == "section":
            assert len(block["text"]["text"]) <= MAX_TEXT_CHARS
    assert (
        len(json.dumps(teams_payload(long_record), indent=2, ensure_ascii=False).encode())
        <= MAX_MESSAGE_BYTES
    )
    assert len(zendesk_payload(long_record)["ticket"]["comment"]["html_body"]) <= HELPDESK_BODY_CHARS


def bulky_record(count: int = 60) -> HandoffRecord:
    """Every section full of long, distinct values: more than any chat card holds."""
    long = "x" * 480
    return HandoffRecord(
        summary="Bulky " + long,
        facts=[Fact(kind=f"id_{i}", value=f"{i} {long}", evidence=[f"m{i}"]) for i in range(count)],
        actions_taken=[
            Action(description=f"{i} {long}", actor="bot", evidence=[f"m{i}"]) for i in range(count)
        ],
        commitments=[Commitment(text=f"{i} {long}", actor="agent", evidence=[f"m{i}"]) for i in range(count)],
        open_questions=[Item(text=f"{i} {long}") for i in range(count)],
        next_steps=[Item(text=f"{i} {long}") for i in range(count)],
        provenance=ho.Provenance(warnings=[f"warning {i}" for i in range(40)]),
    )


def test_teams_shrinks_to_28_kb_and_says_so() -> None:
    body = teams_payload(bulky_record())
    dumped = json.dumps(body, indent=2, ensure_ascii=False)
    assert len(dumped.encode()) <= MAX_MESSAGE_BYTES
    assert "Shortened to fit Teams' 28 KB message limit" in dumped
    assert "+31 more warnings" in dumped  # warnings are capped too


def test_teams_last_resort_drops_elements_and_says_how_many() -> None:
    body = teams_payload(bulky_record(), limit=6000)
    dumped = json.dumps(body, indent=2, ensure_ascii=False)
    assert len(dumped.encode()) <= 6000
    assert "more card elements not shown" in dumped
    assert "schema 1.2" in dumped  # the footer is kept


def test_helpdesk_bodies_shrink_to_their_budget() -> None:
    from handoff_ai.renderers._payload import note_html

    html = note_html(bulky_record(), limit=20_000)
    assert len(html) <= 20_000 and "Shortened to fit the 20,000-character note limit" in html
    assert note_html(bulky_record()) == note_html(bulky_record(), limit=HELPDESK_BODY_CHARS)


def test_exact_repeats_collapse_with_a_count() -> None:
    record = HandoffRecord(
        summary="Loop",
        actions_taken=[Action(description="Sent reset link", actor="bot", outcome="failed", evidence=[f"m{i}"])
                       for i in range(5)],
        next_steps=[Item(text="Call back"), Item(text="Call back", evidence=["m9"]), Item(text="Refund")],
    )  # fmt: skip
    markdown = record.to_markdown()
    assert "Sent reset link — failed **×5** (m0, m1, m2, m3, m4)" in markdown
    assert "- Call back **×2** (m9)" in markdown and markdown.count("Sent reset link") == 1
    many = HandoffRecord(summary="Many", next_steps=[Item(text=f"Step {i}") for i in range(20)])
    assert "- Step 7\n- _+12 more (the JSON record has all)_" in many.to_markdown()
