"""The ``whatsapp`` parser: line shapes and locales, day/month order, system lines, media, roles."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from handoff_ai.exceptions import ParseError
from handoff_ai.parsers import ParserInput, load
from handoff_ai.parsers._whatsapp import WhatsAppParser

UTC = timezone.utc
LRM = "\u200e"
NNBSP = "\u202f"


@pytest.mark.parametrize(
    ("line", "timestamp"),
    [
        ("[31/12/2023, 21:41:05] Maya: hi", datetime(2023, 12, 31, 21, 41, 5, tzinfo=UTC)),
        (f"[12/31/23, 9:41:05{NNBSP}PM] Maya: hi", datetime(2023, 12, 31, 21, 41, 5, tzinfo=UTC)),
        ("31/12/2023, 21:41 - Maya: hi", datetime(2023, 12, 31, 21, 41, tzinfo=UTC)),
        ("12/31/23, 9:41 PM - Maya: hi", datetime(2023, 12, 31, 21, 41, tzinfo=UTC)),
        ("31.12.23, 21:41 - Maya: hi", datetime(2023, 12, 31, 21, 41, tzinfo=UTC)),
        ("[31.12.23 21:41:05] Maya: hi", datetime(2023, 12, 31, 21, 41, 5, tzinfo=UTC)),
        ("2023/12/31, 21:41 - Maya: hi", datetime(2023, 12, 31, 21, 41, tzinfo=UTC)),
        ("2023-12-31, 21:41 - Maya: hi", datetime(2023, 12, 31, 21, 41, tzinfo=UTC)),
        (f"{LRM}[1/2/24, 12:05:00 a.m.] Maya: hi", datetime(2024, 1, 2, 0, 5, tzinfo=UTC)),
    ],
)
def test_line_shapes_and_locales(line: str, timestamp: datetime) -> None:
    conversation = load(line)
    message = conversation.messages[0]
    assert message.source is not None and message.source.format == "whatsapp"
    assert (message.text, message.author, message.role, message.channel) == (
        "hi",
        "Maya",
        "customer",
        "whatsapp",
    )
    assert message.timestamp == timestamp


@pytest.mark.parametrize(
    ("lines", "order", "certain", "month"),
    [
        (["01/02/24, 10:00 - A: x", "13/02/24, 10:00 - A: y"], "DMY", True, 2),
        (["01/02/24, 10:00 - A: x", "02/13/24, 10:00 - A: y"], "MDY", True, 1),
        (["01/02/24, 10:00 - A: x"], "DMY", False, 2),
        (["01.02.24, 10:00 - A: x"], "DMY", False, 2),
        (["01/02/24, 10:00 AM - A: x"], "MDY", False, 1),
    ],
)
def test_day_month_order_is_decided_per_file(lines: list[str], order: str, certain: bool, month: int) -> None:
    conversation = load("\n".join(lines), "whatsapp")
    assert conversation.metadata == {"date_order": order, "date_order_certain": certain}
    assert conversation.messages[0].timestamp is not None
    assert conversation.messages[0].timestamp.month == month


def test_multi_line_messages_keep_inner_blank_lines() -> None:
    text = "31/12/2023, 21:41 - Maya: first\n\nthird line\n\n31/12/2023, 21:42 - Dana: ok\n\n"
    messages = load(text).messages
    assert [m.text for m in messages] == ["first\n\nthird line", "ok"]
    assert [m.source.pointer for m in messages if m.source] == ["line 1", "line 5"]


@pytest.mark.parametrize(
    ("line", "role", "kind", "metadata"),
    [
        (
            "31/12/2023, 21:41 - Messages and calls are end-to-end encrypted. Tap to learn more.",
            "system",
            "event",
            {},
        ),
        ("31/12/2023, 21:41 - Dana added Maya", "system", "event", {}),
        ('31/12/2023, 21:41 - Dana changed the subject from "a" to "b: c"', "system", "event", {}),
        ("31/12/2023, 21:41 - Maya joined using this group's invite link", "system", "event", {}),
        (
            "31/12/2023, 21:41 - Maya: You deleted this message",
            "system",
            "event",
            {"sender": "Maya", "deleted": True},
        ),
        (f"[31/12/2023, 21:41:00] Acme: {LRM}Missed voice call", "system", "event", {"sender": "Acme"}),
        (f"[31/12/2023, 21:41:00] Acme: {LRM}Maya added Dana", "system", "event", {"sender": "Acme"}),
        ("31/12/2023, 21:41 - Maya: I added you on LinkedIn", "customer", "message", {}),
        ("31/12/2023, 21:41 - Maya: <Media omitted>", "customer", "message", {"media": True}),
        (f"[31/12/2023, 21:41:00] Maya: {LRM}image omitted", "customer", "message", {"media": True}),
        (
            f"[31/12/2023, 21:41:00] Maya: {LRM}<attached: 00000012-PHOTO-2023-12-31-21-41-00.jpg>",
            "customer",
            "message",
            {"media": True, "attachment": "00000012-PHOTO-2023-12-31-21-41-00.jpg"},
        ),
    ],
)
def test_system_lines_and_media(line: str, role: str, kind: str, metadata: dict[str, object]) -> None:
    message = load(line, "whatsapp").messages[0]
    if kind == "event":  # platform notices are flagged so they are not listed as actions
        metadata = {"notice": True, **metadata}
    assert (message.role, message.kind, message.metadata) == (role, kind, metadata)
    assert LRM not in message.text


def test_roles_first_sender_is_customer_others_agents() -> None:
    text = (
        "31/12/2023, 21:40 - Messages and calls are end-to-end encrypted.\n"
        "31/12/2023, 21:41 - Maya: hi\n31/12/2023, 21:42 - Acme: hello\n31/12/2023, 21:43 - Dana: me too"
    )
    assert [m.role for m in load(text).messages] == ["system", "customer", "agent", "agent"]
    parser = WhatsAppParser(business_names=["acme", "DANA"])
    roles = [m.role for m in parser.parse(ParserInput(text=text), id=None, file=None).messages]
    assert roles == ["system", "customer", "agent", "agent"]
    parser = WhatsAppParser(business_names=["Maya"])
    roles = [m.role for m in parser.parse(ParserInput(text=text), id=None, file=None).messages]
    assert roles == ["system", "agent", "customer", "customer"]


@pytest.mark.parametrize(
    ("text", "location"),
    [
        ("Chat history\n31/12/2023, 21:41 - Maya: hi", "line 1"),
        ("31/12/2023, 21:41 - Maya: hi\n32/12/2023, 21:41 - Maya: hi", "line 2"),
        ("31/12/2023, 25:41 - Maya: hi", "line 1"),
        ("[31/12/23, 13:41:00 PM] Maya: hi", "line 1"),
    ],
)
def test_malformed_exports(text: str, location: str) -> None:
    with pytest.raises(ParseError) as info:
        load(text, "whatsapp")
    assert (info.value.format, info.value.location) == ("whatsapp", location)
    assert "Maya" not in str(info.value)


def test_sniffing_leaves_plain_transcripts_alone() -> None:
    parser = WhatsAppParser()
    assert parser.sniff(ParserInput(text="\n31/12/2023, 21:41 - Maya: hi"))
    assert not parser.sniff(ParserInput(text="2024-05-01 10:32 - Customer: hi"))
    assert not parser.sniff(ParserInput(text="[2024-05-01 10:32:11] Customer: hi"))
    assert not parser.sniff(ParserInput(text="Customer: 31/12/2023, 21:41 - Maya: hi"))
    assert load("[2024-05-01 10:32:11] Customer: hi").messages[0].source.format == "text"  # type: ignore[union-attr]
