"""Property tests: whatever goes into ``load``, only a Conversation or a HandoffError comes out."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from handoff_ai.exceptions import HandoffError
from handoff_ai.models import Conversation
from handoff_ai.parsers import load, load_many

ROLES = ["user", "assistant", "customer", "bot", "agent", "action", "system", "tool", "note", "pirate", ""]
KEYS = [
    "role",
    "speaker",
    "sender",
    "text",
    "content",
    "body",
    "id",
    "timestamp",
    "ts",
    "type",
    "tool_calls",
    "tool_call_id",
    "name",
    "messages",
    "turns",
    "function",
    "arguments",
    "channel",
    "kind",
]

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True),
    st.text(max_size=20),
    st.sampled_from(ROLES),
)
json_like = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=5),
        st.dictionaries(st.one_of(st.sampled_from(KEYS), st.text(max_size=8)), children, max_size=6),
    ),
    max_leaves=30,
)
messageish = st.fixed_dictionaries(
    {"role": st.sampled_from(ROLES)},
    optional={
        "content": st.one_of(st.text(), st.none(), json_like),
        "text": st.one_of(st.text(), json_like),
        "id": st.one_of(st.text(max_size=3), st.integers(0, 3), json_like),
        "timestamp": st.one_of(st.integers(), st.floats(), st.text(max_size=25), json_like),
        "tool_calls": json_like,
        "tool_call_id": json_like,
        "name": json_like,
    },
)
conversationish = st.one_of(
    st.lists(messageish, max_size=6),
    st.fixed_dictionaries({"messages": st.lists(messageish, max_size=6)}),
    st.fixed_dictionaries({"id": json_like, "turns": st.lists(st.one_of(messageish, json_like), max_size=6)}),
)

FAST = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SLOW_TO_GENERATE = settings(FAST, max_examples=120)


def _check(source: Any, format: str = "auto") -> None:
    try:
        result = load(source, format)
    except HandoffError:
        return
    assert isinstance(result, Conversation)
    assert len(set(result.ids)) == len(result.ids)


@FAST
@given(st.one_of(json_like, conversationish), st.sampled_from(["auto", "json", "openai", "text"]))
def test_python_values(value: Any, format: str) -> None:
    _check(value, format)


@SLOW_TO_GENERATE
@given(st.one_of(json_like, conversationish))
def test_json_text(value: Any) -> None:
    text = json.dumps(value)
    _check(text)
    _check(text.encode())
    _check("\n".join(json.dumps(v) for v in (value if isinstance(value, list) else [value])))


@FAST
@given(st.binary(max_size=200))
def test_random_bytes(data: bytes) -> None:
    _check(data)


@FAST
@given(st.text(max_size=300))
def test_random_text(text: str) -> None:
    _check("\n" + text)  # a leading newline: never taken as a file path
    _check("Customer: hi\n" + text)


@FAST
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["Customer", "Bot", "Agent (rep)", "[10:32] User", "x"]), st.text(max_size=30)
        ),
        max_size=10,
    )
)
def test_text_transcripts(lines: list[tuple[str, str]]) -> None:
    _check("\n".join(f"{label}: {text}" for label, text in lines), "text")


@SLOW_TO_GENERATE
@given(st.lists(st.one_of(conversationish, json_like), max_size=4))
def test_load_many(values: list[Any]) -> None:
    text = "\n".join(json.dumps(v) for v in values)
    try:
        for conversation in load_many(text):
            assert isinstance(conversation, Conversation)
    except HandoffError:
        pass
