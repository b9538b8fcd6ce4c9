"""Redaction in the OpenAI backends: what leaves the process, and what comes back.

The fake clients record the exact keyword arguments of every ``create`` call (first
asks, re-asks, chunk and merge calls); the cassettes hold the request bodies recorded
from the real local server (SmolLM2-135M-Instruct via llama.cpp, see
``tests/test_backend_openai.py``).
"""

from __future__ import annotations

import asyncio
import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from handoff_ai.backends.openai import AsyncOpenAIBackend, OpenAIBackend
from handoff_ai.backends.rules import RulesBackend
from handoff_ai.models import Conversation, Message
from handoff_ai.privacy.pii import luhn_ok
from handoff_ai.privacy.redact import Redactor
from handoff_ai.taxonomy import Taxonomy

from .fake_openai import AsyncFakeClient, FakeClient, answer, completion

TAXONOMY = Taxonomy.default()
CASSETTES = Path(__file__).parent / "cassettes"
FIXTURES = Path(__file__).parent / "fixtures" / "llm"

CARDS = ("4111 1111 1111 1111", "5500-0000-0000-0004", "4012888888881881", "3782 822463 10005")
EMAIL = "jane.doe@example.com"
PHONE = "+44 20 7946 0958"
IBAN = "GB82 WEST 1234 5698 7654 32"
PASSWORD = "Hunter2!xyz"

PII = Conversation(
    id="pii-1",
    messages=[
        Message(
            id="m1", role="customer", text=f"I was charged twice on my card {CARDS[0]}. My email is {EMAIL}"
        ),
        Message(id="m2", role="bot", text="Sorry about that. Which card was used for the second charge?"),
        Message(
            id="m3", role="customer", text=f"The second was {CARDS[1]}, the old one {CARDS[2]} or {CARDS[3]}"
        ),
        Message(id="m4", role="customer", text=f"Call me on {PHONE}. Refund to IBAN {IBAN} please"),
        Message(id="m5", role="customer", text=f"my password: {PASSWORD}"),
        Message(id="m6", role="bot", text="Transferring you to billing."),
    ],
)


def model_answer() -> dict[str, Any]:
    """What a model answers about the redacted conversation (placeholders as values)."""
    return answer(
        summary="Customer <EMAIL_1> was charged twice on <CARD_1> and wants a refund to <IBAN_1>.",
        intent="billing",
        intent_evidence=["m1"],
        actions_taken=[],
        blocker=None,
        facts=[
            {"kind": "email", "value": "<EMAIL_1>", "evidence": ["m1"], "withheld": False},
            {"kind": "phone", "value": "<PHONE_1>", "evidence": ["m4"], "withheld": False},
            {"kind": "payment_card", "value": "<CARD_1>", "evidence": ["m1"], "withheld": False},
        ],
        next_steps=[{"text": "Call <PHONE_1> about the refund.", "evidence": ["m4"]}],
    )


_DIGIT_RUN = re.compile(r"\d(?:[ -]?\d){12,18}")


def luhn_cards(text: str) -> list[str]:
    """Every maximal 13-19 digit run (spaces or dashes allowed) that passes Luhn."""
    runs = (re.sub(r"\D", "", m.group()) for m in _DIGIT_RUN.finditer(text))
    return [d for d in runs if luhn_ok(d)]


def leaks(body: str) -> list[str]:
    out = [f"card {c[-4:]}" for c in luhn_cards(body)]
    out += [
        label for label, value in (("email", EMAIL), ("iban", IBAN), ("password", PASSWORD)) if value in body
    ]
    if re.sub(r"\s", "", IBAN) in re.sub(r"\s", "", body):
        out.append("iban (compact)")
    if "7946" in body:
        out.append("phone")
    return out


def bodies(calls: list[dict[str, Any]]) -> list[str]:
    return [json.dumps(call, default=str) for call in calls]


def test_luhn_scanner_sees_every_layout() -> None:
    raw = json.dumps([m.text for m in PII.messages])
    assert {c[-4:] for c in luhn_cards(raw)} >= {"1111", "0004", "1881", "0005"}


def test_no_pii_in_any_request_re_asks_included() -> None:
    client = FakeClient(completion("not json"), completion(model_answer()))
    record = OpenAIBackend(client=client, max_reasks=1).extract(PII, TAXONOMY)
    assert len(client.calls) == 2
    for body in bodies(client.calls):
        assert leaks(body) == []
        assert "<CARD_1>" in body and "<EMAIL_1>" in body
    dumped = record.model_dump_json()
    assert EMAIL in dumped and PHONE in dumped  # re-hydrated for the human
    assert luhn_cards(dumped) == [] and PASSWORD not in dumped
    assert "[card ending 1111]" in record.summary
    assert {f.value for f in record.facts} >= {EMAIL, PHONE}
    assert any(f.withheld and f.value is None for f in record.facts)
    report = record.provenance.redaction
    assert report is not None and report["CARD"] == 4 and report["EMAIL"] == 1 and report["SECRET"] == 1
    assert "7946" not in json.dumps(report)


def test_no_pii_in_chunk_and_merge_calls() -> None:
    long = PII.model_copy(
        update={
            "messages": [
                *PII.messages,
                *(
                    Message(id=f"x{i}", role="bot", text="Still checking your order status. " * 20)
                    for i in range(12)
                ),
            ]
        }
    )
    script = [completion(model_answer()) for _ in range(8)]
    client = FakeClient(*script)
    record = OpenAIBackend(client=client, budget_tokens=1900, max_chunks=4).extract(long, TAXONOMY)
    assert len(client.calls) >= 3  # chunks and a merge
    for body in bodies(client.calls):
        assert leaks(body) == []
    assert luhn_cards(record.model_dump_json()) == []


def test_async_backend_redacts_too() -> None:
    client = AsyncFakeClient(completion(model_answer()))
    record = asyncio.run(AsyncOpenAIBackend(client=client).aextract(PII, TAXONOMY))
    assert all(leaks(b) == [] for b in bodies(client.calls))
    assert EMAIL in record.model_dump_json()


def test_redacted_record_keeps_placeholders() -> None:
    client = FakeClient(completion(model_answer()))
    record = OpenAIBackend(client=client, redacted_record=True).extract(PII, TAXONOMY)
    dumped = record.model_dump_json()
    assert EMAIL not in dumped and "7946" not in dumped and PASSWORD not in dumped
    assert luhn_cards(dumped) == [] and IBAN not in dumped
    assert "<EMAIL_1>" in dumped
    assert record.provenance.redaction is not None


def test_redact_false_sends_raw_text() -> None:
    client = FakeClient(completion(answer()))
    record = OpenAIBackend(client=client, redact=False).extract(PII, TAXONOMY)
    assert EMAIL in bodies(client.calls)[0] and luhn_cards(bodies(client.calls)[0])
    assert record.provenance.redaction is None


def test_custom_redactor() -> None:
    client = FakeClient(completion(answer()))
    OpenAIBackend(client=client, redact=Redactor(kinds=["EMAIL"])).extract(PII, TAXONOMY)
    body = bodies(client.calls)[0]
    assert EMAIL not in body and "7946" in body


def _cassette_bodies() -> list[str]:
    out = []
    for path in sorted(CASSETTES.glob("*.yaml")):
        for interaction in yaml.safe_load(path.read_text(encoding="utf-8"))["interactions"]:
            body = interaction["request"]["body"]
            out.append(body if isinstance(body, str) else json.dumps(body))
    return out


def test_cassette_request_bodies_carry_no_card_and_no_email() -> None:
    row = json.loads((FIXTURES / "abcd_short_1.json").read_text(encoding="utf-8"))
    emails = row["derived"]["silver_customer_entities_regex"]["email"]
    found = _cassette_bodies()
    assert len(found) >= 2
    for body in found:
        assert luhn_cards(body) == []
        for email in emails:
            assert email.casefold() not in body.casefold()
        assert "<EMAIL_1>" in body


@pytest.mark.parametrize("bad", ["yes", 1])
def test_redact_option_is_checked(bad: Any) -> None:
    from handoff_ai.exceptions import ConfigError

    with pytest.raises(ConfigError):
        OpenAIBackend(client=FakeClient(), redact=bad)


@pytest.mark.parametrize("value", ["EMAIL_1", "email_1", "<EMAIL_1", "EMAIL_1>", "MAIL_1"])
@pytest.mark.parametrize("redacted_record", [False, True])
def test_a_piece_of_a_placeholder_is_never_a_fact(value: str, redacted_record: bool) -> None:
    """A model may copy "EMAIL_1" out of "<EMAIL_1>" (SmolLM2 did): that is no value the customer gave."""
    conversation = Conversation(
        id="c", messages=[Message(id="m1", role="customer", text="my email is jo@example.com, order 123456")]
    )
    fact = {"kind": "contact", "value": value, "evidence": ["m1"], "withheld": False}
    client = FakeClient(completion(answer(facts=[fact])))
    backend = OpenAIBackend("m", client=client, redacted_record=redacted_record)
    record = backend.extract(conversation, Taxonomy.default())
    assert [f.kind for f in record.facts] == ["email", "order_id"]  # the rules' facts only
    assert any(w.startswith("fact[0] (contact): value not found") for w in record.provenance.warnings)


def test_rules_values_inside_a_redacted_value_come_back_as_they_were() -> None:
    """A username that is the start of the redacted email must not come back as the whole email
    (seen on ABCD rows with the local model: the rules' "cminh1982" became "cminh1982@email.com")."""
    conversation = Conversation(
        id="c",
        messages=[
            Message(id="m1", role="agent", text="Could I have your username?"),
            Message(id="m2", role="customer", text="cminh1982"),
            Message(id="m3", role="agent", text="And the email on the account?"),
            Message(id="m4", role="customer", text="cminh1982@email.com"),
        ],
    )
    rules = RulesBackend().extract(conversation, Taxonomy.default())
    assert ("username", "cminh1982") in [(f.kind, f.value) for f in rules.facts]
    client = FakeClient(completion(answer(facts=[], summary=" ")))
    record = OpenAIBackend("m", client=client).extract(conversation, Taxonomy.default())
    assert [(f.kind, f.value, f.evidence) for f in record.facts] == [
        (f.kind, f.value, f.evidence) for f in rules.facts
    ]
    assert record.summary == rules.summary  # taken from the rules: their own words, not re-hydrated ones
    redacted = OpenAIBackend("m", client=FakeClient(completion(answer(facts=[])))).extract(
        conversation, Taxonomy.default()
    )
    assert "cminh1982@email.com" not in {f.value for f in redacted.facts if f.kind == "username"}
