"""handoff_ai.audit: re-asks, repeats, transfers, the streamed report, score_note."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest

import handoff_ai as ho
from handoff_ai.audit import AuditReport, audit_conversation, iter_audit, score_note
from handoff_ai.models import Conversation, Message

T0 = datetime(2026, 5, 1, 10, 0, tzinfo=timezone.utc)


def convo(*turns: tuple, cid: str = "c", times: bool = True) -> Conversation:
    """turns: (role, author, text[, minutes after the previous][, kind][, channel])."""
    messages = []
    clock = T0
    for index, turn in enumerate(turns, 1):
        role, author, text, *rest = turn
        minutes = rest[0] if rest else 1
        kind = rest[1] if len(rest) > 1 else ("event" if role == "system" else "message")
        channel = rest[2] if len(rest) > 2 else None
        clock += timedelta(minutes=minutes)
        messages.append(
            Message(
                id=f"m{index}",
                role=role,
                author=author,
                text=text,
                kind=kind,
                channel=channel,
                timestamp=clock if times else None,
            )
        )
    return Conversation(id=cid, messages=messages)


BOT_THEN_AGENT = (
    ("bot", "Ava", "Hi! What's your order number?"),
    ("customer", None, "It's A-10023, the parcel never came."),
    ("bot", "Ava", "Thanks. I'm transferring you to an agent now."),
)


# -- re-asks -----------------------------------------------------------------------------------


def test_a_new_owner_asking_for_a_given_order_number_is_a_reask_after_transfer() -> None:
    entry = audit_conversation(
        convo(*BOT_THEN_AGENT, ("agent", "Sam", "Hi, could I get your order number?", 12))
    )
    assert [(r.kind, r.asked, r.given, r.after_transfer) for r in entry.reasks] == [
        ("order_id", "m4", "m2", True)
    ]


def test_a_confirmation_quoting_the_value_is_not_a_reask() -> None:
    entry = audit_conversation(
        convo(*BOT_THEN_AGENT, ("agent", "Sam", "Hi! I can see order A-10023 from your chat, is that right?"))
    )
    assert entry.reasks == []
    assert entry.transfers[0].warm is True


def test_asking_for_another_value_of_a_known_kind_is_not_a_reask() -> None:
    entry = audit_conversation(
        convo(
            *BOT_THEN_AGENT, ("agent", "Sam", "Did you place another order? What's the other order number?")
        )
    )
    assert entry.reasks == []


def test_the_issue_asked_again_after_it_was_described() -> None:
    entry = audit_conversation(
        convo(
            ("customer", None, "My discount code SAVE20 isn't working at checkout."),
            ("agent", "Ivy", "Hi there! How may I help you today?"),
            ("agent", "Ivy", "Is there anything else I can help you with?"),
        )
    )
    assert [(r.kind, r.asked, r.given) for r in entry.reasks] == [("issue", "m2", "m1")]


def test_nothing_is_a_reask_before_the_customer_says_it() -> None:
    entry = audit_conversation(
        convo(
            ("agent", "Bo", "Hello, how can I help? What's your email?"),
            ("customer", None, "bo@example.com, my headphones stopped charging."),
        )
    )
    assert entry.reasks == [] and entry.repeats == []


# -- repeats -----------------------------------------------------------------------------------


def test_the_customer_repeating_a_value_and_saying_so() -> None:
    entry = audit_conversation(
        convo(
            *BOT_THEN_AGENT,
            ("agent", "Sam", "What's your order number?"),
            ("customer", None, "A-10023, as I told the bot!"),
        )
    )
    (repeat,) = entry.repeats
    assert repeat.message == "m5" and repeat.of == ["m2"]
    assert {"cue", "fact", "reanswer"} <= set(repeat.reasons) and repeat.kinds == ["order_id"]


def test_a_restated_problem_is_a_repeat() -> None:
    entry = audit_conversation(
        convo(
            ("customer", None, "I was charged a late fee even though I paid my bill on time."),
            ("agent", "Ben", "Let me pull up your account."),
            ("customer", None, "Again: I paid my bill on time and still got charged a late fee."),
        )
    )
    assert [(r.message, r.reasons) for r in entry.repeats] == [("m3", ["issue"])]


# -- transfers ---------------------------------------------------------------------------------


def test_an_announcement_and_the_new_owners_first_message_are_one_transfer() -> None:
    entry = audit_conversation(convo(*BOT_THEN_AGENT, ("agent", "Sam", "Hi, Sam here. Checking.", 12)))
    (transfer,) = entry.transfers
    assert (transfer.kind, transfer.from_owner, transfer.to_owner) == ("bot_to_agent", "bot:Ava", "agent:Sam")
    assert transfer.evidence == ["m3", "m4"] and transfer.wait_minutes == 12.0
    assert transfer.warm is False  # "transferring you now", and the new owner shows no context
    assert entry.contained is False


def test_an_offer_to_transfer_is_not_a_transfer_and_a_bot_alone_contains_it() -> None:
    entry = audit_conversation(
        convo(
            ("bot", "Ava", "Click 'Forgot password'. Would you like me to connect you to an agent?"),
            ("customer", None, "No thanks, that worked."),
        )
    )
    assert entry.transfers == [] and entry.contained is True


def test_assignment_events_and_team_changes() -> None:
    entry = audit_conversation(
        convo(
            ("customer", None, "My invoice 2231 shows the wrong VAT number."),
            ("agent", "Support", "Thanks, we'll look into it."),
            ("system", None, "Ticket reassigned to group Billing"),
            ("system", None, "Ticket reassigned to group Tax"),
            ("agent", "Support", "We've corrected the VAT number.", 60 * 24),
        )
    )
    assert [t.kind for t in entry.transfers] == ["team_change", "team_change"]
    assert entry.transfers[1].wait_minutes == 1440.0


def test_an_announcement_then_an_assignment_then_the_new_agent_is_one_handoff() -> None:
    entry = audit_conversation(
        convo(
            ("agent", "Dana", "Hi, what's going on?"),
            ("customer", None, "My account is locked since the password reset."),
            ("agent", "Dana", "I need to pass this to our security team, one moment."),
            ("system", None, "Conversation assigned to Omar (Security)"),
            ("agent", "Omar", "Hi, Omar here. I see your account is locked.", 40),
        )
    )
    (transfer,) = entry.transfers
    assert transfer.kind == "agent_to_agent" and transfer.evidence == ["m3", "m4", "m5"]
    assert transfer.warm is True and transfer.context_evidence == ["m5"]


def test_chat_to_email_handoff_and_no_timestamps() -> None:
    entry = audit_conversation(
        convo(
            ("customer", None, "My refund for order 77120 never came.", 1, "message", "chat"),
            ("agent", "Lee", "I'll escalate this to our refunds team.", 1, "message", "chat"),
            (
                "agent",
                "Refunds",
                "Dear customer, please reply with your order number.",
                1,
                "message",
                "email",
            ),
            times=False,
        )
    )
    (transfer,) = entry.transfers
    assert transfer.channel_change is True and transfer.wait_minutes is None
    assert [r.kind for r in entry.reasks] == ["order_id"]


def test_mood_before_and_after_a_transfer() -> None:
    entry = audit_conversation(
        convo(
            *BOT_THEN_AGENT,
            ("agent", "Sam", "What's your order number?"),
            ("customer", None, "This is ridiculous, I ALREADY SAID IT!!!"),
        )
    )
    transfer = entry.transfers[0]
    assert (transfer.sentiment_before, transfer.sentiment_after) == ("neutral", "negative")


# -- ugly input ----------------------------------------------------------------------------------


def test_empty_html_emoji_and_non_english_input() -> None:
    assert audit_conversation(Conversation(id="empty")).model_dump()["reasks"] == []
    entry = audit_conversation(
        convo(
            ("customer", None, "<p>hola 👋 my order <b>#553201</b> no llegó 😡</p>"),
            ("bot", "Bot", "¡Lo siento! Te paso con un agente."),
            ("agent", "Rita", "<div>Hi! What's your order number?</div>"),
        )
    )
    assert [r.kind for r in entry.reasks] == ["order_id"] and len(entry.transfers) == 1


def test_a_huge_conversation_is_audited_in_linear_time() -> None:
    turns = []
    for n in range(2500):
        turns.append(("customer", None, f"Order {10000 + n} is late, my email is u{n}@example.com"))
        turns.append(("agent", f"A{n % 7}", "What's your order number?"))
    entry = audit_conversation(convo(*turns))
    assert len(entry.reasks) > 1000 and entry.messages == 5000


def test_bad_input_raises_a_typed_error() -> None:
    with pytest.raises(ho.HandoffError):
        list(iter_audit([42]))


def test_same_input_same_bytes_and_no_message_text_in_entries() -> None:
    conversation = convo(
        *BOT_THEN_AGENT,
        ("agent", "Sam", "What's your order number?"),
        ("customer", None, "A-10023. My password is hunter22"),
    )
    one = audit_conversation(conversation).model_dump_json()
    assert one == audit_conversation(conversation).model_dump_json()
    assert "hunter22" not in one and "parcel" not in one and "A-10023" not in one


# -- the streamed report ---------------------------------------------------------------------------


def _stream(count: int):
    for n in range(count):
        asks_again = n % 2 == 0
        yield convo(
            *BOT_THEN_AGENT,
            ("agent", "Sam", "What's your order number?" if asks_again else "Hi, checking A-10023.", n % 30),
            cid=f"s{n}",
        )


def test_a_stream_keeps_the_aggregate_and_the_worst_only() -> None:
    report = ho.audit(_stream(300), worst=5)
    assert report.conversations == [] and len(report) == 300 and not report.keep_all
    summary = report.summary()
    assert summary.conversations == 300 and summary.handoffs == 300 and summary.reasks == 150
    assert summary.reasks_per_handoff == {"order_id": 0.5}
    assert summary.median_wait_minutes == 14.5  # waits 0..29, ten of each
    worst = report.worst()
    assert len(worst) == 5 and all(e.reasks for e in worst)
    assert [e.conversation_id for e in worst] == ["s0", "s2", "s4", "s6", "s8"]  # ties: earliest first


def test_a_list_keeps_every_entry_in_order() -> None:
    conversations = list(_stream(6))
    report = ho.audit(conversations)
    assert [e.conversation_id for e in report.conversations] == [c.id for c in conversations]
    assert [e.conversation_id for e in iter_audit(conversations)] == [c.id for c in conversations]
    data = json.loads(report.to_json())
    assert data["summary"]["conversations"] == 6 and len(data["conversations"]) == 6


def test_excerpts_of_the_worst_mask_typed_secrets() -> None:
    conversation = convo(
        ("customer", None, "My order is A-10023 and my password is hunter22"),
        ("agent", "Sam", "What's your order number?"),
    )
    report = ho.audit([conversation])
    ((entry, texts),) = report.worst_excerpts()
    assert entry.reasks and "hunter22" not in json.dumps(texts) and "A-10023" in texts["m1"]["text"]


def test_an_empty_report() -> None:
    summary = AuditReport().summary()
    assert (
        summary.conversations == 0
        and summary.median_wait_minutes is None
        and summary.containment_rate is None
    )


# -- score_note ------------------------------------------------------------------------------------

TICKET = convo(
    ("customer", None, "Hi, my order A-10023 never arrived and I can't get a refund. Email jo@example.com"),
    ("bot", "Ava", "Sorry! I'm transferring you to an agent."),
    ("agent", "Sam", "I've checked with the courier: the parcel is lost. I will send a replacement today."),
)


def test_score_note_reads_the_checklist_and_cites_messages() -> None:
    note = (
        "Customer's order A-10023 never arrived and they cannot get a refund. "
        "Agent checked with the courier and confirmed the parcel is lost; "
        "agent will send a replacement today."
    )
    score = score_note(note, TICKET)
    assert score.part("issue_summary").evidence == ["m1"]
    actions = score.part("actions_taken")
    assert actions.score == 1.0 and actions.evidence == ["m3"]
    assert score.part("next_steps").present and score.part("customer_impact").present
    assert [f.kind for f in score.missing_facts] == ["email"]
    assert score.ask_for() == "the next person would have to ask for: email"
    assert "actions_taken" in score.explain()


def test_without_the_agent_part_actions_score_lower() -> None:
    full = score_note("Customer's parcel never arrived. The agent offered a replacement.", TICKET)
    stripped = score_note("Customer's parcel never arrived.", TICKET)
    assert stripped.part("actions_taken").score < full.part("actions_taken").score
    assert stripped.score < full.score


def test_score_note_on_a_record_and_on_an_empty_note() -> None:
    record = ho.summarize(TICKET)
    score = score_note(record, TICKET)
    assert score.part("issue_summary").score == 1.0
    assert score.missing_facts == [] or all(f.kind != "email" for f in score.missing_facts)
    empty = score_note("", TICKET)
    assert empty.score == 0.0 and {f.kind for f in empty.missing_facts} >= {"email"}
    assert score_note("x", TICKET).model_dump_json() == score_note("x", TICKET).model_dump_json()


def test_score_note_never_lists_a_secret() -> None:
    conversation = convo(("customer", None, "My PIN is 4821 and my order is 55019"))
    assert [f.kind for f in score_note("Customer has a question.", conversation).missing_facts] == [
        "order_id"
    ] or all(
        "4821" not in f.value for f in score_note("Customer has a question.", conversation).missing_facts
    )
