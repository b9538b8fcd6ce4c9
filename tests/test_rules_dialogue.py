"""Turn pairs, outcomes, de-duplication and the blocker, on conversations as support chats go."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest

import handoff_ai as ho
from handoff_ai import Conversation, Message
from handoff_ai.exceptions import ConfigError
from handoff_ai.rules.actions import MAX_ACTIONS
from handoff_ai.rules.dialogue_data import parse_dialogue_phrases
from handoff_ai.rules.events import event_outcome, failure_reason
from handoff_ai.rules.sentences import sentence_at


def _conv(*turns: tuple[Any, ...]) -> Conversation:
    """``(role, text)`` or ``(role, text, {extra Message fields})`` -> messages m1, m2, ..."""
    return Conversation(
        messages=[
            Message(id=f"m{i}", role=t[0], text=t[1], **(t[2] if len(t) > 2 else {}))
            for i, t in enumerate(turns, start=1)
        ]
    )


def _steps(record: ho.HandoffRecord) -> list[tuple[str, str, list[str]]]:
    return [(a.actor, a.outcome, a.evidence) for a in record.actions_taken]


# -- turn pairs -------------------------------------------------------------------------

APP_CRASH = _conv(
    ("customer", "The app crashes every time I open it"),
    ("bot", "Have you tried reinstalling the app?"),
    ("customer", "Yes, reinstalled twice and restarted the phone. Still crashes"),
    ("bot", "Please try clearing the cache"),
    ("customer", "Did that too, no change"),
)


def test_suggestions_paired_with_replies_become_failed_steps() -> None:
    record = ho.summarize(APP_CRASH)
    assert _steps(record) == [
        ("customer", "failed", ["m2", "m3"]),  # reinstalling, at the bot's suggestion
        ("customer", "failed", ["m3"]),  # restarted the phone, on their own
        ("customer", "failed", ["m4", "m5"]),  # clearing the cache
    ]
    reinstall, restart, cache = (a.description for a in record.actions_taken)
    assert reinstall.startswith("Reinstalling the app") and "Still crashes" in reinstall
    assert restart.lower().startswith("restarted the phone")
    assert cache.startswith("Clearing the cache") and "no change" in cache
    assert all(a.rule for a in record.actions_taken)


def test_blocker_is_the_failed_steps_not_the_last_line() -> None:
    record = ho.summarize(APP_CRASH)
    assert record.blocker is not None
    assert record.blocker.description != "Still crashes"
    assert "3 steps tried" in record.blocker.description
    assert "Clearing the cache" in record.blocker.description
    assert "m5" in record.blocker.evidence


def test_customer_reported_steps_are_split_and_carry_the_reason() -> None:
    text = "I already reset the router and updated the firmware, it fails at 90%"
    record = ho.summarize(_conv(("customer", text)))
    first, second = record.actions_taken
    assert first.description == "Reset the router"
    assert second.description.startswith("Updated the firmware") and "fails at 90%" in second.description
    assert (first.outcome, second.outcome) == ("failed", "failed")
    assert record.blocker is not None and "fails at 90%" in record.blocker.description


def test_partial_success_is_said_in_the_description() -> None:
    record = ho.summarize(
        _conv(
            ("customer", "I can't log in and the CSV export is broken"),
            ("agent", "Could you clear your cookies and sign in again?"),
            ("customer", "that worked for the login but not the export"),
        )
    )
    (step,) = record.actions_taken
    assert step.outcome == "failed"  # the export still fails
    assert "partly worked" in step.description and "not the export" in step.description
    # the problem the step was meant to fix leads the blocker (rules/blocker.py)
    assert record.blocker is not None and record.blocker.evidence == ["m1", "m2", "m3"]


@pytest.mark.parametrize(
    ("reply", "outcome"),
    [
        ("fixed!", "succeeded"),
        ("ok that did the trick, thanks", "succeeded"),
        ("it hasn't fixed anything", "failed"),
        ("nope, same error", "failed"),
        ("still down", "failed"),
        ("ok one sec", "unknown"),  # the conversation does not say
    ],
)
def test_outcome_read_from_the_reply(reply: str, outcome: str) -> None:
    record = ho.summarize(
        _conv(
            ("customer", "My router keeps dropping the connection"),
            ("agent", "Can you unplug the router for 30 seconds and plug it back in?"),
            ("customer", reply),
        )
    )
    (step,) = record.actions_taken
    assert (step.actor, step.outcome, step.evidence) == ("customer", outcome, ["m2", "m3"])
    assert step.description.startswith("Unplug the router for 30 seconds")


def test_outcome_read_from_what_follows_a_filler_turn() -> None:
    # Real ABCD shape (abcd-dev-0125, MIT): "sure, give me a second" / agent "Sure thing." / the result.
    record = ho.summarize(
        _conv(
            ("customer", "your website is running really slowly"),
            ("agent", "Can I have you try logging in and out of our website and see if that helps at all?"),
            ("customer", "sure, give me a second"),
            ("agent", "Sure thing."),
            ("customer", "thanks...hrm, unfortunately that didn't work"),
        )
    )
    (step,) = record.actions_taken
    assert (step.outcome, step.evidence) == ("failed", ["m2", "m3", "m5"])
    assert step.description.startswith("Logging in and out of our website")


def test_success_resolves_the_blocker() -> None:
    record = ho.summarize(
        _conv(
            ("customer", "The site won't load"),
            ("agent", "Please try clearing your browser cache"),
            ("customer", "didn't help"),
            ("agent", "Could you disable your ad blocker?"),
            ("customer", "yes!! that fixed it"),
        )
    )
    assert [a.outcome for a in record.actions_taken] == ["failed", "succeeded"]
    assert record.blocker is None


def test_a_step_not_tried_is_not_an_action() -> None:
    record = ho.summarize(
        _conv(
            ("customer", "My laptop won't charge"),
            ("agent", "Have you tried a different outlet?"),
            ("customer", "No, I haven't"),
        )
    )
    assert record.actions_taken == []


def test_a_yes_to_have_you_tried_means_tried_and_still_broken() -> None:
    record = ho.summarize(
        _conv(
            ("customer", "Printer shows error E-22"),
            ("bot", "Have you tried turning it off and on again?"),
            ("customer", "yes"),
        )
    )
    assert _steps(record) == [("customer", "failed", ["m2", "m3"])]


def test_suggestion_without_reply_is_pending_and_followed_up() -> None:
    record = ho.summarize(
        _conv(("customer", "I can't sync my calendar"), ("bot", "Please try signing out and back in."))
    )
    (step,) = record.actions_taken
    assert (step.actor, step.outcome, step.evidence) == ("bot", "pending", ["m2"])
    assert "no reply yet" in step.description
    assert any(s.text.startswith("Follow up on:") for s in record.next_steps)


def test_questions_for_facts_are_not_steps() -> None:
    record = ho.summarize(
        _conv(
            ("customer", "I need to change my delivery address"),
            ("agent", "Can you tell me your order number please?"),
            ("customer", "It's 4410021"),
            ("agent", "Could you confirm your email address?"),
            ("customer", "jo@example.com"),
        )
    )
    assert record.actions_taken == []


# -- de-duplication and bounds ----------------------------------------------------------


def test_repeated_mentions_are_one_item_with_all_evidence() -> None:
    record = ho.summarize(
        _conv(
            ("customer", "I already restarted the router"),
            ("agent", "Have you tried restarting the router?"),
            ("customer", "yes, I restarted it, still no internet"),
            ("customer", "I restarted the router again, still nothing"),
        )
    )
    router = [a for a in record.actions_taken if "router" in a.description.lower()]
    assert len(router) == 1
    assert set(router[0].evidence) == {"m1", "m2", "m3", "m4"}
    assert router[0].outcome == "failed"


def test_logged_events_repeated_are_one_item() -> None:
    looking = {"kind": "event"}
    record = ho.summarize(
        _conv(
            ("customer", "website slow"),
            ("system", "Agent is looking for solutions ...", looking),
            ("agent", "One moment."),
            ("system", "Agent is looking for solutions ...", looking),
            ("system", "Agent is looking for solutions ...", looking),
        )
    )
    (event,) = record.actions_taken
    assert event.evidence == ["m2", "m4", "m5"] and event.description.endswith("(×3)")


def _loop_chat(size: int) -> Conversation:
    """A bot stuck in a loop: the same suggestion and the same complaint, ``size`` messages."""
    turns: list[tuple[Any, ...]] = [("customer", "The app crashes when I open a PDF")]
    lines = [
        ("bot", "Have you tried reinstalling the app?"),
        ("customer", "yes, still crashes"),
        ("bot", "I'm sorry to hear that. Please try clearing the cache."),
        ("customer", "did that, no change!!"),
        ("system", "Diagnostics upload failed: HTTP 503", {"kind": "event"}),
    ]
    while len(turns) < size:
        turns.append(lines[len(turns) % len(lines)])
    return _conv(*turns)


def test_huge_repeated_chat_gives_a_short_deduplicated_list() -> None:
    conversation = _loop_chat(3000)
    start = time.perf_counter()
    record = ho.summarize(conversation)
    assert time.perf_counter() - start < 20
    assert len(record.actions_taken) <= 5
    descriptions = [a.description for a in record.actions_taken]
    assert len({d.split(" (")[0] for d in descriptions}) == len(descriptions)
    reinstall = next(a for a in record.actions_taken if a.description.startswith("Reinstalling"))
    assert len(reinstall.evidence) > 1000  # every mention cited
    # Deterministic: the same input gives the same record.
    assert ho.summarize(conversation).to_json() == record.to_json()


def test_many_distinct_steps_are_rolled_up_with_every_id_kept() -> None:
    turns: list[tuple[Any, ...]] = [("customer", "sync is broken")]
    turns += [
        ("system", f"job sync-{chr(97 + i % 26)}{i // 26} failed", {"kind": "event"}) for i in range(60)
    ]
    conversation = _conv(*turns)
    record = ho.summarize(conversation)
    assert len(record.actions_taken) == MAX_ACTIONS
    assert record.actions_taken[0].rule == "actions.rollup"
    assert record.actions_taken[0].description.startswith("36 earlier steps")
    cited = {e for a in record.actions_taken for e in a.evidence}
    assert cited == {m.id for m in conversation.messages[1:]}


@pytest.mark.parametrize("flag", ["bookkeeping", "notice", "channel_switch"])
def test_marker_events_are_not_actions(flag: str) -> None:
    record = ho.summarize(
        _conv(
            ("customer", "help"),
            ("system", "session_started ok", {"kind": "event", "metadata": {flag: True}}),
        )
    )
    assert record.actions_taken == []


# -- blocker ----------------------------------------------------------------------------


def _tool_loop(times: int) -> list[dict[str, Any]]:
    messages: list[dict[str, Any]] = [{"role": "user", "content": "Change my flight LH400 to Friday please"}]
    for n in range(times):
        call = {
            "id": f"call_{n}",
            "type": "function",
            "function": {"name": "change_booking", "arguments": '{"flight": "LH400", "day": "FRI"}'},
        }
        error = {
            "error": {"code": "FARE_RULE_VIOLATION", "message": "Fare class K is not changeable"},
            "status": 503,
        }
        messages += [
            {"role": "assistant", "content": None, "tool_calls": [call]},
            {"role": "tool", "tool_call_id": f"call_{n}", "content": json.dumps(error)},
            {"role": "assistant", "content": "Sorry, something went wrong. Let me try again."},
        ]
        messages.append(
            {"role": "user", "content": "This is RIDICULOUS!!! Can't wait to see this hit the news wires!!!!"}
        )
    return messages


def test_failed_tool_calls_give_the_blocker_with_their_reason() -> None:
    conversation = ho.load(_tool_loop(3), format="openai")
    record = ho.summarize(conversation)
    calls = [a for a in record.actions_taken if "change_booking" in a.description]
    assert len(calls) == 1 and calls[0].outcome == "failed" and len(calls[0].evidence) == 6
    assert "FARE_RULE_VIOLATION" in calls[0].description and "HTTP 503" in calls[0].description
    assert record.blocker is not None
    assert "FARE_RULE_VIOLATION" in record.blocker.description
    assert "news wires" not in record.blocker.description


def test_refusal_with_its_reason_beats_outbursts() -> None:
    record = ho.summarize(
        _conv(
            ("customer", "I want a refund for order 5512, the blender is broken"),
            (
                "agent",
                "I'm sorry, but this order is not eligible for a refund because it was placed more than 30 days ago.",
            ),
            ("customer", "Can't wait to see this hit the news wires!!!!"),
            ("customer", "BOX BROKEN."),
        )
    )
    assert record.blocker is not None
    assert record.blocker.evidence == ["m2"]
    assert (
        "not eligible for a refund because it was placed more than 30 days ago" in record.blocker.description
    )


def test_a_refusal_stands_after_the_customer_protests() -> None:
    record = ho.summarize(
        _conv(
            ("customer", "We want a full refund, we missed two meetings"),
            ("agent", "We cannot offer a refund on a flight that you will fly. I can offer a $100 voucher."),
            ("customer", "Vouchers won't be necessary. I won't be flying with you again."),
        )
    )
    assert record.blocker is not None and record.blocker.evidence == ["m2"]


def test_thanks_after_the_fix_is_done_clears_the_problem() -> None:
    fixed = ho.summarize(
        _conv(
            ("customer", "I bought the data plan but still didn't receive my bonus"),
            ("agent", "The bonus data has been added to your plan."),
            ("customer", "Thank you for taking my issue seriously."),
        )
    )
    assert fixed.blocker is None
    escalated = ho.summarize(
        _conv(
            ("customer", "I bought the data plan but still didn't receive my bonus"),
            ("agent", "I have escalated this to our billing team."),
            ("customer", "Thank you"),
        )
    )
    assert escalated.blocker is not None and escalated.blocker.evidence == ["m1"]


def test_an_open_request_is_the_blocker_until_done_and_thanked() -> None:
    asked = [
        ("agent", "Hello, how may I help you?"),
        ("customer", "I need to pay my premium subscription fee."),
        ("agent", "Sure. Can I have your full name?"),
        ("customer", "Crystal Minh"),
    ]
    open_ = ho.summarize(_conv(*asked))
    assert open_.blocker is not None and open_.blocker.evidence == ["m2"]
    assert open_.blocker.description.startswith("Open request: I need to pay")
    done = ho.summarize(
        _conv(
            *asked,
            ("system", "A payment has been made for the amount of $49.", {"kind": "event"}),
            ("customer", "Thanks for the help!"),
        )
    )
    assert done.blocker is None


def test_refusal_reason_in_the_next_sentence() -> None:
    record = ho.summarize(
        _conv(
            ("customer", "please refund my gift card purchase"),
            (
                "bot",
                "I'm afraid we can't refund this order. This is because gift cards are final sale. Anything else?",
            ),
        )
    )
    assert record.blocker is not None
    assert "gift cards are final sale" in record.blocker.description
    assert "Anything else" not in record.blocker.description


def test_accepted_refusal_is_no_blocker() -> None:
    record = ho.summarize(
        _conv(
            ("customer", "can I upgrade to business class for free?"),
            ("agent", "Unfortunately we can't offer free upgrades on this fare."),
            ("customer", "ok, that's fine"),
        )
    )
    assert record.blocker is None


def test_internal_note_finding_is_the_blocker_in_a_tier_escalation() -> None:
    record = ho.summarize(
        _conv(
            ("customer", "Exports to CSV have been failing since Monday"),
            ("agent", "Could you try exporting a smaller date range?"),
            ("customer", "Tried a single day, same error"),
            (
                "agent",
                "Reproduced: root cause is a timeout in export-svc, ticket ENG-4411. Escalating to tier 2.",
                {"kind": "note"},
            ),
            ("agent", "I'm passing this to our engineering team now."),
        )
    )
    assert record.blocker is not None
    assert record.blocker.description.startswith("Internal note:")
    assert "export-svc" in record.blocker.description and record.blocker.evidence == ["m4"]


def test_a_new_problem_after_a_failure_is_the_blocker_but_a_reaction_is_not() -> None:
    event = {"kind": "event"}
    new = ho.summarize(
        _conv(("system", "Payment error: card declined", event), ("customer", "and now the app crashes too"))
    )
    assert new.blocker is not None and new.blocker.evidence == ["m2"]
    reaction = ho.summarize(
        _conv(("system", "Payment error: card declined", event), ("customer", "it still doesn't work"))
    )
    assert reaction.blocker is not None and reaction.blocker.evidence == ["m1"]


def test_a_question_already_answered_is_not_the_blocker() -> None:
    record = ho.summarize(
        _conv(
            ("customer", "I was charged twice for my subscription"),
            ("customer", "Do you see the duplicate charge?"),
            ("agent", "Yes, I can see both charges."),
        )
    )
    assert record.blocker is not None and record.blocker.evidence == ["m1"]


@pytest.mark.parametrize(
    "text",
    [
        "",
        "🙂🙂🙂",
        "<p>Hallo, ich habe den Router schon neu gestartet, aber es geht immer noch nicht.</p>",
        "ok " * 2000,
    ],
)
def test_ugly_input_does_not_break_the_reading(text: str) -> None:
    record = ho.summarize(_conv(("bot", "Have you tried restarting it?"), ("customer", text)))
    assert (
        record.to_json()
        == ho.summarize(_conv(("bot", "Have you tried restarting it?"), ("customer", text))).to_json()
    )


# -- data, reasons, sentences -----------------------------------------------------------


def test_a_language_is_a_data_block() -> None:
    raw = """
[en]
suggestion_openers = ["have you tried"]
step_verbs = ["restart"]
[de]
suggestion_openers = ["haben sie versucht"]
outcome_failed = ["immer noch"]
"""
    phrases = parse_dialogue_phrases(raw.encode(), "test.toml")
    assert phrases.languages == ("en", "de")
    assert phrases.openers[("haben", "sie", "versucht")] == "suggestion"
    assert "dialogue.failed" in phrases.index.scan(["es", "geht", "immer", "noch", "nicht"])


@pytest.mark.parametrize("raw", ['[en]\nopeners = ["x"]\n', "not toml [", '[en]\nstep_verbs = "restart"\n'])
def test_bad_dialogue_data_is_a_config_error(raw: str) -> None:
    with pytest.raises(ConfigError, match=r"test\.toml"):
        parse_dialogue_phrases(raw.encode(), "test.toml")


@pytest.mark.parametrize(
    ("text", "outcome", "reason"),
    [
        (
            '{"error": {"code": "FARE_RULE_VIOLATION", "message": "Fare not changeable"}, "status": 503}',
            "failed",
            "FARE_RULE_VIOLATION: Fare not changeable (HTTP 503)",
        ),
        ('{"status": 404}', "failed", "HTTP 404"),
        ('{"status": "ok", "id": 7}', "succeeded", ""),
        ("requests.exceptions.ConnectTimeout: connect timed out", "failed", "ConnectTimeout"),
        ("Error: PAYMENT_DECLINED (status code 402)", "failed", "PAYMENT_DECLINED (HTTP 402)"),
        ("Order has been updated with By Mail.", "succeeded", ""),
    ],
)
def test_event_outcome_and_failure_reason(text: str, outcome: str, reason: str) -> None:
    assert event_outcome(text) == outcome
    if outcome == "failed":
        assert failure_reason(text) == reason


def test_sentences_keep_titles_and_decimals_whole() -> None:
    text = "I'm on the 18.50 to Reading. Dr. Johnson said it was fine. Then nothing."
    assert sentence_at(text, 12) == "I'm on the 18.50 to Reading."
    assert sentence_at(text, 35) == "Dr. Johnson said it was fine."


def test_failed_steps_blocker_keeps_the_error_the_customer_reported() -> None:
    import handoff_ai as ho

    conversation = ho.load(
        "Customer: Since Monday the sync fails with error SYNC-4102 every night.\n"
        "Agent: Have you tried signing out and back in?\n"
        "Customer: Yes, did that twice, still fails.\n"
        "Agent: Please try clearing the app cache.\n"
        "Customer: Done, no change.\n",
        format="text",
    )
    blocker = ho.summarize(conversation).blocker
    assert blocker is not None
    assert "SYNC-4102" in blocker.description and "still not working" in blocker.description.lower()
    assert blocker.description.count("SYNC-4102") == 1  # the problem's own error is not repeated
    first = conversation.messages[0].id
    assert first in blocker.evidence
