"""The evaluation kit: gold extraction and metrics on hand-built records (no data files, no network).

The ABCD and STAR rows below are shortened copies of real rows in the shape of
``shared/data``: ABCD (ASAPP, MIT licence) and STAR (Rasa, MIT licence).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console

from handoff_ai.evaluation import (
    EvalResult,
    Gold,
    GoldFact,
    Pair,
    detect_format,
    evaluate,
    first_half_of,
    gold_from_row,
    match_value,
    normalize,
    occurs_in,
    print_report,
    read_jsonl,
    restrict_gold,
    split_halves,
)
from handoff_ai.models import Action, Conversation, Fact, HandoffRecord, Intent, Item, Message

# ABCD dev, abcd-dev-0000 (ASAPP, MIT).
ABCD_ROW: dict[str, Any] = {
    "id": "abcd-dev-0000",
    "gold": {"flow": "account_access", "subflow": "recover_username"},
    "derived": {
        "silver_customer_entities_regex": {
            "customer_name": ["david williams"],
            "email": ["davidw33@email.com"],
            "zip_code": ["14224"],
            "phone": ["(791) 582-4288"],
        }
    },
    "turns": [
        {"speaker": "agent", "text": "Hello. How may I help you today?"},
        {"speaker": "customer", "text": "I was trying to see my history but I can't remember my username."},
        {"speaker": "agent", "text": "What is your name and email address?"},
        {"speaker": "customer", "text": "David Williams"},
        {"speaker": "customer", "text": "davidw33@email.com"},
        {"speaker": "action", "text": "Account has been pulled up for David Williams."},
        {"speaker": "agent", "text": "Can I also have your zip code and phone number please?"},
        {"speaker": "customer", "text": "14224"},
        {"speaker": "customer", "text": "791-582-4288"},
        {"speaker": "action", "text": "Identity verification in progess ..."},
        {"speaker": "agent", "text": "Your username on file is dwilliams1"},
    ],
}

# STAR dev, shortened from a bank dialogue (Rasa, MIT).
STAR_ROW: dict[str, Any] = {
    "id": "star-9",
    "gold": {
        "tasks": ["bank_fraud_report", "bank_balance"],
        "api_queries": [
            {
                "after_turn": 4,
                "api": "bank_fraud_report",
                "constraints": {
                    "FullName": "Jane Doe ",
                    "AccountNumber": "95381901",
                    "PIN": "9431",
                    "SecurityAnswer1": "ab",
                    "City": 'api.is_equal_to("Los Angeles")',
                    "Day": 'api.is_one_of(["Monday","Tuesday"])',
                    "DateOfBirth": "null",
                    "FraudReport": "Money is missing",
                },
            },
            {"after_turn": 6, "api": "bank_balance", "constraints": {"FullName": "Jane doe", "Date": "5th"}},
        ],
    },
    "turns": [
        {"speaker": "customer", "text": "Hi, someone took money from my account in Los Angeles!"},
        {"speaker": "agent", "text": "Sorry to hear that. Your full name and account number?"},
        {"speaker": "customer", "text": "Jane Doe, account 95381901."},
        {"speaker": "agent", "text": "And your PIN?"},
        {"speaker": "customer", "text": "It's 9431. My pet was ab"},
        {"speaker": "agent", "text": "Thanks, the report is filed."},
    ],
}


def conversation(*texts: tuple[str, str]) -> Conversation:
    """A conversation m1, m2, ... from (role, text) pairs; role ``system`` makes an event."""
    return Conversation(
        id="c1",
        messages=[
            Message(id=f"m{i}", role=role, text=text, kind="event" if role == "system" else "message")
            for i, (role, text) in enumerate(texts, start=1)
        ],
    )


CONV = conversation(
    ("customer", "Hi, I'm Sarah Brown and my order 123456 never arrived."),
    ("agent", "Let me look that up."),
    ("system", "Order lookup: 123456"),
    ("customer", "My PIN is 9431 if you need it."),
)


def record(**fields: Any) -> HandoffRecord:
    return HandoffRecord(conversation_id="c1", **fields)


# -- matching -------------------------------------------------------------------------


def test_normalize_casefolds_collapses_and_strips() -> None:
    assert normalize('  "Sarah   BROWN." ') == "sarah brown"


@pytest.mark.parametrize(
    ("gold", "value", "expected"),
    [
        ("Sarah", "Sarah", True),
        ("sarah", "Sarah Brown", True),  # contained on word boundaries
        ("Sarah", "Sarahs", False),  # not on a word boundary
        ("Sarah", "I am Sarah and this is a very long sentence about it", False),  # > 40 chars
        ("Sarah Brown", "Sarah", False),  # the record's value must contain the gold, not the reverse
        ("(791) 582-4288", "791-582-4288", True),  # phone-like: same digits
        ("(791) 582-4288", "+1 791 582 4288", True),  # with a country code
        ("(791) 582-4288", "791-582-4289", False),
        ("5th", "the 5th", True),
    ],
)
def test_match_value(gold: str, value: str, expected: bool) -> None:
    assert match_value(gold, value) is expected


def test_occurs_in_needs_word_boundaries_and_handles_phones() -> None:
    assert occurs_in("Jane Doe ", "Jane Doe, account 95381901.")
    assert not occurs_in("Jan", "Jane Doe")
    assert occurs_in("(354) 854-3599", "I can be reached at 354 854 3599.")


# -- metrics --------------------------------------------------------------------------


def test_recall_is_kind_agnostic_and_listed_per_gold_kind() -> None:
    gold = Gold(
        conversation_id="c1",
        source="generic",
        facts=[
            GoldFact("customer_name", "Sarah"),
            GoldFact("order_id", "123456"),
            GoldFact("email", "a@b.c"),
        ],
    )
    rec = record(
        facts=[
            Fact(kind="name", value="Sarah Brown", evidence=["m1"]),
            Fact(kind="order_id", value="123456", evidence=["m1"]),
        ]
    )
    result = evaluate([Pair(rec, gold, CONV)])
    assert result.facts_recall == pytest.approx(2 / 3)
    assert result.facts_recall_by_kind == {"customer_name": 1.0, "email": 0.0, "order_id": 1.0}
    assert [(m.kind, m.value) for m in result.misses] == [("email", "a@b.c")]
    assert result.hallucinated_facts == 0


def test_hallucinated_facts_are_detected() -> None:
    rec = record(
        facts=[
            Fact(kind="order_id", value="123456", evidence=["m2", "m1"]),  # supported by m1: fine
            Fact(kind="order_id", value="999999", evidence=["m1"]),  # not in the cited text
            Fact(kind="email", value="x@y.z", evidence=[]),  # cites nothing
            Fact(kind="name", value="Sarah", evidence=["m42"]),  # cites an unknown id
            Fact(kind="pin", value=None, withheld=True, evidence=["m4"]),  # withheld secret: fine
            Fact(kind="pin", value=None, withheld=True, evidence=[]),  # withheld, but cites nothing
        ],
        next_steps=[Item(text="ship again", evidence=["m99"])],
    )
    result = evaluate([Pair(rec, Gold("c1", "generic"), CONV)])
    assert result.hallucinated_facts == 4
    assert sorted(h.reason for h in result.hallucinations) == [
        "cites unknown id",
        "no evidence",
        "no evidence",
        "value not in cited messages",
    ]
    assert result.evidence_ids_not_in_conversation == 2  # m42, m99
    assert result.withheld_facts == 2
    assert result.facts_per_record == 6


def test_secret_leak_is_detected_in_free_text_but_not_in_ids() -> None:
    gold = Gold(conversation_id="c1", source="star", secrets=["9431", "ab"])
    clean = record(
        summary="Customer reports a missing order.",
        facts=[Fact(kind="pin", value=None, withheld=True, evidence=["m4"], rule="pin-9431")],
    )
    leaky = record(
        summary="Customer gave PIN 9431 and wants a refund.",
        facts=[Fact(kind="pin", value=None, withheld=True, evidence=["m4"])],
    )
    result = evaluate([Pair(clean, gold, CONV), Pair(leaky, gold, CONV)])
    assert result.records_with_secret_leak == 1
    assert [leak.where for leak in result.leaks] == ["summary"]
    assert result.secrets_checked == 2
    assert result.secrets_skipped_short == 2  # "ab", once per record


def test_secret_inside_a_longer_number_is_not_a_leak() -> None:
    gold = Gold(conversation_id="c1", source="star", secrets=["9431"])
    rec = record(facts=[Fact(kind="order_id", value="194312", evidence=["m1"])])
    assert evaluate([Pair(rec, gold, CONV)]).records_with_secret_leak == 0


def test_secret_that_is_also_a_gold_fact_is_skipped() -> None:
    # STAR: the surname doubles as a security answer; the record must keep the name.
    gold = Gold("c1", "star", facts=[GoldFact("FullName", "Sarah Brown")], secrets=["brown", "9431"])
    rec = record(facts=[Fact(kind="name", value="Sarah Brown", evidence=["m1"])])
    result = evaluate([Pair(rec, gold, CONV)])
    assert (result.secrets_checked, result.secrets_skipped_also_fact) == (1, 1)
    assert result.records_with_secret_leak == 0


def test_action_turn_citation() -> None:
    conv = conversation(
        ("customer", "help"), ("system", "Account pulled up"), ("agent", "ok"), ("system", "Refund offered")
    )
    gold = Gold(conversation_id="c1", source="abcd", action_turns=[1, 3])
    rec = record(actions_taken=[Action(description="pulled up account", actor="agent", evidence=["m2"])])
    result = evaluate([Pair(rec, gold, conv)])
    assert (result.action_turns_cited, result.action_turns_gold) == (1, 2)
    assert result.action_turn_citation == 0.5


def test_intent_accuracy_counts_only_rows_with_gold_intent() -> None:
    pairs = [
        Pair(record(intent=Intent(label="refund")), Gold("a", "generic", intent="refund"), CONV),
        Pair(record(intent=Intent(label="refund")), Gold("b", "generic", intent="shipping"), CONV),
        Pair(record(), Gold("c", "generic"), CONV),
    ]
    result = evaluate(pairs)
    assert (result.intent_correct, result.intent_total, result.intent_accuracy) == (1, 2, 0.5)
    assert result.conversations == 3


def test_empty_evaluation_has_no_rates() -> None:
    result = evaluate([])
    assert result.facts_recall is None and result.intent_accuracy is None and result.conversations == 0


def test_result_is_json_dumpable_and_printable() -> None:
    gold = Gold("c1", "abcd", intent="x", facts=[GoldFact("email", "a@b.c")], action_turns=[2])
    result = evaluate([Pair(record(), gold, CONV)])
    again = EvalResult.model_validate_json(result.model_dump_json())
    assert again == result
    console = Console(width=100, record=True, color_system=None)
    print_report({"full": result, "first half": result}, console, title="t")
    text = console.export_text()
    assert "Facts recall" in text and "recall · email" in text and "0.000 (0/1)" in text


# -- gold extraction ------------------------------------------------------------------


def test_detect_format() -> None:
    assert detect_format(ABCD_ROW) == "abcd"
    assert detect_format(STAR_ROW) == "star"
    assert detect_format({"gold": {"intent": "x"}, "messages": []}) == "generic"


def test_gold_from_abcd_row() -> None:
    gold = gold_from_row(ABCD_ROW)
    assert gold.source == "abcd" and gold.intent == "recover_username"
    assert {(f.kind, f.value) for f in gold.facts} == {
        ("customer_name", "david williams"),
        ("email", "davidw33@email.com"),
        ("zip_code", "14224"),
        ("phone", "(791) 582-4288"),  # the customer wrote 791-582-4288: same digits, kept
    }
    assert gold.action_turns == [5, 9]
    assert gold.dropped_not_supplied == 0
    assert gold.secrets == []


def test_gold_from_star_row() -> None:
    gold = gold_from_row(STAR_ROW)
    assert gold.source == "star" and gold.intent == "bank_fraud_report"
    # "Jane Doe " and "Jane doe" are one value; City from is_equal_to; is_one_of and "null" skipped;
    # FraudReport is not a fact key; Date "5th" never said by the customer: dropped.
    assert [(f.kind, f.value) for f in gold.facts] == [
        ("FullName", "Jane Doe"),
        ("AccountNumber", "95381901"),
        ("City", "Los Angeles"),
    ]
    assert gold.dropped_not_supplied == 1
    assert gold.secrets == ["9431", "ab"]
    assert gold.action_turns == []


def test_gold_from_generic_row() -> None:
    row = {
        "id": "t1",
        "gold": {"intent": "refund", "facts": [{"kind": "order_id", "value": "A-1"}], "secrets": ["hunter2"]},
        "messages": [{"role": "user", "content": "order A-1"}],
    }
    gold = gold_from_row(row)
    assert (gold.intent, gold.facts, gold.secrets) == ("refund", [GoldFact("order_id", "A-1")], ["hunter2"])


def test_first_half_restricts_gold_to_what_it_supplies() -> None:
    conv = conversation(
        *(("system" if t["speaker"] == "action" else t["speaker"], t["text"]) for t in ABCD_ROW["turns"])
    )
    half = first_half_of(conv)
    assert half.ids == ["m1", "m2", "m3", "m4", "m5"]
    gold = restrict_gold(gold_from_row(ABCD_ROW), half)
    assert {f.kind for f in gold.facts} == {"customer_name", "email"}
    assert gold.action_turns == []


def test_split_halves_is_deterministic_and_complete() -> None:
    rows = [{"id": f"r{i}"} for i in range(11)]
    one, two = split_halves(rows)
    assert (one, two) == split_halves(list(reversed(rows)))
    assert len(one) == 5 and sorted(r["id"] for r in one + two) == sorted(r["id"] for r in rows)


def test_read_jsonl(tmp_path: Path) -> None:
    path = tmp_path / "rows.jsonl"
    path.write_text("\n".join(json.dumps({"id": i}) for i in range(5)) + "\n\n", encoding="utf-8")
    assert [r["id"] for r in read_jsonl(path)] == [0, 1, 2, 3, 4]
    assert len(read_jsonl(path, limit=2)) == 2
