"""The schema sent to the model: intent and team closed to the taxonomy; bounds for grammar servers."""

from __future__ import annotations

import asyncio
import itertools
import json
from typing import Any

import pytest

import handoff_ai as ho
from handoff_ai.backends import AsyncOpenAIBackend, OpenAIBackend
from handoff_ai.exceptions import ConfigError
from handoff_ai.llm.answer_schema import OutputBounds, answer_schema, resolve_bounds
from handoff_ai.models import Conversation, Message
from handoff_ai.models.llm import LLMAnswer
from handoff_ai.taxonomy import Taxonomy

from .fake_openai import AsyncFakeClient, FakeClient, answer, completion

TAXONOMY = Taxonomy.default()
CONVERSATION = Conversation(
    id="c1",
    messages=[
        Message(id="m1", role="customer", text="My order 12345 never arrived, I need it by Friday."),
        Message(id="m2", role="bot", text="I checked: order 12345 is delayed at the depot."),
        Message(id="m3", role="customer", text="Please get me a human."),
    ],
)


def _schema_of(call: dict[str, Any]) -> dict[str, Any]:
    schema: dict[str, Any] = call["response_format"]["json_schema"]["schema"]
    return schema


def _walk(node: Any) -> list[dict[str, Any]]:
    if isinstance(node, dict):
        return [node, *(n for v in node.values() for n in _walk(v))]
    if isinstance(node, list):
        return [n for v in node for n in _walk(v)]
    return []


def test_intent_and_team_are_closed_to_the_taxonomy() -> None:
    schema = answer_schema(TAXONOMY)
    intents = schema["properties"]["intent"]["enum"]
    assert intents == [i.name for i in TAXONOMY.intents] + ["unknown"]
    team = schema["properties"]["team"]["anyOf"]
    assert team == [{"type": "string", "enum": [t.name for t in TAXONOMY.teams]}, {"type": "null"}]
    # still a valid strict schema: every object lists all properties as required
    for node in _walk(schema):
        if node.get("type") == "object":
            assert node["required"] == list(node["properties"]) and node["additionalProperties"] is False
    assert "maxLength" not in json.dumps(schema)  # no bounds unless asked


def test_taxonomy_without_intents_or_teams_keeps_free_strings() -> None:
    schema = answer_schema(Taxonomy())
    assert schema == LLMAnswer.strict_json_schema()


def test_an_answer_inside_the_enums_still_validates() -> None:
    data = answer(intent=TAXONOMY.intents[0].name, team=TAXONOMY.teams[0].name)
    assert LLMAnswer.model_validate(data).intent == TAXONOMY.intents[0].name


def test_bounds_limit_every_list_and_string_and_close_evidence_to_the_ids_sent() -> None:
    bounds = OutputBounds(text=50, items=3, facts=5, evidence=2, label=20)
    schema = answer_schema(TAXONOMY, bounds=bounds, ids=["m1", "m2", "m2"])
    for node in _walk(schema):
        if node.get("type") == "array":
            assert "maxItems" in node
        if node.get("type") == "string" and "enum" not in node:
            assert node["maxLength"] in (50, 20)
    props = schema["properties"]
    assert props["facts"]["maxItems"] == 5 and props["next_steps"]["maxItems"] == 3
    assert props["intent_evidence"] == {**props["intent_evidence"], "maxItems": 2}
    assert props["intent_evidence"]["items"]["enum"] == ["m1", "m2"]
    fact = props["facts"]["items"]["properties"]
    assert fact["evidence"]["items"]["enum"] == ["m1", "m2"] and fact["kind"]["maxLength"] == 20
    assert "maxItems" not in answer_schema(TAXONOMY)["properties"]["facts"]  # the cached one is untouched


def test_bounds_without_ids_cap_the_id_length() -> None:
    schema = answer_schema(TAXONOMY, bounds=OutputBounds(label=12))
    assert schema["properties"]["intent_evidence"]["items"]["maxLength"] == 12


@pytest.mark.parametrize(
    ("bounded", "base_url", "on"),
    [
        (None, None, False),  # the default client talks to api.openai.com
        (None, "https://api.openai.com/v1", False),
        (None, "https://my-resource.openai.azure.com/openai", False),
        (None, "http://127.0.0.1:8080/v1", True),
        (None, "http://ollama.internal:11434/v1", True),
        (True, "https://api.openai.com/v1", True),
        (False, "http://127.0.0.1:8080/v1", False),
    ],
)
def test_auto_bounds_are_on_for_grammar_servers_only(
    bounded: bool | None, base_url: str | None, on: bool
) -> None:
    assert (resolve_bounds(bounded, base_url) is not None) is on


def test_bad_bounds_are_config_errors() -> None:
    with pytest.raises(ValueError, match="items"):
        OutputBounds(items=0)
    with pytest.raises(ConfigError, match="bounded"):
        OpenAIBackend(client=FakeClient(), bounded="yes")  # type: ignore[arg-type]


class _LocalFake(FakeClient):
    base_url = "http://127.0.0.1:8768/v1"


def test_local_server_requests_carry_bounds_and_the_prompt_ids() -> None:
    client = _LocalFake(completion(answer()))
    ho.summarize(CONVERSATION, backend=OpenAIBackend("local", client=client))
    schema = _schema_of(client.calls[0])
    assert schema["properties"]["intent_evidence"]["items"]["enum"] == ["m1", "m2", "m3"]
    assert schema["properties"]["summary"]["maxLength"] == OutputBounds().text
    assert schema["properties"]["intent"]["enum"][-1] == "unknown"


def test_openai_requests_carry_the_enums_but_no_bounds() -> None:
    client = FakeClient(completion(answer()))
    ho.summarize(CONVERSATION, backend=OpenAIBackend("gpt-4.1-mini", client=client))
    schema = _schema_of(client.calls[0])
    assert "enum" in schema["properties"]["intent"] and "maxLength" not in json.dumps(schema)


def test_custom_bounds_reach_the_async_request() -> None:
    client = AsyncFakeClient(completion(answer()))
    backend = AsyncOpenAIBackend("m", client=client, bounded=OutputBounds(items=2))
    asyncio.run(ho.asummarize(CONVERSATION, backend=backend))
    assert _schema_of(client.calls[0])["properties"]["next_steps"]["maxItems"] == 2


def test_json_object_mode_shows_the_enums_in_the_prompt() -> None:
    client = FakeClient(completion(answer()))
    ho.summarize(CONVERSATION, backend=OpenAIBackend("m", client=client, mode="json_object"))
    system = client.calls[0]["messages"][0]["content"]
    assert json.dumps([i.name for i in TAXONOMY.intents] + ["unknown"], separators=(",", ":")) in system


def test_chunk_requests_cite_only_their_own_messages() -> None:
    messages = [
        Message(
            id=f"m{i}",
            role="customer" if i % 2 else "bot",
            text=f"Message {i} about order 5550{i:02d}. " * 12,
        )
        for i in range(1, 41)
    ]
    conversation = Conversation(id="long", messages=messages)
    parts = 4
    client = _LocalFake(*(completion(answer(intent_evidence=[], facts=[])) for _ in range(parts + 1)))
    backend = OpenAIBackend("local", client=client, budget_tokens=2_500, max_chunks=parts)
    ho.summarize(conversation, backend=backend)
    chunk_calls = client.calls[:-1]
    assert len(chunk_calls) >= 2
    cited = [set(_schema_of(c)["properties"]["intent_evidence"]["items"]["enum"]) for c in chunk_calls]
    for first, second in itertools.pairwise(cited):
        assert not first & second  # each chunk's schema names its own messages only
    merge_ids = set(_schema_of(client.calls[-1])["properties"]["intent_evidence"]["items"]["enum"])
    assert merge_ids == set().union(*cited)
