"""merge(): identities, ordering, duplicates, ids, channel-switch events, the report; split();
and the conversation-level signals the rules backend reads from a merged timeline."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

import handoff_ai as ho
from handoff_ai import Conversation, MergeReport, Message, UsageError
from handoff_ai.merge import split
from handoff_ai.parsers import ParserInput
from handoff_ai.parsers._slack import SlackParser

ROOT = Path(__file__).resolve().parents[1]
UTC = timezone.utc
T0 = datetime(2024, 5, 1, 10, 0, tzinfo=UTC)


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def msg(id: str, role: str, text: str, minutes: float | None, **fields: Any) -> Message:
    return Message(id=id, role=role, text=text, timestamp=None if minutes is None else at(minutes), **fields)


def conv(id: str, channel: str | None, *messages: Message, **metadata: Any) -> Conversation:
    if channel is not None:
        messages = tuple(m.model_copy(update={"channel": m.channel or channel}) for m in messages)
    return Conversation(id=id, messages=list(messages), metadata=metadata)


def report(conversation: Conversation) -> MergeReport:
    found = MergeReport.of(conversation)
    assert found is not None
    return found


def source_keys(merged: Conversation) -> list[tuple[str, str]]:
    """(input label, id in that input) of every merged message that came from an input."""
    renamed = {r.merged: r.original for r in report(merged).renamed}
    return [
        (m.metadata["merge_input"], renamed.get(m.id, m.id))
        for m in merged.messages
        if "merge_input" in m.metadata
    ]


def assert_accounted(merged: Conversation, inputs: list[Conversation]) -> None:
    """Every input message is in the timeline or in the report, exactly once."""
    rep = report(merged)
    labels = {i.conversation_id: i.label for i in rep.inputs}
    everything = sorted((labels[c.id], m.id) for c in inputs for m in c.messages)
    placed = source_keys(merged) + [(d.input, d.id) for d in rep.duplicates]
    assert sorted(placed) == everything
    counts = rep.counts()
    assert counts["timeline"] == len(merged.messages)
    assert counts["messages"] == len(everything)


# -- identities -----------------------------------------------------------------------------


def test_inputs_are_linked_by_email_in_author_metadata_or_conversation_metadata() -> None:
    chat = conv(
        "chat-1", "chat", msg("c1", "customer", "hi", 0, author="Maya"), customer_email="Maya@Example.com"
    )
    mail = conv(
        "mail-1",
        "email",
        msg("e1", "customer", "hello", 5, author="M L", metadata={"from": "maya@example.com"}),
    )
    merged = ho.merge([chat, mail])
    rep = report(merged)
    assert rep.people == ["customer"]
    assert [(i.label, i.identifiers, i.person) for i in rep.inputs] == [
        ("chat", ["email"], "customer"),
        ("email", ["email"], "customer"),
    ]
    assert all(m.metadata.get("merge_person") == "customer" for m in merged.messages if m.role == "customer")


def test_inputs_are_linked_by_phone_digits() -> None:
    whatsapp = conv("wa", "whatsapp", msg("w1", "customer", "hi", 0, author="+49 170 1234567"))
    sms = conv("sms", "sms", msg("s1", "customer", "there?", 3, metadata={"from": "0049-170-123 4567"}))
    assert report(ho.merge([whatsapp, sms])).inputs[0].identifiers == ["phone"]
    other = conv("sms2", "sms", msg("s1", "customer", "there?", 3, metadata={"phone": "+1 415 555 0100"}))
    with pytest.raises(UsageError, match="different customers") as info:
        ho.merge([whatsapp, other])
    assert "1234567" not in str(info.value) and "555" not in str(info.value)  # no personal data in errors


def test_inputs_are_linked_by_customer_id_and_nested_person_objects() -> None:
    chat = conv("c", "chat", msg("c1", "customer", "hi", 0, metadata={"customer_id": 4471}))
    desk = conv("d", "helpdesk", msg("d1", "customer", "hello", 1), requester={"id": "4471", "name": "Maya"})
    assert report(ho.merge([chat, desk])).inputs[1].identifiers == ["id"]


def test_identities_mapping_links_inputs_and_names() -> None:
    work = conv("w", "email", msg("e1", "customer", "hi", 0, metadata={"from": "maya@work.example"}))
    home = conv("h", "chat", msg("c1", "customer", "hey", 1, author="Maya L."))
    private = conv("p", "sms", msg("s1", "customer", "yo", 2, metadata={"phone": "+46 70 123 45 67"}))
    with pytest.raises(UsageError, match="identities="):
        ho.merge([work, private])
    identities = {"MAYA@work.example": "maya", "+46 701234567": "maya", "maya l.": "maya"}
    merged = ho.merge([work, home, private], identities=identities)
    rep = report(merged)
    assert rep.people == ["maya"]
    assert {i.label: i.identifiers for i in rep.inputs} == {
        "email": ["email", "mapped"],
        "chat": ["mapped"],
        "sms": ["mapped", "phone"],
    }


def test_mapping_two_people_together_is_refused_unless_allowed() -> None:
    a = conv("a", "chat", msg("a1", "customer", "hi", 0, metadata={"email": "a@x.example"}))
    b = conv("b", "email", msg("b1", "customer", "hi", 1, metadata={"email": "a@x.example"}, author="Bob"))
    with pytest.raises(UsageError, match="2 different people"):
        ho.merge([a, b], identities={"a@x.example": "ann", "bob": "bob"})


def test_inputs_without_identifiers_join_the_identified_customer() -> None:
    known = conv("k", "email", msg("e1", "customer", "hi", 0, metadata={"from": "maya@example.com"}))
    anonymous = conv("t", "chat", msg("c1", "customer", "hello", 1))
    assert [i.person for i in report(ho.merge([known, anonymous])).inputs] == ["customer", "customer"]


def test_allow_multiple_customers_keeps_people_apart() -> None:
    ann = conv(
        "ann", "chat", msg("a1", "customer", "Where is my order?", 0, metadata={"email": "ann@x.example"})
    )
    bob = conv(
        "bob", "chat", msg("b1", "customer", "Where is my order?", 0.5, metadata={"email": "bob@x.example"})
    )
    merged = ho.merge([bob, ann], allow_multiple_customers=True)
    rep = report(merged)
    assert rep.people == ["customer-1", "customer-2"]
    assert rep.duplicates == []  # the same words from two people are two messages
    assert [m.metadata["merge_person"] for m in merged.messages] == ["customer-1", "customer-2"]


# -- ordering -------------------------------------------------------------------------------


def test_order_is_by_instant_across_time_zones() -> None:
    cest = timezone(timedelta(hours=2))
    mail = conv(
        "m",
        "email",
        Message(id="e1", role="customer", text="mail", timestamp=datetime(2024, 5, 1, 11, 30, tzinfo=cest)),
    )
    chat = conv(
        "c",
        "chat",
        Message(id="c1", role="customer", text="chat", timestamp=datetime(2024, 5, 1, 10, 0, tzinfo=UTC)),
    )
    merged = ho.merge([chat, mail])
    # 09:30Z comes before 10:00Z, and each message keeps its own time and zone
    assert [m.text for m in merged.messages if m.kind == "message"] == ["mail", "chat"]
    assert merged.messages[0].timestamp == datetime(2024, 5, 1, 11, 30, tzinfo=cest)


def test_naive_times_are_utc() -> None:
    naive = Message(id="n1", role="customer", text="naive", timestamp=datetime(2024, 5, 1, 10, 5))
    assert naive.timestamp == at(5)  # the model's rule
    sneaked = Message.model_construct(
        id="n2", role="customer", text="sneaked", timestamp=datetime(2024, 5, 1, 10, 7)
    )
    aware = msg("a1", "agent", "aware", 6)
    merged = ho.merge([conv("n", "chat", naive, sneaked), conv("a", "email", aware)])
    texts = [m.text for m in merged.messages if m.kind == "message"]
    assert texts == ["naive", "aware", "sneaked"]
    assert merged.get("n2") is not None and merged.get("n2").timestamp == at(7)  # type: ignore[union-attr]


def test_missing_times_inherit_from_their_own_input() -> None:
    chat = conv(
        "c", "chat",
        msg("c1", "customer", "before any time", None),
        msg("c2", "customer", "at 10", 10),
        msg("c3", "bot", "no time after 10", None),
        msg("c4", "customer", "at 30", 30),
    )  # fmt: skip
    mail = conv("m", "email", msg("e1", "agent", "at 5", 5), msg("e2", "agent", "at 20", 20))
    merged = ho.merge([mail, chat])
    texts = [m.text for m in merged.messages if m.kind == "message"]
    assert texts == ["at 5", "before any time", "at 10", "no time after 10", "at 20", "at 30"]
    assert merged.get("c3").timestamp is None  # type: ignore[union-attr]  # placed, never invented
    assert report(merged).warnings == [
        "input 'chat': 2 message(s) without a timestamp take their neighbour's time"
    ]


def test_an_input_without_times_comes_after_the_timed_ones() -> None:
    transcript = conv(
        "t", "text", msg("t1", "customer", "untimed", None), msg("t2", "bot", "untimed too", None)
    )
    chat = conv("c", "chat", msg("c1", "customer", "timed", 50))
    merged = ho.merge([transcript, chat])
    assert [m.text for m in merged.messages if m.kind == "message"] == ["timed", "untimed", "untimed too"]
    assert report(merged).warnings == ["input 'text' has no timestamps: placed after the timed inputs"]


def test_an_input_keeps_its_own_order_even_with_skewed_clocks() -> None:
    skewed = conv(
        "s", "chat", msg("s1", "customer", "first", 10), msg("s2", "bot", "second (clock behind)", 2)
    )
    other = conv("o", "email", msg("o1", "agent", "between", 5))
    texts = [m.text for m in ho.merge([skewed, other]).messages if m.kind == "message"]
    assert texts == ["between", "first", "second (clock behind)"]


def test_ties_go_to_the_input_that_starts_first_whatever_the_argument_order() -> None:
    late_start = conv(
        "b", "chat", msg("b0", "customer", "chat opens", 5), msg("b1", "customer", "chat at 9", 9)
    )
    early_start = conv(
        "a", "email", msg("a0", "customer", "mail opens", 1), msg("a1", "agent", "mail at 9", 9)
    )
    one = ho.merge([late_start, early_start])
    two = ho.merge([early_start, late_start])
    assert one.messages == two.messages
    assert [m.text for m in one.messages if m.kind == "message"] == [
        "mail opens", "chat opens", "mail at 9", "chat at 9",
    ]  # fmt: skip


# -- duplicates -----------------------------------------------------------------------------


def test_mirrored_message_across_channels_is_collapsed_into_the_earliest() -> None:
    chat = conv(
        "c", "chat", msg("c1", "customer", "My order  A-1 never arrived", 0.5), msg("c2", "agent", "On it", 3)
    )
    mail = conv(
        "m",
        "email",
        msg("e1", "customer", "my order a-1 never arrived", 0),
        msg("e2", "customer", "thanks", 8),
    )
    merged = ho.merge([chat, mail])
    rep = report(merged)
    assert [d.model_dump() for d in rep.duplicates] == [
        {"input": "chat", "id": "c1", "kept": "e1", "reason": "mirrored"}
    ]
    assert merged.get("e1").metadata["duplicates"] == [{"input": "chat", "id": "c1", "reason": "mirrored"}]  # type: ignore[union-attr]
    assert merged.get("c1") is None
    assert_accounted(merged, [chat, mail])


def test_copies_outside_the_window_or_by_other_authors_stay() -> None:
    chat = conv(
        "c", "chat",
        msg("c1", "customer", "Order A-1 never arrived", 0),
        msg("c2", "agent", "Checking now", 1, author="Dana"),
        msg("c3", "agent", "Let me see", 2, author="Dana"),
    )  # fmt: skip
    mail = conv(
        "m", "email",
        msg("e1", "customer", "Order A-1 never arrived", 2.5),  # 2.5 minutes later: outside 2 minutes
        msg("e2", "agent", "Checking now", 1.5, author="Lee"),  # another agent
        msg("e3", "agent", "Let me see", 2.2),  # no author: the same agent is possible
    )  # fmt: skip
    rep = report(ho.merge([chat, mail]))
    assert [(d.id, d.kept) for d in rep.duplicates] == [("e3", "c3")]
    wide = report(ho.merge([chat, mail], duplicate_window=timedelta(minutes=3)))
    assert [(d.id, d.kept) for d in wide.duplicates] == [("e1", "c1"), ("e3", "c3")]


def test_resent_in_one_channel_is_collapsed_but_a_repeat_after_a_reply_is_kept() -> None:
    chat = conv(
        "c", "chat",
        msg("c1", "customer", "Is anyone there?", 0),
        msg("c2", "customer", "is anyone there?", 0.2),  # re-sent before any reply
        msg("c3", "bot", "Hi! How can I help?", 0.5),
        msg("c4", "customer", "Is anyone there?", 1),  # said again after a reply: a repeat
    )  # fmt: skip
    merged = ho.merge([chat])
    rep = report(merged)
    assert [(d.id, d.kept, d.reason) for d in rep.duplicates] == [("c2", "c1", "resent")]
    assert merged.ids == ["c1", "c3", "c4"]
    record = ho.summarize(merged)
    repeat = next(s for s in record.sentiment.frustration_signals if s.kind == "repeat")
    assert repeat.evidence == ["c1", "c4"]  # the re-send and the repeat both count


def test_logged_events_and_empty_messages_are_never_collapsed() -> None:
    chat = conv(
        "c", "chat",
        msg("c1", "system", "refund_payment failed", 0, kind="event"),
        msg("c2", "system", "refund_payment failed", 0.1, kind="event"),  # a retry, not a copy
        msg("c3", "customer", "", 0.2),
        msg("c4", "customer", "", 0.3),
    )  # fmt: skip
    assert report(ho.merge([chat])).duplicates == []


def test_duplicates_need_times() -> None:
    a = conv("a", "chat", msg("a1", "customer", "hello there", None))
    b = conv("b", "email", msg("b1", "customer", "hello there", None))
    assert report(ho.merge([a, b])).duplicates == []


# -- ids and channel-switch events ----------------------------------------------------------


def test_colliding_ids_are_prefixed_and_unique_ids_kept() -> None:
    chat = conv("chat-7", "chat", msg("m1", "customer", "one", 0), msg("c2", "bot", "two", 1))
    mail = conv("thread", "email", msg("m1", "customer", "three", 2), msg("e2", "agent", "four", 3))
    merged = ho.merge([mail, chat])
    assert merged.ids == ["chat:m1", "c2", "channel-switch-1", "email:m1", "e2"]
    assert merged.get("chat:m1").metadata["original_id"] == "m1"  # type: ignore[union-attr]
    assert "original_id" not in merged.get("c2").metadata  # type: ignore[union-attr]
    assert [r.model_dump() for r in report(merged).renamed] == [
        {"input": "chat", "original": "m1", "merged": "chat:m1"},
        {"input": "email", "original": "m1", "merged": "email:m1"},
    ]


def test_inputs_of_one_channel_are_labelled_by_conversation_id() -> None:
    first = conv("t-1", "chat", msg("m1", "customer", "monday", 0))
    second = conv("t-2", "chat", msg("m1", "customer", "tuesday", 60))
    twin = conv("t-2", "chat", msg("m1", "customer", "tuesday again", 90))
    merged = ho.merge([second, first, twin])
    assert merged.ids == ["chat:t-1:m1", "chat:t-2#1:m1", "chat:t-2#2:m1"]
    assert merged.id == "t-1+t-2"
    assert ho.merge([first], id="case-9").id == "case-9"


def test_channel_switches_become_events_counted_once_in_history() -> None:
    chat = conv(
        "c", "chat", msg("c1", "customer", "My card was charged twice", 0), msg("c2", "bot", "Sorry!", 1)
    )
    mail = conv("m", "email", msg("e1", "customer", "Any news on the double charge?", 30))
    merged = ho.merge([chat, mail])
    event = merged.messages[2]
    assert event.model_dump(exclude={"timestamp"}) == {
        "id": "channel-switch-1", "role": "system", "text": "Channel switch: chat → email",
        "channel": "email", "author": None, "kind": "event", "source": None,
        "metadata": {"merge_event": True, "channel_switch": {"from": "chat", "to": "email"}},
    }  # fmt: skip
    assert event.timestamp == at(30)
    record = ho.summarize(merged)
    switches = [h for h in record.history if h.kind == "channel_switch"]
    assert [(h.description, h.evidence) for h in switches] == [
        ("Moved from chat to email", ["channel-switch-1"])
    ]


def test_merging_a_merged_conversation_regenerates_its_switch_events() -> None:
    chat = conv("c", "chat", msg("c1", "customer", "hi", 0))
    mail = conv("m", "email", msg("e1", "customer", "hello", 5))
    sms = conv("s", "sms", msg("s1", "customer", "hey", 10))
    again = ho.merge([ho.merge([chat, mail]), sms])
    assert [m.id for m in again.messages] == ["c1", "channel-switch-1", "e1", "channel-switch-2", "s1"]
    assert [(d.id, d.reason) for d in report(again).duplicates] == [("channel-switch-1", "regenerated")]


def test_messages_without_channel_take_their_neighbours_or_the_inputs() -> None:
    plain = Conversation(
        id="t",
        messages=[
            msg("t1", "customer", "a", 0),
            msg("t2", "bot", "b", 1, channel="web"),
            msg("t3", "system", "c", 2),
        ],
    )
    sourced = Conversation(
        id="x", messages=[msg("x1", "customer", "d", 3, source=ho.SourceRef(format="text", file="x.txt"))]
    )
    merged = ho.merge([plain, sourced])
    assert [(m.id, m.channel) for m in merged.messages] == [
        ("t1", "web"), ("t2", "web"), ("t3", "web"), ("channel-switch-1", "text"), ("x1", "text"),
    ]  # fmt: skip


# -- the report and the contract ------------------------------------------------------------


def test_the_report_accounts_for_every_message_and_is_json() -> None:
    chat = ho.load(ROOT / "examples" / "chat.json")
    mail = ho.load(ROOT / "examples" / "support_thread.eml")
    whatsapp = ho.load(ROOT / "examples" / "whatsapp_chat.txt")
    inputs = [whatsapp, mail, chat]
    merged = ho.merge(inputs)
    assert_accounted(merged, inputs)
    rep = report(merged)
    assert rep.counts() == {
        "inputs": 3, "messages": 24, "timeline": 26, "duplicates": 0, "renamed": 2, "channel_switches": 2,
    }  # fmt: skip
    assert [(i.label, i.position, i.messages, i.kept) for i in rep.inputs] == [
        ("web_chat", 2, 12, 12), ("whatsapp", 0, 11, 11), ("email", 1, 1, 1),
    ]  # fmt: skip
    assert json.loads(json.dumps(merged.metadata["merge"])) == rep.model_dump(mode="json")
    assert merged.metadata["inputs"]["email"]["subject"]
    text = json.dumps(merged.metadata["merge"])
    assert "maya" not in text.lower() and "refund" not in text.lower()  # ids and counts, not personal data


def test_merge_does_not_touch_its_inputs() -> None:
    chat = conv("c", "chat", msg("m1", "customer", "hello", 0, metadata={"tags": ["a"]}))
    mail = conv("m", "email", msg("m1", "customer", "hello", 1, metadata={"tags": ["b"]}))
    before = [chat.model_dump(), mail.model_dump()]
    merged = ho.merge([chat, mail])
    merged.messages[0].metadata["tags"].append("changed")
    assert [chat.model_dump(), mail.model_dump()] == before


def test_unmerged_conversations_have_no_report() -> None:
    assert MergeReport.of(conv("c", "chat", msg("c1", "customer", "hi", 0))) is None


@pytest.mark.parametrize(
    ("args", "kwargs", "match"),
    [
        ((), {}, "non-empty"),
        ((Conversation(),), {}, "non-empty"),
        (([{"messages": []}],), {}, "not a Conversation"),
        (([Conversation()],), {"duplicate_window": timedelta(seconds=-1)}, "negative"),
    ],
)
def test_usage_errors(args: tuple[Any, ...], kwargs: dict[str, Any], match: str) -> None:
    with pytest.raises(UsageError, match=match):
        ho.merge(*(args or ([],)), **kwargs)


# -- multi-party channels: one thread, one record -------------------------------------------


def test_a_shared_slack_channel_is_summarized_thread_by_thread_without_leaks() -> None:
    items = json.loads((ROOT / "tests" / "fixtures" / "parsers" / "slack-shared-channel.json").read_text())
    channel = SlackParser(agent_users=["U9AGENT"]).parse(ParserInput(value=items), id="C-support", file=None)
    threads = {part.metadata["split"]["thread"]: part for part in split(channel)}
    sso = threads["1715000000.000100"]
    invoice = threads["1715000100.000150"]
    assert sso.id == "C-support:1715000000.000100"
    assert [m.role for m in sso.messages] == ["customer", "agent", "customer"]
    assert sum(len(part) for part in threads.values()) == len(channel)
    sso_facts = {f.value for f in ho.summarize(sso).facts}
    invoice_facts = {f.value for f in ho.summarize(invoice).facts}
    assert "SAML-403" in sso_facts and "INV-889" not in sso_facts
    assert "INV-889" in invoice_facts and "SAML-403" not in invoice_facts
    whole = {f.value for f in ho.summarize(channel).facts}
    assert {"SAML-403", "INV-889"} <= whole  # why splitting matters
    with pytest.raises(UsageError):
        split(channel, by="author")  # type: ignore[arg-type]


# -- conversation-level signals -------------------------------------------------------------


def test_the_same_customer_in_several_inputs_is_a_repeat_contact() -> None:
    chat = conv("c", "chat", msg("c1", "customer", "My parcel is late", 0), msg("c2", "bot", "Sorry!", 1))
    mail = conv("m", "email", msg("e1", "customer", "Still no parcel", 600))
    record = ho.summarize(ho.merge([chat, mail]))
    assert record.sentiment.repeat_contact
    contact = [h for h in record.history if h.kind == "earlier_contact"]
    assert [(h.description, h.evidence) for h in contact] == [
        ("Same customer in 2 merged conversations (chat, email)", ["e1"])
    ]
    assert "repeat contact" in record.urgency.reasons and "e1" in record.urgency.evidence
    assert not ho.summarize(chat).sentiment.repeat_contact


def test_waiting_is_measured_from_timestamps_only() -> None:
    chat = conv(
        "c", "chat",
        msg("c1", "customer", "My account is locked", 0),
        msg("c2", "customer", "Hello??", 20),
        msg("c3", "agent", "Sorry for the wait, looking now", 95),
        msg("c4", "customer", "Thanks, any update?", 100),
        msg("c5", "agent", "Still checking", 110),
        msg("c6", "customer", "It is still locked", 130),
        msg("c7", "system", "ticket updated", 160, kind="event"),
    )  # fmt: skip
    record = ho.summarize(chat)
    waiting = [(h.description, h.evidence) for h in record.history if h.kind == "waiting"]
    assert waiting == [
        ("Customer waited 95 minutes for a reply", ["c1", "c3"]),
        ("Customer has waited 30 minutes without a reply", ["c6"]),
    ]
    assert "waited 95 minutes for a reply" in record.urgency.reasons
    assert record.urgency.level in ("high", "urgent") and "c1" in record.urgency.evidence
    untimed = Conversation(messages=[m.model_copy(update={"timestamp": None}) for m in chat.messages])
    record = ho.summarize(untimed)
    assert not [h for h in record.history if h.kind == "waiting"]
    assert not any("wait" in reason for reason in record.urgency.reasons)


def test_an_open_wait_over_the_threshold_is_urgent_with_its_minutes() -> None:
    chat = conv(
        "c", "chat",
        msg("c1", "customer", "Where is my refund", 0),
        msg("c2", "customer", "Hello?", 75),
    )  # fmt: skip
    record = ho.summarize(chat)
    assert "waiting 75 minutes" in record.urgency.reasons
    assert [h.description for h in record.history if h.kind == "waiting"] == [
        "Customer has waited 75 minutes without a reply"
    ]


def test_helpdesk_assignment_events_are_ownership_changes() -> None:
    desk = conv(
        "d", "helpdesk",
        msg("d1", "customer", "The export fails with error 500", 0),
        msg("d2", "system", "Ticket reassigned to Tier 2 by Lee.", 5, kind="event"),
        msg("d3", "system", "", 6, kind="event", metadata={"part_type": "assignment", "assigned_to": "t12"}),
        msg("d4", "system", "Status changed to pending", 7, kind="event"),
    )  # fmt: skip
    record = ho.summarize(desk)
    transfers = [(h.description, h.evidence) for h in record.history if h.kind == "transfer"]
    assert transfers == [
        ("Ownership changed: Ticket reassigned to Tier 2 by Lee.", ["d2"]),
        ("Ownership changed (assignment event)", ["d3"]),
    ]
    # Reassigned to Tier 2: up a tier, not a sideways move between agents (issue 11).
    assert (record.handoff.type, record.handoff.trigger, record.handoff.evidence) == (
        "tier_escalation", "reassignment", ["d2"],
    )  # fmt: skip


def test_the_example_channels_merge_into_one_record() -> None:
    inputs = [
        ho.load(ROOT / "examples" / name) for name in ("whatsapp_chat.txt", "support_thread.eml", "chat.json")
    ]
    record = ho.summarize(ho.merge(inputs))
    assert record.conversation_id == "chat-20240501-4471+whatsapp_chat+support_thread"
    assert record.message_count == 26
    kinds = [h.kind for h in record.history]
    assert kinds.count("channel_switch") == 2
    assert record.sentiment.repeat_contact
    assert {"A-20931", "E-5021"} <= {f.value for f in record.facts}


def test_twin_inputs_differing_only_in_metadata_merge_the_same_in_any_order() -> None:
    first = conv("t", "chat", msg("m1", "customer", "hello", 0), source="crm")
    second = conv("t", "chat", msg("m1", "customer", "hello", 0), source="archive")
    one, two = ho.merge([first, second]), ho.merge([second, first])
    assert one.model_dump(exclude={"metadata"}) == two.model_dump(exclude={"metadata"})
    assert one.metadata["inputs"] == two.metadata["inputs"]
    assert [d.id for d in report(one).duplicates] == ["m1"]  # a mirrored copy, reported
