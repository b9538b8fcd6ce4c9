"""The public API: what a user imports, and how summarize/asummarize behave."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

import handoff_ai as ho
from handoff_ai import HandoffRecord, Message

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"

EXPECTED_ALL = {
    "Action", "AsyncFallbackBackend", "AsyncOpenAIBackend", "FallbackBackend", "OpenAIBackend", "AsyncBackend", "Backend", "BackendError", "Blocker", "Commitment", "ConfigError", "Conversation",
    "Expertise", "ExtractionError", "Fact", "Handoff", "HandoffError", "HandoffRecord", "HistoryEvent",
    "Intent", "IntentSpec", "Item", "MergeReport", "Message", "ParseError", "Provenance", "RecognizerSpec",
    "RenderError", "RulesBackend", "Sentiment", "Signal", "SourceRef", "Summarizer", "Taxonomy", "TeamSpec",
    "UnknownBackendError", "UnknownFormatError", "Urgency", "UsageError", "__version__", "asummarize",
    "formats", "load", "load_many", "merge", "register_parser", "register_renderer", "render", "summarize",
    "asummarize_many", "summarize_many",
    "EscalationDecision", "EscalationPolicy", "LiveEscalation", "should_escalate",
    "audit", "score_note", "AuditReport",
}  # fmt: skip


def test_public_api_is_pinned() -> None:
    assert set(ho.__all__) == EXPECTED_ALL
    for name in ho.__all__:
        assert hasattr(ho, name), name


def test_every_error_is_a_handoff_error() -> None:
    for name in ho.__all__:
        obj = getattr(ho, name)
        if isinstance(obj, type) and issubclass(obj, Exception):
            assert issubclass(obj, ho.HandoffError), name


def _conversation() -> ho.Conversation:
    return ho.Conversation(
        id="t1",
        messages=[
            Message(id="a", role="customer", text="Hi, my order 4471-AB never arrived and I'm upset."),
            Message(id="b", role="bot", text="Sorry! Could I get your email address?"),
            Message(id="c", role="customer", text="jo@example.org"),
            Message(id="d", role="customer", text="Can I talk to a real person please?"),
        ],
    )


def test_summarize_defaults_to_offline_rules() -> None:
    record = ho.summarize(_conversation())
    assert isinstance(record, HandoffRecord)
    assert record.provenance.backend == "rules"
    assert record.conversation_id == "t1" and record.message_count == 4
    assert {f.value for f in record.facts} >= {"4471-AB", "jo@example.org"}
    assert record.intent.label == "delivery"
    assert record.handoff.type == "ai_to_human" and record.handoff.trigger == "customer_request"
    assert record.evidence_ids() <= {"a", "b", "c", "d"}


@pytest.mark.parametrize("name", ["chat.json", "openai_messages.json", "transcript.txt"])
def test_summarize_accepts_paths_and_examples(name: str) -> None:
    record = ho.summarize(EXAMPLES / name)
    assert record.summary
    assert any(f.value == "A-20931" for f in record.facts)
    assert record.handoff.trigger == "customer_request"
    assert record.blocker is not None


def test_summarize_accepts_raw_dicts_and_text() -> None:
    row = {"turns": [{"speaker": "customer", "text": "my zip code is 14224"}]}
    assert [f.value for f in ho.summarize(row).facts] == ["14224"]
    text = "Customer: I need to cancel my subscription\nBot: Sure, what is your account number?\nCustomer: 99887766"
    record = ho.summarize(text)
    assert record.intent.label == "cancellation"
    assert any(f.kind == "account_id" and f.value == "99887766" for f in record.facts)


def test_asummarize_is_the_async_twin() -> None:
    conversation = _conversation()
    sync = ho.summarize(conversation)
    result = asyncio.run(ho.asummarize(conversation))
    assert result == sync


def test_summarizer_is_reusable_with_a_custom_taxonomy(tmp_path: Path) -> None:
    taxonomy = tmp_path / "tax.toml"
    taxonomy.write_text(
        '[[teams]]\nname = "shipping"\n[[intents]]\nname = "late_parcel"\nteam = "shipping"\n'
        'keywords = ["never arrived", "late", "parcel"]\n'
        '[[recognizers]]\nkind = "store_id"\npattern = "STORE-\\\\d{3}"\n'
    )
    summarizer = ho.Summarizer(taxonomy=taxonomy)
    record = summarizer.summarize(_conversation())
    assert record.intent.label == "late_parcel"
    assert record.needed_expertise.team == "shipping"
    other = summarizer.summarize(
        {"messages": [{"role": "user", "content": "I'm at STORE-042, parcel is late"}]}
    )
    assert any(f.kind == "store_id" and f.value == "STORE-042" for f in other.facts)


def test_bad_arguments_raise_typed_errors(tmp_path: Path) -> None:
    with pytest.raises(ho.UnknownBackendError):
        ho.summarize(_conversation(), backend="nope")
    with pytest.raises(ho.UnknownFormatError):
        ho.summarize("Customer: hi", format="nope")
    with pytest.raises(ho.ConfigError):
        ho.summarize(_conversation(), taxonomy=tmp_path / "missing.toml")
    bad = tmp_path / "bad.json"
    bad.write_text('{"intents": [{"name": "x", "team": "ghost"}], "teams": [{"name": "real"}]}')
    with pytest.raises(ho.ConfigError, match="ghost"):
        ho.Taxonomy.load(bad)
    with pytest.raises(ho.UsageError):
        ho.summarize(_conversation(), backend=42)  # type: ignore[arg-type]


def test_record_json_schema_round_trips() -> None:
    record = ho.summarize(_conversation())
    schema = HandoffRecord.json_schema()
    assert schema["title"] == "HandoffRecord"
    assert set(schema["properties"]) >= {
        "summary",
        "intent",
        "facts",
        "actions_taken",
        "provenance",
        "handoff",
    }
    again = HandoffRecord.model_validate_json(record.to_json())
    assert again == record
    assert json.loads(record.to_json())["schema_version"] == "1.2"


def test_default_taxonomy_covers_generic_support() -> None:
    taxonomy = ho.Taxonomy.default()
    names = {i.name for i in taxonomy.intents}
    assert {"billing", "refund", "delivery", "account_access", "technical_problem", "cancellation",
            "product_question", "complaint", "fraud_security", "privacy_legal"} <= names  # fmt: skip
    assert all(i.team and taxonomy.team(i.team) for i in taxonomy.intents)


def test_a_configured_model_makes_the_default_a_fallback(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HANDOFF_AI_MODEL", "gpt-4.1-mini")
    monkeypatch.setenv("OPENAI_API_KEY", "test-key")
    summarizer = ho.Summarizer()
    assert isinstance(summarizer.backend, ho.FallbackBackend)
    assert isinstance(summarizer._async_backend, ho.AsyncFallbackBackend)
    monkeypatch.delenv("HANDOFF_AI_MODEL")
    assert isinstance(ho.Summarizer().backend, ho.RulesBackend)
