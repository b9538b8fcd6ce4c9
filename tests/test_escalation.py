"""The escalation decision: triggers one by one, the policy, determinism and privacy."""

from __future__ import annotations

import json
import logging
import time

import pytest

import handoff_ai as ho
from handoff_ai import ConfigError, Conversation, EscalationPolicy, Message, should_escalate
from handoff_ai.escalation import REASON_KINDS, LiveEscalation


def _chat(*turns: str, **kwargs: object) -> ho.EscalationDecision:
    """Turns as 'C: ...' / 'B: ...' / 'A: ...' / 'S: ...' (a logged system event)."""
    roles = {"C": "customer", "B": "bot", "A": "agent", "S": "system"}
    messages = []
    for index, turn in enumerate(turns, 1):
        who, _, text = turn.partition(": ")
        kind = "event" if who == "S" else "message"
        messages.append(Message(id=f"m{index}", role=roles[who], text=text, kind=kind))
    return should_escalate(Conversation(id="c", messages=messages), **kwargs)  # type: ignore[arg-type]


# -- human requests --------------------------------------------------------------------


@pytest.mark.parametrize("text", [
    "I want to talk to a human",
    "Can I speak to a real person please?",
    "AGENT PLEASE",
    "live agent",
    "get me someone who is not a bot",
    "connect me to an agent now",
    "I need to speak with your supervisor",
    "Ich möchte mit einem Mitarbeiter sprechen",
    "Bitte verbinden Sie mich mit einem echten Menschen",
    "Quiero hablar con una persona",
    "pásame con un agente por favor",
])  # fmt: skip
def test_a_request_for_a_person_escalates(text: str) -> None:
    decision = _chat("C: Hi, my order is late.", "B: Sorry to hear that! Let me check.", f"C: {text}")
    assert decision.escalate
    assert decision.reasons[0].kind == "human_request"
    assert decision.reasons[0].evidence == ["m3"]


@pytest.mark.parametrize("text", [
    "Who is the sales representative for my area?",
    "Can the office manager get a copy of the invoice?",
    "The human agent yesterday was great, thanks to her it works.",
    "Please don't transfer me, I just need the opening hours.",
    "Are you a bot?",
    "am i talking to a bot lol",
    "I spoke to an agent last week and she said the refund is on its way.",
    "Is there a password manager you recommend?",
    "My travel agent booked the flight.",
    "¿Eres un bot?",
    "Sind Sie ein Bot?",
])  # fmt: skip
def test_words_about_people_that_are_not_a_request_do_not_escalate(text: str) -> None:
    decision = _chat(f"C: {text}", "B: Sure, happy to help with that.")
    assert not decision.escalate, decision.reasons
    assert "human_request" not in decision.reason_kinds


def test_a_request_after_a_refusal_in_the_same_message_counts() -> None:
    assert _chat("C: no don't transfer me to billing. I want a human please").escalate


# -- the other triggers ----------------------------------------------------------------


def test_a_cooperating_customer_on_a_progressing_path_is_not_escalated() -> None:
    decision = _chat(
        "C: I forgot my password",
        "B: I can help. What's the email on your account?",
        "C: kim@example.com",
        "S: send_reset_link ok: link sent",
        "B: I've sent a reset link to kim@example.com.",
        "C: got it, that worked, thanks!",
    )
    assert not decision.escalate and decision.reasons == []
    assert decision.customer_message is None


def test_one_fallback_is_not_a_loop_two_are() -> None:
    fallback = "B: Sorry, I didn't understand that. Could you rephrase?"
    one = _chat("C: my invoice shows the wrong VAT number", fallback)
    assert not one.escalate
    two = _chat(
        "C: my invoice shows the wrong VAT number", fallback, "C: VAT number on invoice wrong", fallback
    )
    assert two.escalate and two.reason_kinds == ["bot_loop"]
    assert set(two.reasons[0].evidence) <= {"m2", "m3", "m4"}


def test_a_repeated_reply_after_new_details_is_an_answer_not_a_loop() -> None:
    none = "B: Unfortunately there are no apartments that match. Would you like to change your criteria?"
    decision = _chat(
        "C: 3 bedrooms under 1500", none, "C: how about 2 bedrooms", none, "C: any with a balcony", none
    )
    assert not decision.escalate


def test_the_same_menu_after_an_answer_it_ignored_is_a_loop() -> None:
    menu = "B: Please choose: 1) Orders 2) Returns 3) Billing 4) Other"
    decision = _chat("C: I need help", menu, "C: 4", menu, "C: 4", menu)
    assert decision.escalate and decision.reason_kinds == ["bot_loop"]


def test_failed_actions_count_once_per_failure_and_fire_at_the_threshold() -> None:
    one = _chat("C: refund order 5512 please", "S: refund_api error 503", "B: Sorry, the refund failed.")
    assert not one.escalate  # the bot's sentence reports the failure the event logged
    two = _chat(
        "C: refund order 5512 please", "S: refund_api error 503", "B: Sorry, the refund failed.",
        "C: try again?", "S: refund_api error 503",
    )  # fmt: skip
    assert two.escalate and two.reason_kinds == ["failed_actions"]
    assert two.reasons[0].evidence == ["m2", "m5"]
    strict = _chat(
        "C: refund order 5512", "S: refund_api error 503", policy={"triggers": {"failed_actions": 1}}
    )
    assert strict.escalate


def test_mild_annoyance_is_not_frustration_rising_frustration_is() -> None:
    assert not _chat("C: Ugh, this is annoying. Where is my parcel?", "B: Let me check.").escalate
    decision = _chat(
        "C: Ugh, this is annoying. Where is my parcel?",
        "B: Let me check.",
        "C: This is the THIRD TIME I ASK!!! Unacceptable.",
    )
    assert decision.escalate and decision.reason_kinds == ["frustration"]
    assert "m3" in decision.reasons[0].evidence


def test_solved_resets_frustration() -> None:
    decision = _chat(
        "C: This is ridiculous, unacceptable!!!", "B: Let me fix it.", "C: ok that worked, thanks", "B: Great!",
    )  # fmt: skip
    assert not decision.escalate


def test_legal_threats_and_account_takeover_are_policy() -> None:
    legal = _chat("C: If I don't get my money back my lawyer will take legal action.")
    assert legal.escalate and legal.reason_kinds == ["policy"]
    takeover = _chat("C: Someone changed my password, my account was hacked!")
    assert takeover.escalate and "policy" in takeover.reason_kinds
    assert takeover.team == "trust_and_safety"


def test_out_of_scope_escalates_at_once() -> None:
    decision = _chat(
        "C: can you do my taxes?", "B: I'm sorry, I can't help with that. I can only help with orders."
    )
    assert decision.escalate and decision.reason_kinds == ["out_of_scope"]
    assert decision.reasons[0].evidence == ["m2"]


# -- policy ----------------------------------------------------------------------------

POLICY = {
    "triggers": {"failed_actions": 2, "bot_loop": 2, "frustration": True},
    "intents": {
        "refund": {"required": ["order_id", "email"], "escalate": False},
        "fraud_security": {"escalate": True},
    },
}


def test_missing_and_ask_follow_the_policy_and_the_customer_language() -> None:
    decision = _chat("C: I want a refund for my order, I want to talk to a human", policy=POLICY)
    assert decision.intent == "refund"
    assert decision.missing == ["order_id", "email"]
    assert decision.ask == ["What is your order number?", "What email address is on your account?"]
    given = _chat(
        "C: I want a refund for order 88-1234, talk to a human please. jo@example.com", policy=POLICY
    )
    assert given.missing == [] and given.ask == []
    spanish = _chat("C: Quiero un reembolso de mi pedido, quiero hablar con una persona", policy=POLICY)
    assert spanish.language == "es"
    assert spanish.ask[0] == "¿Cuál es tu número de pedido?"


def test_escalate_false_keeps_automatic_triggers_with_the_bot_but_not_a_request() -> None:
    looping = ["C: I want a refund for my order", "B: Sorry, I didn't understand.", "C: refund my order",
               "B: Sorry, I didn't understand."]  # fmt: skip
    assert _chat(*looping).escalate
    kept = _chat(*looping, policy=POLICY)
    assert not kept.escalate and kept.reason_kinds == ["bot_loop"]  # the reason is still reported
    assert _chat(*looping, "C: let me speak to an agent", policy=POLICY).escalate


def test_the_taxonomy_may_carry_the_policy_keys() -> None:
    taxonomy = ho.Taxonomy.default().model_dump()
    for intent in taxonomy["intents"]:
        if intent["name"] == "delivery":
            intent["required"] = ["order_id", "postal_code"]
    decision = _chat("C: my parcel never arrived, order 77-1234", taxonomy=taxonomy, policy={})
    assert decision.intent == "delivery" and decision.missing == ["postal_code"]


def test_policy_from_toml_json_and_dict(tmp_path) -> None:  # type: ignore[no-untyped-def]
    toml = tmp_path / "policy.toml"
    toml.write_text(
        '[triggers]\nfrustration = false\n[intents.refund]\nrequired = ["order_id"]\n', encoding="utf-8"
    )
    loaded = EscalationPolicy.load(toml)
    assert loaded.triggers.frustration == 0 and loaded.intents["refund"].required == ["order_id"]
    as_json = tmp_path / "policy.json"
    as_json.write_text(json.dumps(POLICY), encoding="utf-8")
    assert EscalationPolicy.load(as_json) == EscalationPolicy.from_dict(POLICY)
    assert EscalationPolicy.from_dict({"triggers": {"frustration": True}}).triggers.frustration == 3


@pytest.mark.parametrize(("data", "where"), [
    ({"triggers": {"bot_loop": -1}}, "triggers.bot_loop"),
    ({"triggers": {"loops": 2}}, "triggers.loops"),
    ({"intents": {"refund": {"required": ["order id!"]}}}, "intents.refund.required"),
    ({"intents": {"refund": {"escalate": "sometimes"}}}, "intents.refund.escalate"),
    ({"intents": []}, "intents"),
    ([1, 2], "mapping"),
])  # fmt: skip
def test_a_bad_policy_is_a_config_error_that_says_where(data: object, where: str) -> None:
    with pytest.raises(ConfigError, match=where.replace(".", r"\.")):
        EscalationPolicy.from_dict(data)


def test_bad_policy_files_are_config_errors(tmp_path) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ConfigError, match="cannot read"):
        EscalationPolicy.load(tmp_path / "absent.toml")
    broken = tmp_path / "broken.toml"
    broken.write_text("[triggers\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid TOML"):
        EscalationPolicy.load(broken)
    with pytest.raises(ConfigError):
        should_escalate(Conversation(messages=[]), policy=42)  # type: ignore[arg-type]


# -- the decision as a whole -----------------------------------------------------------


def test_the_customer_message_passes_on_facts_and_failures_never_secrets() -> None:
    decision = _chat(
        "C: refund for order A-20931 please",
        "S: refund_api failed: error 503",
        "S: refund_api failed: error 503",
        "B: What's your PIN so I can verify you?",
        "C: it's 4471. now get me a human",
    )
    assert decision.escalate
    message = decision.customer_message or ""
    assert message.startswith("I'm connecting you with our billing team.")
    assert "A-20931" in message and "2 attempts to fix it failed" in message
    assert "4471" not in decision.model_dump_json()


def test_every_reason_cites_messages_of_the_conversation() -> None:
    decision = _chat(
        "C: THIS IS RIDICULOUS!!! third time I ask", "B: Sorry, I didn't understand.", "C: ridiculous. as I said",
        "B: Sorry, I didn't understand.", "C: lawyer. legal action. a human please", "S: lookup failed: error",
        "S: lookup failed: error",
    )  # fmt: skip
    assert set(decision.reason_kinds) == set(REASON_KINDS) - {"out_of_scope"}
    for reason in decision.reasons:
        assert reason.evidence and set(reason.evidence) <= {f"m{i}" for i in range(1, 8)}
        assert "RIDICULOUS" not in reason.description and "lawyer" not in reason.description


def test_the_same_input_gives_byte_identical_decisions() -> None:
    turns = ("C: refund order 5512, I want a human", "S: refund_api error 503", "B: Sorry, it failed.")
    first = _chat(*turns).model_dump_json()
    assert all(_chat(*turns).model_dump_json() == first for _ in range(3))


def test_live_updates_equal_a_fresh_decision_on_every_prefix() -> None:
    conversation = ho.load(
        [{"speaker": "customer", "text": "my parcel 55-1234 never came"},
         {"speaker": "bot", "text": "Sorry, I didn't understand."},
         {"speaker": "customer", "text": "parcel 55-1234 never came!!!"},
         {"speaker": "action", "text": "track_order failed: timeout"},
         {"speaker": "bot", "text": "Sorry, I didn't understand."},
         {"speaker": "customer", "text": "HUMAN. NOW."}],
        format="json",
    )  # fmt: skip
    live = LiveEscalation(conversation_id=conversation.id)
    for end, message in enumerate(conversation.messages, 1):
        fresh = should_escalate(Conversation(id=conversation.id, messages=conversation.messages[:end]))
        assert live.update([message]).model_dump_json() == fresh.model_dump_json()


def test_a_record_supplies_intent_and_facts() -> None:
    conversation = ho.load(b"Customer: my order 88-2231 never arrived\nBot: Let me check.\n", format="text")
    record = ho.summarize(conversation)
    decision = should_escalate(
        conversation, record=record, policy={"intents": {"delivery": {"required": ["order_id"]}}}
    )
    assert decision.intent == record.intent.label == "delivery"
    assert decision.missing == []


def test_empty_and_event_only_conversations_do_not_escalate() -> None:
    assert not should_escalate(Conversation(messages=[])).escalate
    only_events = Conversation(
        messages=[Message(id="e1", role="system", kind="event", text="session started")]
    )
    assert not should_escalate(only_events).escalate


def test_a_huge_conversation_is_decided_quickly() -> None:
    turns = []
    for i in range(2500):
        turns += [f"C: question {i} about the shipping of order {i}", f"B: Order {i} ships on day {i % 7}."]
    started = time.perf_counter()
    decision = _chat(*turns)
    assert time.perf_counter() - started < 20
    assert decision.message_count == 5000 and not decision.escalate


def test_html_emoji_and_duplicated_messages() -> None:
    decision = _chat(
        "C: <p>hi 👋 where is my <b>order</b>? it never arrived 😡</p>", "B: Could you give me the order number?",
        "C: <p>hi 👋 where is my <b>order</b>? it never arrived 😡</p>", "B: Could you give me the order number?",
    )  # fmt: skip
    assert decision.escalate and decision.reason_kinds == ["bot_loop"]


def test_no_message_text_in_logs(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.DEBUG):
        _chat("C: secretword-xyz get me a human", "B: Sorry, I didn't understand secretword-xyz.")
    assert "secretword-xyz" not in caplog.text


def test_decisions_do_not_depend_on_the_hash_seed() -> None:
    import os
    import subprocess
    import sys
    from pathlib import Path

    code = (
        "import handoff_ai as ho\n"
        "chat = [{'speaker': 'customer', 'text': 'THIS IS RIDICULOUS!!! my order 55-1234, I want a human'},\n"
        "        {'speaker': 'bot', 'text': 'Sorry, I did not understand.'},\n"
        "        {'speaker': 'action', 'text': 'lookup failed: error'},\n"
        "        {'speaker': 'customer', 'text': 'my lawyer will hear about this'}]\n"
        "print(ho.should_escalate(chat, format='json').model_dump_json())\n"
    )
    src = str(Path(__file__).resolve().parents[1] / "src")
    outputs = {
        subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True,
            env={**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": src},
        ).stdout
        for seed in ("1", "2")
    }  # fmt: skip
    assert len(outputs) == 1 and '"escalate":true' in outputs.pop()
