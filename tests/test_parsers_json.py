"""The generic ``json`` parser: key spellings, roles, timestamps, ids, ugly input."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any

import pytest

from handoff_ai.exceptions import ParseError
from handoff_ai.parsers import load

UTC = timezone.utc


def one(message: dict[str, Any]) -> Any:
    """Parse a single message wrapped in ``{"messages": [...]}`` and return it."""
    return load({"messages": [message]}, "json").messages[0]


# ---------------------------------------------------------------- key spellings and roles


@pytest.mark.parametrize(
    ("message", "role", "kind", "text"),
    [
        ({"role": "user", "content": "a", "id": "x"}, "customer", "message", "a"),
        ({"speaker": "Customer", "text": "a"}, "customer", "message", "a"),
        ({"sender": "VISITOR", "body": "a"}, "customer", "message", "a"),
        ({"author": "end user", "message": "a"}, "customer", "message", "a"),
        ({"from": "end-user", "utterance": "a"}, "customer", "message", "a"),
        ({"type": "guest", "text": "a"}, "customer", "message", "a"),
        ({"participant": "contact", "text": "a"}, "customer", "message", "a"),
        ({"role": "human", "text": "a"}, "customer", "message", "a"),
        ({"role": "client", "text": "a"}, "customer", "message", "a"),
        ({"role": "assistant", "text": "a"}, "bot", "message", "a"),
        ({"role": "AI", "text": "a"}, "bot", "message", "a"),
        ({"role": "virtual agent", "text": "a"}, "bot", "message", "a"),
        ({"role": "chatbot", "text": "a"}, "bot", "message", "a"),
        ({"role": "automation", "text": "a"}, "bot", "message", "a"),
        ({"role": "agent", "text": "a"}, "agent", "message", "a"),
        ({"role": "human_agent", "text": "a"}, "agent", "message", "a"),
        ({"role": "Operator", "text": "a"}, "agent", "message", "a"),
        ({"role": "support", "text": "a"}, "agent", "message", "a"),
        ({"role": "staff", "text": "a"}, "agent", "message", "a"),
        ({"role": "admin", "text": "a"}, "agent", "message", "a"),
        ({"role": "representative", "text": "a"}, "agent", "message", "a"),
        ({"role": "rep", "text": "a"}, "agent", "message", "a"),
        ({"role": "system", "text": "a"}, "system", "event", "a"),
        ({"speaker": "action", "text": "a"}, "system", "event", "a"),
        ({"role": "event", "text": "a"}, "system", "event", "a"),
        ({"role": "tool", "text": "a"}, "system", "event", "a"),
        ({"role": "log", "text": "a"}, "system", "event", "a"),
        ({"role": "note", "text": "a"}, "agent", "note", "a"),
        ({"role": "internal", "text": "a"}, "agent", "note", "a"),
        # the first role key whose value is a role wins; a person's name becomes the author
        ({"author": "Jane", "type": "agent", "text": "a"}, "agent", "message", "a"),
        # nested sender objects
        ({"sender": {"type": "agent", "name": "Jane"}, "text": "a"}, "agent", "message", "a"),
        # capitalised keys
        ({"Role": "bot", "Text": "a"}, "bot", "message", "a"),
        # explicit kind
        ({"role": "agent", "kind": "note", "text": "a"}, "agent", "note", "a"),
    ],
)
def test_role_and_text_spellings(message: dict[str, Any], role: str, kind: str, text: str) -> None:
    parsed = one(message)
    assert (parsed.role, parsed.kind, parsed.text) == (role, kind, text)


def test_author_name_channel_and_extra_keys() -> None:
    parsed = one({"sender": {"type": "agent", "name": "Jane"}, "text": "a", "channel": "email", "x": [1]})
    assert (parsed.author, parsed.channel, parsed.metadata) == ("Jane", "email", {"x": [1]})
    parsed = one({"author": "Jane", "role": "agent", "text": "a"})
    assert parsed.author == "Jane"
    parsed = one({"role": "customer", "name": "Maya", "text": "a", "lang": "sv"})
    assert (parsed.author, parsed.metadata) == ("Maya", {"lang": "sv"})


def test_content_parts_are_joined_and_attachments_noted() -> None:
    parsed = one(
        {
            "role": "user",
            "content": [
                {"type": "text", "text": "first"},
                {"type": "image_url", "image_url": {"url": "https://x/y.png"}},
                "second",
            ],
        }
    )
    assert parsed.text == "first\nsecond"
    assert parsed.metadata == {"attachments": ["image_url"]}


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2024-05-01T10:32:11Z", datetime(2024, 5, 1, 10, 32, 11, tzinfo=UTC)),
        ("2024-05-01T12:32:11+02:00", datetime(2024, 5, 1, 10, 32, 11, tzinfo=UTC)),
        ("2024-05-01 10:32:11", datetime(2024, 5, 1, 10, 32, 11, tzinfo=UTC)),  # naive → UTC
        ("2024-05-01T10:32:11.250Z", datetime(2024, 5, 1, 10, 32, 11, 250000, tzinfo=UTC)),
        (1714559531, datetime(2024, 5, 1, 10, 32, 11, tzinfo=UTC)),
        (1714559531.5, datetime(2024, 5, 1, 10, 32, 11, 500000, tzinfo=UTC)),
        (1714559531000, datetime(2024, 5, 1, 10, 32, 11, tzinfo=UTC)),  # milliseconds
        ("1714559531", datetime(2024, 5, 1, 10, 32, 11, tzinfo=UTC)),
        (None, None),
        ("", None),
    ],
)
def test_timestamps(value: Any, expected: datetime | None) -> None:
    parsed = one({"role": "user", "text": "a", "created_at": value})
    assert parsed.timestamp == expected
    if expected is not None:
        assert parsed.timestamp.tzinfo is not None


@pytest.mark.parametrize("key", ["timestamp", "time", "created_at", "date", "ts"])
def test_timestamp_keys(key: str) -> None:
    assert one({"role": "user", "text": "a", key: 1714559531}).timestamp is not None


# ---------------------------------------------------------------- errors say where


@pytest.mark.parametrize(
    ("messages", "location", "fragment"),
    [
        ([{"role": "user", "text": "a"}, {"text": "no role"}], "messages[1]", "no role"),
        ([{"role": None, "text": "a"}], "messages[0].role", "role is null"),
        ([{"speaker": "Jane", "text": "a"}], "messages[0].speaker", "unknown speaker"),
        ([{"role": 7, "text": "a"}], "messages[0].role", "must be a string"),
        ([{"role": "user", "text": True}], "messages[0].text", "must be a string"),
        ([{"role": "user", "text": {"nested": {"garbage": 1}}}], "messages[0].text", "must be a string"),
        ([{"role": "user", "content": [1, 2]}], "messages[0].content", "content part [0]"),
        ([{"role": "user", "text": "a", "ts": "yesterday"}], "messages[0].ts", "timestamp"),
        ([{"role": "user", "text": "a", "ts": True}], "messages[0].ts", "boolean"),
        ([{"role": "user", "text": "a", "ts": "¹"}], "messages[0].ts", "timestamp"),  # a digit, not a number
        ([{"role": "user", "text": "a", "ts": "²³.⁴"}], "messages[0].ts", "timestamp"),
        ([{"role": "user", "text": "a", "ts": 1e300}], "messages[0].ts", "out of range"),
        ([{"role": "user", "text": "a", "id": [1]}], "messages[0].id", "message id"),
        ([{"role": "user", "text": "a"}, "garbage"], "messages[1]", "must be an object"),
        ([{"role": "user", "text": "a"}, None], "messages[1]", "must be an object"),
        ([{"role": "user", "text": "a"}, [{"role": "user"}]], "messages[1]", "must be an object"),
    ],
)
def test_malformed_messages(messages: list[Any], location: str, fragment: str) -> None:
    with pytest.raises(ParseError) as info:
        load({"messages": messages}, "json")
    assert info.value.format == "json"
    assert info.value.location == location
    assert fragment in str(info.value)


def test_errors_never_quote_the_transcript() -> None:
    secret = "my card is 4111 1111 1111 1111"
    with pytest.raises(ParseError) as info:
        load({"messages": [{"speaker": secret, "text": secret}]}, "json")
    assert "4111" not in str(info.value)


def test_invalid_json_text_says_where() -> None:
    with pytest.raises(ParseError) as info:
        load('{"messages": [\n  {"role": "user", "text": "a"}\n  {"role": "bot"}]}')
    assert info.value.format == "json"
    assert info.value.location == "line 3 column 3"


def test_invalid_jsonl_line_says_which_line() -> None:
    with pytest.raises(ParseError) as info:
        load('{"role": "user", "text": "a"}\n{"role": "bot", "text": "b"}\n{"role": "bot", "te\n')
    assert info.value.location == "line 3"


@pytest.mark.parametrize("value", [[], {}, "[]", "{}", "  \n\t ", ""])
def test_empty_input(value: Any) -> None:
    with pytest.raises(ParseError, match="input is empty"):
        load(value)


def test_object_without_messages() -> None:
    with pytest.raises(ParseError, match="no list of messages"):
        load({"foo": 1}, "json")


# ---------------------------------------------------------------- shapes


def test_bare_list_pointers_and_ids() -> None:
    conversation = load([{"speaker": "customer", "text": "a"}, {"speaker": "agent", "text": "b"}])
    assert conversation.ids == ["m1", "m2"]
    assert [m.source.pointer for m in conversation.messages] == ["[0]", "[1]"]  # type: ignore[union-attr]
    assert conversation.id == "conversation"


@pytest.mark.parametrize("wrapper", ["messages", "turns", "conversation", "dialogue", "transcript"])
def test_wrappers(wrapper: str) -> None:
    conversation = load({"id": "c-1", wrapper: [{"role": "user", "text": "a"}], "extra": 1})
    assert conversation.id == "c-1"
    assert conversation.metadata == {"extra": 1}
    assert conversation.messages[0].source.pointer == f"{wrapper}[0]"  # type: ignore[union-attr]


def test_nested_wrapper_and_conversation_channel() -> None:
    data = {"conversation": {"id": 42, "channel": "whatsapp", "messages": [{"role": "user", "text": "a"}]}}
    conversation = load(data)
    assert conversation.id == "42"
    assert conversation.messages[0].channel == "whatsapp"
    assert conversation.messages[0].source.pointer == "conversation.messages[0]"  # type: ignore[union-attr]


def test_jsonl_messages() -> None:
    text = '{"role": "user", "text": "a"}\n\n{"role": "bot", "text": "b"}\n'
    conversation = load(text)
    assert [m.source.pointer for m in conversation.messages] == ["line 1", "line 3"]  # type: ignore[union-attr]


def test_single_message_object() -> None:
    conversation = load('{"role": "user", "text": "only one"}')
    assert [m.text for m in conversation.messages] == ["only one"]


def test_jsonl_of_conversations_points_to_load_many() -> None:
    line = json.dumps({"turns": [{"speaker": "customer", "text": "a"}]})
    with pytest.raises(ParseError, match="load_many"):
        load(f"{line}\n{line}\n")


def test_empty_messages_list_is_an_empty_conversation() -> None:
    # STAR has dialogues that ended before anyone spoke; they must load as they are.
    conversation = load({"id": "star-123", "turns": []})
    assert (conversation.id, len(conversation)) == ("star-123", 0)


# ---------------------------------------------------------------- ugly but valid input


def test_duplicate_ids_are_suffixed_never_dropped() -> None:
    conversation = load(
        {
            "messages": [
                {"id": "a", "role": "user", "text": "1"},
                {"id": "a", "role": "bot", "text": "2"},
                {"id": "a", "role": "bot", "text": "3"},
                {"role": "bot", "text": "4"},
                {"id": "m4", "role": "bot", "text": "5"},
                {"id": 7, "role": "bot", "text": "6"},
            ]
        }
    )
    assert conversation.ids == ["a", "a#2", "a#3", "m4", "m4#2", "7"]
    assert [m.metadata.get("original_id") for m in conversation.messages] == [
        None,
        "a",
        "a",
        None,
        "m4",
        None,
    ]


def test_mis_ordered_timestamps_keep_input_order() -> None:
    conversation = load(
        [
            {"role": "user", "text": "late", "ts": 1714559999},
            {"role": "bot", "text": "early", "ts": 1714550000},
        ]
    )
    assert [m.text for m in conversation.messages] == ["late", "early"]


def test_non_english_emoji_rtl_and_html_are_kept_verbatim() -> None:
    texts = [
        "Заказ не пришёл 😡",
        "طلبي رقم ١٢٣ لم يصل",
        "注文番号は A-123 です",
        "<b>bold</b> &amp; <script>x</script>",
    ]
    conversation = load(json.dumps([{"role": "user", "text": t} for t in texts], ensure_ascii=False))
    assert [m.text for m in conversation.messages] == texts


def test_empty_and_missing_text_are_kept_as_messages() -> None:
    conversation = load([{"role": "user", "text": ""}, {"role": "bot", "text": None}, {"role": "system"}])
    assert [m.text for m in conversation.messages] == ["", "", ""]


def test_numbers_as_text_are_taken_as_their_digits() -> None:
    assert one({"role": "user", "text": 14224}).text == "14224"


def test_huge_list() -> None:
    messages = [{"role": "user" if i % 2 else "bot", "text": f"message {i}"} for i in range(10_000)]
    conversation = load(messages)
    assert len(conversation) == 10_000
    assert conversation.ids[-1] == "m10000"
    assert conversation.messages[-1].source.pointer == "[9999]"  # type: ignore[union-attr]


def test_the_callers_data_is_not_mutated() -> None:
    data = {"id": "c", "turns": [{"speaker": "customer", "text": "a", "x": {"y": 1}}]}
    before = json.dumps(data, sort_keys=True)
    load(data)
    assert json.dumps(data, sort_keys=True) == before
