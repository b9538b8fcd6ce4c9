"""A model's commitments are merged only where the cited bot/agent messages say them; the
rules' are always kept; the ISO due date is computed in code."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from handoff_ai.backends.rules import RulesBackend
from handoff_ai.llm.answer_schema import OutputBounds, answer_schema
from handoff_ai.llm.exchange import combine_answers
from handoff_ai.llm.grounding import ground, merge
from handoff_ai.models import Conversation, HandoffRecord, Message
from handoff_ai.models.llm import LLMAnswer, LLMCommitment
from handoff_ai.taxonomy import Taxonomy

TAXONOMY = Taxonomy.default()
WHEN = datetime(2026, 3, 5, 9, 30, tzinfo=timezone.utc)  # a Thursday
CONVERSATION = Conversation(
    id="c",
    messages=[
        Message(id="m1", role="customer", text="I was charged twice. My PIN is 4821.", timestamp=WHEN),
        Message(
            id="m2", role="agent", text="I've asked billing to look at the duplicate charge.", timestamp=WHEN
        ),
        Message(
            id="m3",
            role="agent",
            text="Billing confirms the duplicate; the refund of the second charge is approved for Monday.",
            timestamp=WHEN,
        ),
        Message(id="m4", role="agent", text="We'll email you within 24 hours.", timestamp=WHEN),
        Message(
            id="m5",
            role="agent",
            text="Noted: the customer's PIN 4821 was read out to billing.",
            timestamp=WHEN,
        ),
    ],
)


@pytest.fixture(scope="module")
def rules() -> HandoffRecord:
    return RulesBackend().extract(CONVERSATION, TAXONOMY)


def merged(rules: HandoffRecord, *commitments: LLMCommitment) -> HandoffRecord:
    answer, warnings = ground(LLMAnswer(summary="", commitments=list(commitments)), CONVERSATION, TAXONOMY)
    return merge(
        answer, rules, CONVERSATION, TAXONOMY, backend="openai", model="m", template="t", warnings=warnings
    )


def test_rules_commitments_are_always_kept(rules: HandoffRecord) -> None:
    assert [c.evidence for c in rules.commitments] == [["m4"]]
    record = merged(rules)
    assert record.commitments == rules.commitments
    assert record.provenance.fields["commitments"] == "rules"


def test_a_grounded_paraphrase_is_added_with_its_due_resolved_in_code(rules: HandoffRecord) -> None:
    record = merged(
        rules,
        LLMCommitment(
            text="Refund the second charge on Monday", due="Monday", actor="agent", evidence=["m3"]
        ),
    )
    added = record.commitments[-1]
    assert (added.due, added.due_iso, added.evidence, added.rule) == ("Monday", "2026-03-09", ["m3"], None)
    assert record.provenance.fields["commitments"] == "merged"


@pytest.mark.parametrize(
    ("item", "warning"),
    [
        (LLMCommitment(text="We will refund $500 by Friday", actor="agent", evidence=["m2"]), "not said in the cited"),
        (LLMCommitment(text="Ring the customer Monday", actor="agent", evidence=["m1"]), "no bot or agent message"),
        (LLMCommitment(text="Ring the customer Monday", actor="agent", evidence=["m99"]), "no bot or agent message"),
        (LLMCommitment(text="Refund the second charge", due="Friday 9am", actor="agent", evidence=["m3"]),
         "due not found"),
    ],
)  # fmt: skip
def test_unsupported_model_commitments_are_dropped_with_a_warning(
    rules: HandoffRecord, item: LLMCommitment, warning: str
) -> None:
    record = merged(rules, item)
    assert any(w.startswith("commitments[0]: " + warning) for w in record.provenance.warnings)
    if warning == "due not found":  # the promise stays, its unbacked due does not
        assert (record.commitments[-1].due, record.commitments[-1].due_iso) == (None, None)
    else:
        assert record.commitments == rules.commitments
    assert "4821" not in record.to_json()


def test_a_model_commitment_on_a_rules_promise_is_not_repeated(rules: HandoffRecord) -> None:
    record = merged(
        rules, LLMCommitment(text="Email the customer within 24 hours", actor="agent", evidence=["m4"])
    )
    assert record.commitments == rules.commitments


def test_secrets_are_masked_in_model_commitments(rules: HandoffRecord) -> None:
    record = merged(
        rules,
        LLMCommitment(text="Tell billing the customer PIN 4821 was read out", actor="agent", evidence=["m5"]),
    )
    assert "4821" not in record.to_json()


def test_chunk_answers_pool_commitments_and_the_schema_bounds_them() -> None:
    one = LLMCommitment(text="Call back", actor="agent", evidence=["m1"])
    two = LLMCommitment(text="Email", due="Friday", actor="bot", evidence=["m9"])
    pooled = combine_answers(
        [LLMAnswer(summary="a", commitments=[one]), LLMAnswer(summary="b", commitments=[one, two])]
    )
    assert pooled.commitments == [one, two]
    schema = answer_schema(TAXONOMY, bounds=OutputBounds(items=3), ids=["m1", "m2"])
    item = schema["properties"]["commitments"]
    assert item["maxItems"] == 3
    assert item["items"]["properties"]["evidence"]["items"]["enum"] == ["m1", "m2"]
    assert item["items"]["properties"]["actor"]["enum"] == ["bot", "agent"]
    assert {"type": "string", "maxLength": 40} in item["items"]["properties"]["due"]["anyOf"]
