"""The parser registry: what is registered, sniffing order, plugging in a new format."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

import handoff_ai.parsers as parsers
from handoff_ai.exceptions import UnknownFormatError, UsageError
from handoff_ai.models import Conversation, Message
from handoff_ai.parsers import ParserInput, formats, load, register_parser
from handoff_ai.parsers._registry import get_parser, specs, unregister_parser

NAMES = [
    "botframework", "botpress", "chatwoot", "dialogflow_cx", "email", "freshdesk", "helpscout", "intercom",
    "json", "messenger", "openai", "openai_thread", "rasa", "slack", "text", "twilio_sms", "whatsapp",
    "zendesk",
]  # fmt: skip


def test_registered_names_are_pinned() -> None:
    assert [name for name, _ in formats()] == NAMES
    assert all(description and "\n" not in description for _, description in formats())


def test_public_api_is_pinned() -> None:
    assert sorted(parsers.__all__) == [
        "Parser",
        "ParserInput",
        "ParserSpec",
        "Source",
        "formats",
        "get_parser",
        "load",
        "load_many",
        "register_parser",
    ]


def test_sniffing_order_is_most_specific_first() -> None:
    # vendor payloads (priority 40, registration order) before slack, openai, json, then the text formats
    assert [spec.name for spec in specs()] == [
        "botframework", "botpress", "chatwoot", "dialogflow_cx", "freshdesk", "helpscout", "intercom",
        "messenger", "openai_thread", "rasa", "twilio_sms", "zendesk",
        "slack", "openai", "json", "email", "whatsapp", "text",
    ]  # fmt: skip


def test_unknown_format_name_lists_known_formats() -> None:
    with pytest.raises(UnknownFormatError) as info:
        load("Customer: hi", format="no-such-format")
    assert info.value.known == tuple(NAMES)
    assert f"known formats: {', '.join(NAMES)}" in str(info.value)
    assert isinstance(info.value, UsageError)


def test_format_names_are_case_insensitive() -> None:
    assert load("Customer: hi", format="TEXT").messages[0].role == "customer"


def test_unrecognised_input_lists_known_formats() -> None:
    with pytest.raises(UnknownFormatError) as info:
        load('{"invoice": 4411, "lines": []}')  # JSON, but no conversation shape
    assert info.value.known == tuple(NAMES)


@pytest.fixture
def pipe_format() -> Iterator[str]:
    """A throwaway format 'a|b' lines, registered for one test."""

    @register_parser("pipes", description="role|text lines", extensions=(".pipes",), priority=50)
    class PipeParser:
        def sniff(self, data: ParserInput) -> bool:
            return data.text is not None and data.text.startswith("customer|")

        def parse(self, data: ParserInput, *, id: str | None, file: str | None) -> Conversation:
            assert data.text is not None
            messages = [
                Message(id=f"m{i}", role=line.split("|")[0], text=line.split("|")[1])  # type: ignore[arg-type]
                for i, line in enumerate(data.text.splitlines(), start=1)
            ]
            return Conversation(id=id or "pipes", messages=messages)

    yield "pipes"
    unregister_parser("pipes")


def test_a_new_format_plugs_in_with_one_decorator(pipe_format: str) -> None:
    assert get_parser(pipe_format).extensions == (".pipes",)
    assert specs()[0].name == pipe_format  # highest priority sniffs first
    conversation = load("customer|hi\nbot|hello")
    assert [m.role for m in conversation.messages] == ["customer", "bot"]
    assert pipe_format in [name for name, _ in formats()]


def test_registering_a_name_twice_is_an_error() -> None:
    with pytest.raises(ValueError, match="already registered"):
        register_parser("json", description="again")(lambda data, *, id, file: Conversation())


def test_a_bare_function_is_used_only_when_named() -> None:
    @register_parser("fixed", description="always the same conversation")
    def parse_fixed(data: ParserInput, *, id: str | None, file: str | None) -> Conversation:
        return Conversation(id=id or "fixed", messages=[Message(id="m1", role="customer", text="x")])

    try:
        assert load("anything at all", format="fixed").id == "fixed"
        assert load("anything at all").id != "fixed"  # auto: read as one customer message
        with pytest.raises(UnknownFormatError):
            load('{"anything": "at all"}')
    finally:
        unregister_parser("fixed")


def test_a_crashing_sniffer_counts_as_no() -> None:
    @register_parser("broken", description="sniff raises", priority=99)
    class Broken:
        def sniff(self, data: ParserInput) -> bool:
            raise RuntimeError("bug")

        def parse(self, data: ParserInput, *, id: str | None, file: str | None) -> Conversation:
            raise AssertionError("not reached")

    try:
        assert load("Customer: hi").messages[0].source.format == "text"  # type: ignore[union-attr]
    finally:
        unregister_parser("broken")
