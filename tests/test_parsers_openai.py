"""The ``openai`` parser: chat messages, tool calls as bot events, strict sniffing."""

from __future__ import annotations

import json
from typing import Any

import pytest

from handoff_ai.exceptions import ParseError
from handoff_ai.parsers import load


def call(call_id: str, name: str, arguments: Any) -> dict[str, Any]:
    return {"id": call_id, "type": "function", "function": {"name": name, "arguments": arguments}}


def test_roles_and_kinds() -> None:
    conversation = load(
        [
            {"role": "system", "content": "be nice"},
            {"role": "developer", "content": "dev rules"},
            {"role": "user", "content": "hi", "name": "maya"},
            {"role": "assistant", "content": "hello"},
        ]
    )
    got = [(m.role, m.kind, m.text, m.source.format) for m in conversation.messages]  # type: ignore[union-attr]
    assert got == [
        ("system", "note", "be nice", "openai"),
        ("system", "note", "dev rules", "openai"),
        ("customer", "message", "hi", "openai"),
        ("bot", "message", "hello", "openai"),
    ]
    assert conversation.messages[2].author == "maya"
    assert conversation.messages[1].metadata == {"openai_role": "developer"}


def test_tool_calls_become_bot_events_and_results_system_events() -> None:
    conversation = load(
        {
            "model": "gpt-4.1-mini",
            "messages": [
                {"role": "user", "content": "where is A123?"},
                {
                    "role": "assistant",
                    "content": None,
                    "tool_calls": [
                        call("call_1", "lookup_order", '{"order_id": "A123"}'),
                        call("call_2", "get_customer", '{"email": "a@b.c", "verbose": true}'),
                    ],
                },
                {"role": "tool", "tool_call_id": "call_1", "content": "not found"},
                {"role": "tool", "tool_call_id": "call_2", "content": [{"type": "text", "text": "ok"}]},
                {
                    "role": "assistant",
                    "content": "Let me get a human.",
                    "tool_calls": [call("call_3", "escalate", "")],
                },
            ],
        }
    )
    assert conversation.metadata == {"model": "gpt-4.1-mini"}
    rows = [(m.id, m.role, m.kind, m.text, m.source.pointer) for m in conversation.messages]  # type: ignore[union-attr]
    assert rows == [
        ("m1", "customer", "message", "where is A123?", "messages[0]"),
        ("m2", "bot", "event", 'called lookup_order(order_id="A123")', "messages[1].tool_calls[0]"),
        (
            "m3",
            "bot",
            "event",
            'called get_customer(email="a@b.c", verbose=true)',
            "messages[1].tool_calls[1]",
        ),
        ("m4", "system", "event", "not found", "messages[2]"),
        ("m5", "system", "event", "ok", "messages[3]"),
        ("m6", "bot", "message", "Let me get a human.", "messages[4]"),
        ("m7", "bot", "event", "called escalate()", "messages[4].tool_calls[0]"),
    ]
    assert conversation.messages[1].metadata == {
        "name": "lookup_order",
        "arguments": {"order_id": "A123"},
        "tool_call_id": "call_1",
    }
    assert conversation.messages[3].metadata == {
        "openai_role": "tool",
        "tool_call_id": "call_1",
        "name": "lookup_order",
    }


def test_unparseable_arguments_are_kept_raw() -> None:
    conversation = load(
        [{"role": "assistant", "content": None, "tool_calls": [call("c", "f", "{not json")]}], "openai"
    )
    assert conversation.messages[0].text == "called f({not json)"
    assert conversation.messages[0].metadata["arguments"] == "{not json"


def test_legacy_function_call_and_refusal() -> None:
    conversation = load(
        [
            {"role": "assistant", "content": None, "function_call": {"name": "f", "arguments": '{"a": 1}'}},
            {"role": "function", "name": "f", "content": "42"},
            {"role": "assistant", "content": None, "refusal": "I can't help with that."},
        ]
    )
    assert [(m.role, m.kind, m.text) for m in conversation.messages] == [
        ("bot", "event", "called f(a=1)"),
        ("system", "event", "42"),
        ("bot", "message", "I can't help with that."),
    ]
    assert conversation.messages[2].metadata == {"refusal": True}


@pytest.mark.parametrize(
    "data",
    [
        [{"speaker": "customer", "text": "a"}],  # ABCD / STAR rows are generic JSON
        {"id": "x", "turns": [{"speaker": "agent", "text": "a"}]},
        [{"role": "user", "content": "a", "timestamp": 1714559531}],  # extra keys: generic JSON
        [{"role": "customer", "content": "a"}],  # not an OpenAI role
        [{"role": "user", "text": "a"}],  # no content
    ],
)
def test_generic_json_is_not_sniffed_as_openai(data: Any) -> None:
    assert load(data).messages[0].source.format == "json"  # type: ignore[union-attr]


def test_openai_shapes_are_sniffed() -> None:
    for data in ([{"role": "user", "content": "a"}], {"messages": [{"role": "user", "content": "a"}]}):
        assert load(json.dumps(data)).messages[0].source.format == "openai"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("messages", "location", "fragment"),
    [
        ([{"role": "customer", "content": "a"}], "[0].role", "unknown role"),
        ([{"role": None, "content": "a"}], "[0].role", "role is null"),
        ([{"role": "user", "content": 5}], "[0].content", "must be a string"),
        ([{"role": "user", "content": [None]}], "[0].content", "content part"),
        (
            [{"role": "assistant", "content": None, "tool_calls": {"x": 1}}],
            "[0].tool_calls",
            "must be a list",
        ),
        (
            [{"role": "assistant", "content": None, "tool_calls": [{"id": "c"}]}],
            "[0].tool_calls[0]",
            "no function",
        ),
        ([{"role": "assistant", "function_call": "f"}], "[0].function_call", "no name"),
        (["hello"], "[0]", "must be an object"),
    ],
)
def test_malformed(messages: list[Any], location: str, fragment: str) -> None:
    with pytest.raises(ParseError) as info:
        load(messages, "openai")
    assert (info.value.format, info.value.location) == ("openai", location)
    assert fragment in str(info.value)


def test_not_a_message_list() -> None:
    with pytest.raises(ParseError, match="expected a list"):
        load({"choices": []}, "openai")
    with pytest.raises(ParseError, match="not JSON"):
        load("Customer: hi", "openai")


def test_empty_messages_object_is_an_empty_conversation() -> None:
    assert len(load({"messages": []}, "openai")) == 0
