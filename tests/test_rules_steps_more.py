"""Tried steps, their outcome and actor, in wordings the first turn-pair tests do not use.

Each test is a small, differently worded support chat (typos, emoji, capitals, HTML-ish
text) and, next to it, negatives that must not become a step: a question, a hypothetical,
an explanation, a menu, a fact the customer states.
"""

from __future__ import annotations

from typing import Any

import handoff_ai as ho
from handoff_ai import Conversation, Message
from handoff_ai.models import Action
from handoff_ai.rules.events import event_outcome, result_outcome


def _conv(*turns: tuple[Any, ...]) -> Conversation:
    """``(role, text)`` or ``(role, text, {extra Message fields})`` -> messages m1, m2, ..."""
    return Conversation(
        messages=[
            Message(id=f"m{i}", role=t[0], text=t[1], **(t[2] if len(t) > 2 else {}))
            for i, t in enumerate(turns, start=1)
        ]
    )


def _actions(*turns: tuple[Any, ...]) -> list[Action]:
    return ho.summarize(_conv(*turns)).actions_taken


def _about(actions: list[Action], word: str) -> list[Action]:
    return [a for a in actions if word.lower() in a.description.lower()]


# -- tool calls and logged events ---------------------------------------------------------


def test_a_tool_result_with_data_and_no_error_succeeded() -> None:
    assert result_outcome('{"order_id": "A-1", "status": "delivered", "items": 2}') == "succeeded"
    assert result_outcome("[]") == "unknown"  # nothing returned says nothing
    assert result_outcome('{"error": "NOT_FOUND", "message": "no such order"}') == "failed"


def test_event_outcomes_in_log_wordings() -> None:
    assert event_outcome("change_plan(acct=C-1) -> 409 CONFLICT: pending order exists") == "failed"
    assert event_outcome("verify_identity(order=44) -> MISMATCH") == "failed"
    assert event_outcome("close_account(id=9) -> BLOCKED: open balance") == "failed"
    assert event_outcome('{"ok": false, "error": {"code": "RATE_LIMITED"}}') == "failed"
    assert event_outcome("rebill_request(account=7) -> queued (RB-1)") == "pending"
    assert event_outcome("meter_read_submit(read=0451) -> accepted") == "succeeded"
    assert event_outcome("identity verified: not verified by bank") == "failed"


def test_the_bots_word_about_a_failing_tool_call_is_that_call() -> None:
    conversation = ho.load(
        [
            {"role": "user", "content": "no activation mail arrived, addr k@x.example"},
            {"role": "assistant", "content": "I've resent the activation email!"},
            {
                "role": "assistant",
                "content": None,
                "tool_calls": [
                    {
                        "id": "c1",
                        "type": "function",
                        "function": {"name": "resend_activation_email", "arguments": "{}"},
                    }
                ],
            },
            {"role": "tool", "tool_call_id": "c1", "content": '{"ok": false, "error": "RATE_LIMITED"}'},
        ],
        format="openai",
    )
    actions = ho.summarize(conversation).actions_taken
    resend = _about(actions, "resend")
    assert len(resend) == 1 and resend[0].outcome == "failed"  # the bot said it worked; the call failed
    assert len(resend[0].evidence) == 3


# -- what the customer reports -----------------------------------------------------------


def test_a_list_of_attempts_after_a_colon_all_failed() -> None:
    actions = _actions(
        (
            "customer",
            "STILL error 110 on every film!!\nI did everything your colleague said: reinstalled the app, "
            "signed out of all devices and back in, and tried another HDMI port. NOTHING changed.",
        )
    )
    for word in ("reinstalled", "signed out", "hdmi"):
        found = _about(actions, word)
        assert len(found) == 1, word
        assert (found[0].actor, found[0].outcome) == ("customer", "failed")


def test_attempts_joined_by_and_with_a_re_prefix() -> None:
    actions = _actions(
        ("customer", "i already rebooted the phone and re-inserted the SIM card, no change :(")
    )
    assert [a.outcome for a in _about(actions, "rebooted")] == ["failed"]
    sim = _about(actions, "SIM")
    assert len(sim) == 1 and sim[0].outcome == "failed" and sim[0].description.startswith("Re-inserted")


def test_each_attempt_keeps_its_own_outcome() -> None:
    actions = _actions(
        ("agent", "Please uninstall last night's update."),
        (
            "customer",
            "did it, still blue screens. also tried booting in safe mode - that works fine, no crash",
        ),
    )
    assert [a.outcome for a in _about(actions, "uninstall")] == ["failed"]
    assert [a.outcome for a in _about(actions, "safe mode")] == ["succeeded"]


def test_already_tried_while_the_problem_stays_is_failed() -> None:
    actions = _actions(
        ("customer", "Scanner offline on Win 11. I already reinstalled the ScanPro driver twice."),
        ("bot", "Here's an article that may help."),
        ("customer", "i ALREADY reinstalled it!!"),
    )
    driver = _about(actions, "reinstalled")
    assert len(driver) == 1, "a repeated mention is one item"
    assert driver[0].outcome == "failed" and driver[0].evidence == ["m1", "m3"]


def test_a_customer_stating_a_fact_reports_no_step() -> None:
    assert _actions(("customer", "I was charged twice for the same month, please refund one")) == []
    assert _actions(("customer", "after I moved to the new flat the router lost its settings")) == []


# -- suggestions and replies -------------------------------------------------------------


def test_a_bare_imperative_is_a_suggestion() -> None:
    actions = _actions(
        ("customer", "wifi drops every hour"),
        ("agent", "Thanks! Reboot the router and wait 2 minutes."),
        ("customer", "done, same thing 😩"),
    )
    (step,) = _about(actions, "reboot")
    assert (step.actor, step.outcome) == ("customer", "failed")


def test_a_check_that_passed_succeeded() -> None:
    actions = _actions(
        ("customer", "webhooks fail with 503 since 02:00"),
        ("agent", "Could you check that your endpoint answers with a 2xx within 10 seconds?"),
        ("customer", "It does. Tested with curl from three regions."),
    )
    (check,) = _about(actions, "endpoint")
    assert check.outcome == "succeeded"


def test_steps_chained_with_then_are_read_one_by_one() -> None:
    actions = _actions(
        ("customer", "thermostat offline after a power cut"),
        ("agent", "Please hold the reset button for 10 seconds, then re-pair it in the app."),
        ("customer", "Reset worked (ring blinked) but pairing fails at step 3."),
    )
    (reset,) = _about(actions, "reset button")
    (pair,) = _about(actions, "pair it")
    assert (reset.outcome, pair.outcome) == ("succeeded", "failed")


def test_giving_the_agent_a_file_is_a_step_and_asking_for_a_fact_is_not() -> None:
    actions = _actions(
        ("customer", "vpn keeps dropping"),
        ("agent", "Could you send me the diagnostics bundle from Help > Export logs?"),
        ("customer", "done, uploaded vpn-diag-22.zip"),
    )
    (bundle,) = _about(actions, "diagnostics")
    assert (bundle.actor, bundle.outcome) == ("customer", "succeeded")
    asked = _actions(
        ("customer", "where is my parcel"),
        ("agent", "Could you send me your order number?"),
        ("customer", "A-55120"),
    )
    assert _about(asked, "order number") == []


def test_questions_and_menus_suggest_nothing() -> None:
    assert (
        _actions(
            ("customer", "can't activate the app"),
            ("bot", "What happens when you try to activate?"),
            ("customer", "it says code expired"),
        )
        == []
    )
    menu = _actions(
        ("customer", "charged twice"),
        ("bot", "Please choose an option: 1) Billing 2) Technical"),
        ("customer", "1"),
    )
    assert menu == []


def test_same_means_unchanged_only_about_the_problem() -> None:
    failed = _actions(
        ("bot", "Could you request a new code and enter it within 60 seconds?"),
        ("customer", "did that, typed it in 10 sec, same ERR_OTP_EXPIRED"),
    )
    assert [a.outcome for a in failed] == ["failed"]
    unknown = _actions(
        ("bot", "Please restart the app."),
        ("customer", "restarted it, both invoices are there for the same month"),
    )
    assert [a.outcome for a in unknown] != ["failed"]


# -- what a bot or agent did ---------------------------------------------------------------


def test_an_agent_message_with_two_pieces_of_work_is_two_steps() -> None:
    actions = _actions(
        ("customer", "the technician never came!!"),
        ("agent", "So sorry. I've rebooked you for Friday 8-12, and added a £25 credit to your account."),
    )
    rebook, credit = _about(actions, "rebooked"), _about(actions, "credit")
    assert len(rebook) == 1 and len(credit) == 1 and rebook[0] is not credit[0]
    assert {(a.actor, a.outcome) for a in rebook + credit} == {("agent", "succeeded")}


def test_work_the_customer_says_did_not_help_failed() -> None:
    actions = _actions(
        ("customer", "reports stopped sending"),
        ("agent", "Checking. I re-queued yesterday's reports from the admin panel."),
        ("customer", "got 2 of 9, the rest still missing"),
    )
    (requeue,) = _about(actions, "re-queued")
    assert (requeue.actor, requeue.outcome) == ("agent", "failed")
    assert requeue.evidence == ["m2", "m3"]


def test_work_asked_of_someone_else_is_pending_then_done() -> None:
    actions = _actions(
        ("customer", "where is my refund"),
        ("agent", "I've asked our finance team to approve the refund of €230."),
        ("agent", "Finance approved the refund (FIN-1) at 02:10.", {"kind": "note"}),
    )
    refund = _about(actions, "refund")
    assert len(refund) == 1, "the request and its approval are one step"
    assert refund[0].outcome == "succeeded" and refund[0].actor == "agent"


def test_an_agent_who_cannot_do_it_failed() -> None:
    actions = _actions(
        ("customer", "pls waive the late fee"),
        ("agent", "I checked: we already waived one in May, so I can't waive this one."),
    )
    (waive,) = _about(actions, "waive")
    assert waive.outcome == "failed"


def test_a_note_line_states_work_tersely() -> None:
    actions = _actions(
        ("agent", "I've rebooked the install for Thursday."),
        ("agent", "End of shift. Rebooked install Thu 8-12. £25 credit applied.", {"kind": "note"}),
    )
    assert len(_about(actions, "rebooked")) == 1
    assert [a.outcome for a in _about(actions, "credit applied")] == ["succeeded"]


def test_something_handed_over_that_does_not_work() -> None:
    actions = _actions(
        ("customer", "can't download my invoice"),
        ("bot", "Here is your invoice: https://app.example/inv/10.pdf"),
        ("customer", "that link gives me a 404 page"),
    )
    (link,) = _about(actions, "here is your invoice")
    assert (link.actor, link.outcome) == ("customer", "failed") and "404" in link.description
    sent = _actions(("customer", "label pls"), ("agent", "Here's your prepaid return label (attached)."))
    assert [(a.actor, a.outcome) for a in sent] == [("agent", "succeeded")]


def test_what_is_no_work_done() -> None:
    for text in (
        "Please add the DKIM record we sent you yesterday.",  # asks the customer
        "I can see the visit was cancelled by our contractor at 07:50.",  # someone else's doing
        "I'll re-send the reports once the limit is raised.",  # a promise, on a condition
        "If we reset the modem you will lose your settings.",  # a hypothetical
    ):
        done = [a for a in _actions(("agent", text)) if a.outcome == "succeeded"]
        assert done == [], text


def test_a_what_if_question_after_work_done_is_no_failure() -> None:
    """ "and if it doesn't show up?" asks about a failure; "ok but it still isn't there" reports one."""
    from handoff_ai import summarize
    from handoff_ai.models import Conversation, Message

    def refund_outcome(reply: str) -> str | None:
        record = summarize(
            Conversation(
                messages=[
                    Message(
                        id="m1", role="customer", text="you charged me for a cancelled order, refund pls"
                    ),
                    Message(id="m2", role="agent", text="I've just refunded the €24.99 to your card."),
                    Message(id="m3", role="customer", text=reply),
                ]
            )
        )
        return next((a.outcome for a in record.actions_taken if "refund" in a.description.lower()), None)

    assert refund_outcome("ok 👍 and what if it doesn't show up??") != "failed"
    assert refund_outcome("ok. and if it does not arrive?") != "failed"
    assert refund_outcome("ok but it still isn't there") == "failed"


def test_a_reply_told_again_as_an_attempt_is_not_a_second_step() -> None:
    """ "did it, still the same" answers the suggestion: one step citing both messages, not a
    second "Did it" item that does not say which step "it" was; a new attempt stays its own."""
    from handoff_ai import summarize
    from handoff_ai.models import Conversation, Message

    record = summarize(
        Conversation(
            messages=[
                Message(id="m1", role="customer", text="my printer wont print over wifi anymore"),
                Message(id="m2", role="bot", text="Please restart the printer and your router."),
                Message(
                    id="m3",
                    role="customer",
                    text="Restarted it twice, still nothing 😩. I also tried a USB cable.",
                ),
                Message(id="m4", role="bot", text="Could you update the printer firmware from the app?"),
                Message(id="m5", role="customer", text="updated to 4.2.1, same problem"),
            ]
        )
    )
    descriptions = [a.description.lower() for a in record.actions_taken]
    assert not any(d.startswith(("restarted it", "updated to")) for d in descriptions), descriptions
    assert any("restart the printer" in d for d in descriptions)
    assert any("firmware" in d for d in descriptions)
    assert any("usb" in d for d in descriptions), descriptions
