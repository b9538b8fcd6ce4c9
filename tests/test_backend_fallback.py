"""FallbackBackend / AsyncFallbackBackend: every fault of the model path ends in a record
with the reason in provenance, or in the typed error when strict."""

from __future__ import annotations

import asyncio
import json
import sys
from typing import Any

import openai
import pytest

from handoff_ai.backends import AsyncBackend, Backend
from handoff_ai.backends.fallback import AsyncFallbackBackend, FallbackBackend
from handoff_ai.backends.openai import AsyncOpenAIBackend, OpenAIBackend
from handoff_ai.backends.rules import RulesBackend
from handoff_ai.exceptions import BackendError, ExtractionError, UsageError
from handoff_ai.models import Conversation, HandoffRecord
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
LABEL = "fallback(openai→rules)"

# (id, script for 3 transport attempts x 2 answers, expected exception class, words in the reason)
FAULTS: list[tuple[str, list[Any], type[Exception], str]] = [
    (
        "429",
        [status_error(429, headers={"retry-after": "1"}) for _ in range(3)],
        BackendError,
        "rate limited",
    ),
    ("500", [status_error(500) for _ in range(3)], BackendError, "server error"),
    ("timeout", [timeout_error() for _ in range(3)], BackendError, "timed out"),
    ("connection", [connection_error() for _ in range(3)], BackendError, "could not connect"),
    ("auth", [status_error(401)], BackendError, "authentication"),
    ("invalid-json", [completion("{oops"), completion("still { not json")], ExtractionError, "invalid JSON"),
    (
        "schema",
        [completion(answer(urgency="extreme")), completion(answer(urgency="extreme"))],
        ExtractionError,
        "schema violation",
    ),
    (
        "refusal",
        [completion(None, refusal="I can't."), completion(None, refusal="No.")],
        ExtractionError,
        "refused",
    ),
    (
        "length",
        [completion('{"summary": "x', finish_reason="length"), completion('{"s', finish_reason="length")],
        ExtractionError,
        "cut off",
    ),
]


def primary(client: Any, **options: Any) -> OpenAIBackend:
    return OpenAIBackend("gpt-4.1-mini", client=client, sleep=lambda _: None, **options)


@pytest.mark.parametrize(("script", "error", "words"), [f[1:] for f in FAULTS], ids=[f[0] for f in FAULTS])
def test_every_fault_ends_in_a_rules_record_with_the_reason(
    script: list[Any], error: type[Exception], words: str
) -> None:
    record = FallbackBackend(primary(FakeClient(*script)), RulesBackend()).extract(CONVERSATION, TAXONOMY)
    prov = record.provenance
    assert prov.backend == LABEL
    assert prov.fallback_reason is not None and prov.fallback_reason.startswith(f"{error.__name__}: ")
    assert words in prov.fallback_reason
    for message in CONVERSATION.messages:  # no transcript text in the reason
        assert message.text not in prov.fallback_reason
    rules = RulesBackend().extract(CONVERSATION, TAXONOMY)
    assert record.facts == rules.facts and record.summary == rules.summary
    HandoffRecord.model_validate_json(record.model_dump_json())


@pytest.mark.parametrize(("script", "error", "words"), [f[1:] for f in FAULTS], ids=[f[0] for f in FAULTS])
def test_strict_raises_the_typed_error(script: list[Any], error: type[Exception], words: str) -> None:
    backend = FallbackBackend(primary(FakeClient(*script)), RulesBackend(), strict=True)
    with pytest.raises(error) as caught:
        backend.extract(CONVERSATION, TAXONOMY)
    assert not isinstance(caught.value, openai.OpenAIError)


@pytest.mark.parametrize(("script", "error", "words"), [f[1:] for f in FAULTS], ids=[f[0] for f in FAULTS])
def test_async_every_fault_ends_in_a_rules_record(
    script: list[Any], error: type[Exception], words: str
) -> None:
    async def no_sleep(_: float) -> None:
        return None

    model = AsyncOpenAIBackend("gpt-4.1-mini", client=AsyncFakeClient(*script), sleep=no_sleep)
    record = asyncio.run(AsyncFallbackBackend(model, RulesBackend()).aextract(CONVERSATION, TAXONOMY))
    assert record.provenance.backend == LABEL
    assert (record.provenance.fallback_reason or "").startswith(error.__name__)


def test_success_is_passed_through() -> None:
    record = FallbackBackend(primary(FakeClient(completion(answer()))), RulesBackend()).extract(
        CONVERSATION, TAXONOMY
    )
    assert record.provenance.backend == "openai" and record.provenance.fallback_reason is None


def test_invented_evidence_and_card_number_through_fallback() -> None:
    leaky = answer(
        summary=f"Charged twice on {CARD}.",
        intent_evidence=["m1", "m404"],
        actions_taken=[],
        blocker=None,
        next_steps=[],
        facts=[
            {"kind": "card_number", "value": CARD, "evidence": ["m1"], "withheld": False},
            {"kind": "order_id", "value": "999000", "evidence": ["m1"], "withheld": False},
        ],
    )
    record = FallbackBackend(primary(FakeClient(completion(leaky))), RulesBackend()).extract(
        CARD_CONVERSATION, TAXONOMY
    )
    assert record.provenance.backend == "openai" and record.provenance.warnings
    assert CARD not in record.model_dump_json() and "999000" not in {f.value for f in record.facts}
    assert record.evidence_ids() <= set(CARD_CONVERSATION.ids)


class Broken(Backend):
    name = "broken"

    def __init__(self, exc: Exception) -> None:
        self.exc = exc

    def extract(self, conversation: Conversation, taxonomy: Taxonomy) -> HandoffRecord:
        raise self.exc


def test_every_backend_failing_raises_a_group() -> None:
    first, second = BackendError("down", backend="a"), ExtractionError("bad", attempts=2)
    backend = FallbackBackend(Broken(first), Broken(second))
    if sys.version_info >= (3, 11):
        with pytest.raises(ExceptionGroup) as caught:  # noqa: F821
            backend.extract(CONVERSATION, TAXONOMY)
        assert list(caught.value.exceptions) == [first, second]


def test_chain_of_three_names_primary_and_answerer() -> None:
    backend = FallbackBackend(Broken(BackendError("a down")), Broken(BackendError("b down")), RulesBackend())
    record = backend.extract(CONVERSATION, TAXONOMY)
    assert record.provenance.backend == "fallback(broken→rules)"
    assert record.provenance.fallback_reason == "BackendError: a down; BackendError: b down"
    assert backend.name == "fallback(broken→broken→rules)"


def test_usage_errors_are_not_swallowed() -> None:
    with pytest.raises(UsageError):
        FallbackBackend(Broken(UsageError("bad argument")), RulesBackend()).extract(CONVERSATION, TAXONOMY)


def test_long_reasons_are_cut() -> None:
    record = FallbackBackend(Broken(BackendError("x" * 5000)), RulesBackend()).extract(CONVERSATION, TAXONOMY)
    assert len(record.provenance.fallback_reason or "") < 400


def test_members_are_checked() -> None:
    async_model = AsyncOpenAIBackend(client=AsyncFakeClient())
    with pytest.raises(UsageError, match="AsyncFallbackBackend"):
        FallbackBackend(async_model, RulesBackend())  # type: ignore[arg-type]
    with pytest.raises(UsageError):
        FallbackBackend(RulesBackend())
    assert isinstance(AsyncFallbackBackend(async_model, RulesBackend()), AsyncBackend)


def test_async_fallback_runs_sync_members_in_a_thread() -> None:
    backend = AsyncFallbackBackend(Broken(BackendError("down")), RulesBackend())
    record = asyncio.run(backend.aextract(CONVERSATION, TAXONOMY))
    assert record.provenance.backend == "fallback(broken→rules)"
    model = primary(FakeClient(completion(answer())))
    record = asyncio.run(AsyncFallbackBackend(model, RulesBackend()).aextract(CONVERSATION, TAXONOMY))
    assert record.provenance.backend == "openai"


def test_reason_never_quotes_model_output() -> None:
    secret_output = json.dumps({"summary": "jane@example.com " * 3})
    script = [
        completion(secret_output, finish_reason="length"),
        completion(secret_output, finish_reason="length"),
    ]
    record = FallbackBackend(primary(FakeClient(*script)), RulesBackend()).extract(CONVERSATION, TAXONOMY)
    assert "jane@example.com" not in (record.provenance.fallback_reason or "")
