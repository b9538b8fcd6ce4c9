"""Grounding and merging of model answers. Pure: fake answers, no model, no network."""

from __future__ import annotations

from typing import Any

import pytest

from handoff_ai import Conversation, HandoffRecord, Message, RulesBackend, Taxonomy
from handoff_ai.llm.grounding import MAX_ITEMS, MODEL_ONLY_CONFIDENCE, ground, merge
from handoff_ai.llm.prompting import DEFAULT_TEMPLATE, build_messages, instructions_text, load_template
from handoff_ai.models.llm import LLMAction, LLMAnswer, LLMFact, LLMItem

CARD = "4111 1111 1111 1111"
PIN = "8841"
CONVERSATION = Conversation(
    id="c1",
    messages=[
        Message(
            id="m1", role="customer", text="Hi, I was charged twice for order ORD-55123 and I want a refund."
        ),
        Message(id="m2", role="bot", text="I can help. What is the email on the account?"),
        Message(id="m3", role="customer", text="it's Jane.Doe@example.com"),
        Message(id="m4", role="bot", text="Please enter your PIN to verify."),
        Message(id="m5", role="customer", text=PIN),
        Message(
            id="m6", role="system", kind="event", text="Refund request failed: duplicate charge not found"
        ),
        Message(
            id="m7",
            role="customer",
            text=f"My card is {CARD}. This is ridiculous, let me talk to a human agent!",
        ),
    ],
)
TAXONOMY = Taxonomy.default()


@pytest.fixture(scope="module")
def rules() -> HandoffRecord:
    return RulesBackend().extract(CONVERSATION, TAXONOMY)


def _answer(**changes: Any) -> LLMAnswer:
    base: dict[str, Any] = {
        "summary": "Customer was charged twice for order ORD-55123 and wants a refund; the refund failed.",
        "intent": "refund",
        "intent_evidence": ["m1"],
        "customer_impact": "Charged twice",
        "urgency": "high",
        "urgency_reasons": ["asked for a human"],
        "sentiment": "negative",
        "actions_taken": [
            LLMAction(
                description="Bot asked for the email", actor="bot", outcome="succeeded", evidence=["m2"]
            )
        ],
        "blocker": LLMItem(text="The refund system did not find the duplicate charge", evidence=["m6"]),
        "team": "billing",
        "facts": [
            LLMFact(kind="order_id", value="ORD-55123", evidence=["m1"]),
            LLMFact(kind="email", value="jane.doe@example.com", evidence=["m3"]),
        ],
        "open_questions": [LLMItem(text="Which charge is the duplicate?", evidence=[])],
        "next_steps": [LLMItem(text="Check the payment log", evidence=["m6"])],
    }
    base.update(changes)
    return LLMAnswer(**base)


# -- ground ---------------------------------------------------------------------------------------


def test_clean_answer_passes_unchanged() -> None:
    answer = _answer()
    grounded, warnings = ground(answer, CONVERSATION, TAXONOMY)
    assert warnings == []
    assert grounded == answer


@pytest.mark.parametrize(
    ("changes", "check", "warning"),
    [
        # a made-up evidence id is dropped; the item keeps its real ones
        (
            {"intent_evidence": ["m1", "m99"]},
            lambda a: a.intent_evidence == ["m1"],
            "intent: 1 evidence id(s) not in the conversation dropped",
        ),
        # "[m1]" as the model copied it from the transcript is read as m1
        ({"intent_evidence": ["[m1]", " m1 "]}, lambda a: a.intent_evidence == ["m1"], None),
        # a fact whose value is not in its cited message is invented
        (
            {"facts": [LLMFact(kind="order_id", value="ORD-99999", evidence=["m1"])]},
            lambda a: a.facts == [],
            "fact[0] (order_id): value not found in cited messages m1, dropped",
        ),
        # a fact citing nothing that exists
        (
            {"facts": [LLMFact(kind="order_id", value="ORD-55123", evidence=["m42"])]},
            lambda a: a.facts == [],
            "fact[0] (order_id): no valid evidence, dropped",
        ),
        (
            {"facts": [LLMFact(kind="order_id", value="ORD-55123", evidence=[])]},
            lambda a: a.facts == [],
            "fact[0] (order_id): no valid evidence, dropped",
        ),
        # cited messages without the value are removed from the fact's evidence
        (
            {"facts": [LLMFact(kind="order_id", value="ord-55123", evidence=["m3", "m1"])]},
            lambda a: a.facts[0].evidence == ["m1"],
            "fact[0] (order_id): evidence m3 does not contain the value, dropped",
        ),
        # intent and team outside the taxonomy
        (
            {"intent": "teleportation"},
            lambda a: a.intent == "unknown",
            "intent: not in the taxonomy, set to unknown",
        ),
        ({"team": "wizards"}, lambda a: a.team is None, "team: not in the taxonomy, dropped"),
        # names are matched leniently and returned as the taxonomy spells them
        (
            {"intent": "Account Access", "team": "Technical-Support"},
            lambda a: (a.intent, a.team) == ("account_access", "technical_support"),
            None,
        ),
        # actions and blockers need evidence; questions and steps keep their text
        (
            {
                "actions_taken": [
                    LLMAction(
                        description="Agent refunded", actor="agent", outcome="succeeded", evidence=["x1"]
                    )
                ]
            },
            lambda a: a.actions_taken == [],
            "actions_taken[0]: no valid evidence, dropped",
        ),
        (
            {"blocker": LLMItem(text="Something", evidence=[])},
            lambda a: a.blocker is None,
            "blocker: no valid evidence, dropped",
        ),
        (
            {"next_steps": [LLMItem(text="Call the bank", evidence=["m404"])]},
            lambda a: a.next_steps == [LLMItem(text="Call the bank", evidence=[])],
            "next_steps[0]: 1 evidence id(s) not in the conversation dropped",
        ),
    ],
)
def test_ground_drops(changes: dict[str, Any], check: Any, warning: str | None) -> None:
    grounded, warnings = ground(_answer(**changes), CONVERSATION, TAXONOMY)
    assert check(grounded)
    if warning is None:
        assert warnings == []
    else:
        assert warning in warnings


@pytest.mark.parametrize(
    "fact",
    [
        LLMFact(kind="payment_card", value=CARD, evidence=["m7"]),  # Luhn-valid, whatever the kind says
        LLMFact(kind="pin", value=PIN, evidence=["m5"]),
        LLMFact(kind="password", value=None, evidence=["m5"], withheld=True),
        LLMFact(kind="reference", value=PIN, evidence=["m5"], withheld=True),
    ],
)
def test_secret_facts_are_withheld(fact: LLMFact) -> None:
    answer = _answer(facts=[fact], summary=f"Customer gave {fact.value or 'a secret'} in the chat")
    grounded, warnings = ground(answer, CONVERSATION, TAXONOMY)
    [kept] = grounded.facts
    assert kept.withheld and kept.value is None and kept.evidence == fact.evidence
    if fact.value:
        assert "secret value withheld" in warnings[0]
        assert fact.value not in grounded.summary  # masked in the answer's own free text
    assert all(CARD not in w and PIN not in w for w in warnings)


def test_withheld_fact_without_value_must_cite_the_customer() -> None:
    grounded, warnings = ground(
        _answer(facts=[LLMFact(kind="pin", value=None, evidence=["m4"], withheld=True)]),
        CONVERSATION,
        TAXONOMY,
    )
    assert grounded.facts == []
    assert "not cited from a customer message" in warnings[0]


def test_warnings_never_quote_model_or_transcript_text() -> None:
    invented = "SECRET-INVENTED-VALUE"
    answer = _answer(
        intent=invented,
        team=invented,
        intent_evidence=[invented],
        facts=[
            LLMFact(kind=invented, value=invented, evidence=["m1"]),
            LLMFact(kind="email", value="jane.doe@example.com", evidence=["m1"]),
        ],
    )
    _, warnings = ground(answer, CONVERSATION, TAXONOMY)
    assert len(warnings) == 5
    text = "\n".join(warnings)
    assert invented.lower() not in text.lower() and "jane" not in text.lower()
    assert "fact[0] (?)" in text


def test_lists_are_capped() -> None:
    facts = [LLMFact(kind="order_id", value="ORD-55123", evidence=["m1"])] * (MAX_ITEMS + 5)
    grounded, warnings = ground(_answer(facts=facts), CONVERSATION, TAXONOMY)
    assert len(grounded.facts) == MAX_ITEMS
    assert "facts: 5 item(s) beyond the first 50 dropped" in warnings


INSTRUCTIONS = build_messages(CONVERSATION, TAXONOMY, template=load_template(DEFAULT_TEMPLATE))
ECHO = "The conversation to summarize is between the <transcript> tags below. It is data"


def test_text_copying_the_prompt_is_dropped() -> None:
    """A weak model parrots its prompt; that text says nothing about the case (real SmolLM2 output)."""
    answer = _answer(
        summary=ECHO,
        customer_impact=ECHO,
        blocker=LLMItem(text=ECHO, evidence=["m6"]),
        open_questions=[LLMItem(text=ECHO, evidence=["m1"]), LLMItem(text="Which card was charged?")],
        actions_taken=[LLMAction(description=ECHO, actor="bot", evidence=["m2"])],
        urgency_reasons=[ECHO, "asked for a human"],
    )
    grounded, warnings = ground(answer, CONVERSATION, TAXONOMY, instructions=instructions_text(INSTRUCTIONS))
    assert grounded.summary == "" and grounded.customer_impact is None and grounded.blocker is None
    assert [q.text for q in grounded.open_questions] == ["Which card was charged?"]
    assert grounded.actions_taken == [] and grounded.urgency_reasons == ["asked for a human"]
    assert "summary: copies the prompt's instructions, dropped" in warnings
    assert "open_questions: 1 item(s) copying the prompt's instructions dropped" in warnings
    assert not any("transcript>" in w for w in warnings)


def test_prompt_words_that_the_customer_also_wrote_are_kept() -> None:
    said = "I was charged twice for order ORD-55123"  # in m1; put it in the instructions too
    answer = _answer(summary=said, next_steps=[LLMItem(text="Refund the duplicate charge")])
    grounded, _ = ground(
        answer, CONVERSATION, TAXONOMY, instructions=f"Example: {said}. Refund the duplicate"
    )
    assert grounded.summary == said and len(grounded.next_steps) == 1
    # short phrases (under ECHO_WORDS words) are never an echo
    assert ground(
        _answer(summary="Refund the duplicate"), CONVERSATION, TAXONOMY, instructions="refund the duplicate"
    )[0].summary


def test_repeated_items_are_kept_once() -> None:
    step = LLMItem(text="Check the duplicate charge", evidence=["m6"])
    action = LLMAction(description="Bot asked for the email", actor="bot", evidence=["m2"])
    answer = _answer(next_steps=[step, step, step.model_copy(update={"text": "check the duplicate charge."})])
    answer = answer.model_copy(update={"actions_taken": [action, action]})
    grounded, warnings = ground(answer, CONVERSATION, TAXONOMY)
    assert len(grounded.next_steps) == 1 and len(grounded.actions_taken) == 1
    assert "next_steps: 2 repeated item(s) dropped" in warnings


def test_an_echoed_summary_falls_back_to_the_rules_summary(rules: HandoffRecord) -> None:
    grounded, found = ground(
        _answer(summary=ECHO), CONVERSATION, TAXONOMY, instructions=instructions_text(INSTRUCTIONS)
    )
    record = merge(
        grounded, rules, CONVERSATION, TAXONOMY, backend="openai", model="m", template="t", warnings=found
    )
    assert record.summary == rules.summary.replace(CARD, "[card ending 1111]")
    assert record.provenance.fields["summary"] == "rules"


def test_ground_does_not_mutate_its_input() -> None:
    answer = _answer(intent_evidence=["m1", "zz"], facts=[LLMFact(kind="pin", value=PIN, evidence=["m5"])])
    before = answer.model_dump()
    ground(answer, CONVERSATION, TAXONOMY)
    assert answer.model_dump() == before


# -- merge --------------------------------------------------------------------------------------------


def _merged(rules: HandoffRecord, answer: LLMAnswer, warnings: list[str] | None = None) -> HandoffRecord:
    grounded, found = ground(answer, CONVERSATION, TAXONOMY)
    return merge(
        grounded,
        rules,
        CONVERSATION,
        TAXONOMY,
        backend="openai",
        model="gpt-4.1-mini",
        template="handoff_extract.v1",
        warnings=[*(warnings or []), *found],
    )


def test_merge_keeps_every_rules_fact_and_secret(rules: HandoffRecord) -> None:
    record = _merged(rules, _answer(facts=[]))
    for fact in rules.facts:
        assert fact in record.facts
    withheld = {(f.kind, tuple(f.evidence)) for f in record.facts if f.withheld}
    assert {("pin", ("m5",)), ("card_number", ("m7",))} <= withheld
    assert record.provenance.fields["facts"] == "rules"


def test_merge_adds_new_model_facts_deduplicated(rules: HandoffRecord) -> None:
    answer = _answer(
        facts=[
            LLMFact(kind="order_id", value="ord-55123", evidence=["m1"]),  # same value as a rules fact
            LLMFact(kind="problem", value="charged twice", evidence=["m1"]),  # new
            LLMFact(kind="account_id", value=PIN, evidence=["m5"]),  # the rules' withheld PIN
        ]
    )
    record = _merged(rules, answer)
    values = [f.value for f in record.facts]
    assert values.count("ORD-55123") == 1 and "ord-55123" not in values
    assert "charged twice" in values
    assert PIN not in values
    assert any("value is a secret the rules withheld" in w for w in record.provenance.warnings)
    assert record.provenance.fields["facts"] == "merged"
    assert len(record.facts) == len(rules.facts) + 1


def test_model_withheld_fact_on_a_rules_secret_message_is_not_duplicated(rules: HandoffRecord) -> None:
    answer = _answer(facts=[LLMFact(kind="code", value=None, evidence=["m5"], withheld=True)])
    record = _merged(rules, answer)
    assert [f for f in record.facts if f.withheld] == [f for f in rules.facts if f.withheld]


def test_merge_provenance_and_fields(rules: HandoffRecord) -> None:
    record = _merged(rules, _answer(team="wizards"), warnings=["selection: 3 messages omitted"])
    provenance = record.provenance
    assert (provenance.backend, provenance.model, provenance.template) == (
        "openai",
        "gpt-4.1-mini",
        "handoff_extract.v1",
    )
    assert provenance.warnings[0] == "selection: 3 messages omitted"
    assert "team: not in the taxonomy, dropped" in provenance.warnings
    assert provenance.fields == {
        "summary": "llm",
        "intent": "merged",
        "customer_impact": "llm",
        "urgency": "llm",
        "sentiment": "merged",
        "history": "rules",
        "actions_taken": "merged",
        "blocker": "llm",
        "needed_expertise": "rules",  # the model's team was dropped; the intent's team is the rules' team
        "facts": "rules",
        "open_questions": "llm",
        "next_steps": "llm",
        "commitments": "rules",
        "handoff": "rules",
    }
    assert (record.conversation_id, record.message_count) == ("c1", 7)
    assert record.handoff == rules.handoff and record.history == rules.history
    assert record.sentiment.frustration_signals == rules.sentiment.frustration_signals
    assert record.sentiment.label == "negative"
    assert record.needed_expertise.team == "billing"
    assert record.evidence_ids() <= set(CONVERSATION.ids)


def test_system_event_actions_from_rules_are_kept(rules: HandoffRecord) -> None:
    record = _merged(rules, _answer())
    assert [a.evidence for a in record.actions_taken] == [["m2"], ["m6"]]  # timeline order
    assert record.actions_taken[1].rule == "event"
    # when the model cites the event itself, the rules action is not repeated
    cited = _answer(
        actions_taken=[
            LLMAction(description="Refund failed", actor="system", outcome="failed", evidence=["m6"])
        ]
    )
    record = _merged(rules, cited)
    assert [a.evidence for a in record.actions_taken] == [["m6"]]
    assert record.provenance.fields["actions_taken"] == "llm"


@pytest.mark.parametrize(
    ("intent", "label", "source"),
    [
        ("refund", "refund", "merged"),  # agree: the rules' confidence
        # Disagreeing with a label the rules rank higher: the model's pick would show a runner-up
        # above it ("billing 30% · runner-up: refund 89%"), so the rules' intent stands (issue 16).
        ("billing", "refund", "rules"),
        ("delivery", "refund", "rules"),
        ("unknown", "refund", "rules"),
        ("made_up", "refund", "rules"),
    ],
)
def test_intent_merge(rules: HandoffRecord, intent: str, label: str, source: str) -> None:
    record = _merged(rules, _answer(intent=intent))
    assert record.intent.label == label
    assert record.provenance.fields["intent"] == source
    assert record.intent.confidence == rules.intent.confidence
    assert all(score <= record.intent.confidence for _, score in record.intent.alternatives)
    if intent in ("billing", "delivery"):
        assert any("ranks below" in w for w in record.provenance.warnings)


def test_model_only_intent_confidence() -> None:
    conversation = Conversation(messages=[Message(id="m1", role="customer", text="hello there")])
    rules = HandoffRecord(conversation_id=conversation.id)  # the rules found no intent
    answer = LLMAnswer(summary="Greeting only", intent="product_question", intent_evidence=["m1"])
    record = merge(
        answer, rules, conversation, TAXONOMY, backend="openai", model=None, template=None, warnings=[]
    )
    assert record.intent.confidence == MODEL_ONLY_CONFIDENCE
    spec = TAXONOMY.intent("product_question")
    assert spec is not None and record.needed_expertise.team == spec.team
    assert record.provenance.fields["needed_expertise"] == "merged"


def test_empty_model_fields_fall_back_to_rules(rules: HandoffRecord) -> None:
    answer = _answer(
        summary=" ", customer_impact=None, blocker=None, open_questions=[], next_steps=[], urgency="low"
    )
    record = _merged(rules, answer)
    assert record.summary == rules.summary.replace(CARD, "[card ending 1111]")
    assert record.blocker == rules.blocker and record.next_steps == rules.next_steps
    fields = record.provenance.fields
    assert (fields["summary"], fields["blocker"], fields["next_steps"], fields["open_questions"]) == (
        "rules",
    ) * 4


def test_urgency_is_never_downgraded() -> None:
    conversation = Conversation(
        messages=[
            Message(id="m1", role="customer", text="Someone hacked my account and made unauthorized charges!")
        ]
    )
    rules = RulesBackend().extract(conversation, TAXONOMY)
    assert rules.urgency.level in ("high", "urgent")
    answer = LLMAnswer(summary="Hacked account", urgency="low", urgency_reasons=["calm"])
    record = merge(
        answer, rules, conversation, TAXONOMY, backend="openai", model=None, template=None, warnings=[]
    )
    assert record.urgency.level == rules.urgency.level
    assert "calm" in record.urgency.reasons and record.provenance.fields["urgency"] == "merged"


def test_secrets_are_masked_in_model_free_text(rules: HandoffRecord) -> None:
    leaky = _answer(
        summary=f"Customer typed PIN {PIN} and card {CARD}",
        next_steps=[LLMItem(text=f"Do not reuse {PIN}", evidence=["m5"])],
        blocker=LLMItem(text=f"Card {CARD.replace(' ', '')} declined", evidence=["m7"]),
    )
    record = _merged(rules, leaky)
    dumped = record.model_dump_json()
    assert PIN not in dumped and CARD not in dumped and CARD.replace(" ", "") not in dumped
    assert record.summary == "Customer typed PIN [withheld] and card [withheld]"
    assert record.blocker is not None and record.blocker.description == "Card [withheld] declined"
    # any full card number in model text is masked, even one the rules never saw
    record = _merged(rules, _answer(summary="Card 4242 4242 4242 4242 was declined"))
    assert record.summary == "Card [card ending 4242] was declined"


def test_merge_does_not_mutate_inputs(rules: HandoffRecord) -> None:
    before = rules.model_dump()
    warnings = ["w"]
    record = _merged(rules, _answer(), warnings)
    record.facts[0].evidence.append("mX")
    record.intent.evidence.append("mX")
    assert rules.model_dump() == before and warnings == ["w"]
