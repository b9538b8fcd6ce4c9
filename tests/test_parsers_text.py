"""The ``text`` parser: speaker labels, timestamps, multi-line messages, header errors."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from handoff_ai.exceptions import ParseError
from handoff_ai.parsers import load

UTC = timezone.utc


@pytest.mark.parametrize(
    ("line", "role", "kind", "author", "text"),
    [
        ("Customer: my order", "customer", "message", None, "my order"),
        ("customer:my order", "customer", "message", None, "my order"),
        ("User: hi", "customer", "message", None, "hi"),
        ("Visitor: hi", "customer", "message", None, "hi"),
        ("Human: hi", "customer", "message", None, "hi"),
        ("Bot: hello", "bot", "message", None, "hello"),
        ("Assistant: hello", "bot", "message", None, "hello"),
        ("AI: hello", "bot", "message", None, "hello"),
        ("Virtual Agent: hello", "bot", "message", None, "hello"),
        ("Agent: hello", "agent", "message", None, "hello"),
        ("Support: hello", "agent", "message", None, "hello"),
        ("Customer Support: hello", "agent", "message", None, "hello"),
        ("Operator: hello", "agent", "message", None, "hello"),
        ("System: chat transferred", "system", "event", None, "chat transferred"),
        ("Dana (agent): hi Maya", "agent", "message", "Dana", "hi Maya"),
        ("Dana Smith (Support): hi", "agent", "message", "Dana Smith", "hi"),
        ("Maya (customer): hi", "customer", "message", "Maya", "hi"),
        ("ShopBot (bot): hi", "bot", "message", "ShopBot", "hi"),
        ("Dana (internal note): check refund", "agent", "note", "Dana", "check refund"),
        ("Customer:", "customer", "message", None, ""),
        ("Customer: Error: E-5021: timeout", "customer", "message", None, "Error: E-5021: timeout"),
        ("Customer: <b>html</b> stays", "customer", "message", None, "<b>html</b> stays"),
        ("Customer: طلبي لم يصل 😡", "customer", "message", None, "طلبي لم يصل 😡"),
    ],
)
def test_speaker_lines(line: str, role: str, kind: str, author: str | None, text: str) -> None:
    message = load(line, "text").messages[0]
    assert (message.role, message.kind, message.author, message.text) == (role, kind, author, text)


@pytest.mark.parametrize(
    ("line", "timestamp", "time"),
    [
        ("[10:32] Customer: hi", None, "10:32"),
        ("[10:32:05] Customer: hi", None, "10:32:05"),
        ("(10:32 PM) Customer: hi", None, "22:32"),
        ("[12:05 am] Customer: hi", None, "00:05"),
        ("10:32 - Customer: hi", None, "10:32"),
        ("10:32 Customer: hi", None, "10:32"),
        ("2024-05-01 10:32:11 Customer: hi", datetime(2024, 5, 1, 10, 32, 11, tzinfo=UTC), None),
        ("[2024-05-01 10:32] Customer: hi", datetime(2024, 5, 1, 10, 32, tzinfo=UTC), None),
        ("2024-05-01T10:32:11Z Customer: hi", datetime(2024, 5, 1, 10, 32, 11, tzinfo=UTC), None),
        ("2024-05-01T12:32:11+02:00 | Customer: hi", datetime(2024, 5, 1, 10, 32, 11, tzinfo=UTC), None),
        ("[2024-05-01 12:32:11 +0200] Customer: hi", datetime(2024, 5, 1, 10, 32, 11, tzinfo=UTC), None),
    ],
)
def test_timestamps(line: str, timestamp: datetime | None, time: str | None) -> None:
    message = load(line).messages[0]
    assert message.text == "hi"
    assert message.timestamp == timestamp
    assert message.metadata.get("time") == time


def test_impossible_time_is_an_error_with_line() -> None:
    with pytest.raises(ParseError) as info:
        load("Customer: hi\n[25:61] Bot: hello")
    assert (info.value.format, info.value.location) == ("text", "line 2")


def test_multi_line_messages_and_blank_lines() -> None:
    text = (
        "\n"
        "Customer: my address is\n"
        "  12 Main St\n"
        "\n"
        "  Springfield\n"
        "\n"
        "\n"
        "Bot: thanks\n"
        "Note: this line belongs to the bot\n"
    )
    conversation = load(text)
    assert [m.text for m in conversation.messages] == [
        "my address is\n12 Main St\n\nSpringfield",
        "thanks\nNote: this line belongs to the bot",
    ]
    assert [m.source.pointer for m in conversation.messages] == ["line 2", "line 8"]  # type: ignore[union-attr]
    assert conversation.ids == ["m1", "m2"]


def test_message_with_empty_first_line() -> None:
    assert load("Customer:\n    line one\n    line two").messages[0].text == "line one\nline two"


def test_text_before_first_speaker_is_an_error() -> None:
    with pytest.raises(ParseError) as info:
        load("\nChat transcript, exported 2024-05-01\nCustomer: hi\nBot: hello")
    assert (info.value.format, info.value.location) == ("text", "line 2")


def test_unknown_labels_are_continuation_lines() -> None:
    conversation = load("Customer: hi\nMaya: hello?\nBot: yes")
    assert [m.text for m in conversation.messages] == ["hi\nMaya: hello?", "yes"]


def test_windows_newlines_and_file_source(tmp_path: object) -> None:
    conversation = load(b"Customer: a\r\nBot: b\r\n")
    assert [m.text for m in conversation.messages] == ["a", "b"]


def test_huge_transcript() -> None:
    lines = [f"{'Customer' if i % 2 else 'Bot'}: message {i}" for i in range(10_000)]
    conversation = load("\n".join(lines))
    assert len(conversation) == 10_000
    assert conversation.messages[-1].source.pointer == "line 10000"  # type: ignore[union-attr]


def test_text_format_on_json_value_is_an_error() -> None:
    with pytest.raises(ParseError, match="expected text"):
        load([{"role": "user", "text": "a"}], "text")
