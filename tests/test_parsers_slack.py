"""The ``slack`` parser: markup, thread ordering, roles, subtypes, errors."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import pytest

from handoff_ai.exceptions import ParseError
from handoff_ai.parsers import ParserInput, load
from handoff_ai.parsers._slack import SlackParser, slack_to_text

UTC = timezone.utc


def msg(ts: str, text: str = "x", user: str | None = "U1", **extra: Any) -> dict[str, Any]:
    item: dict[str, Any] = {"type": "message", "ts": ts, "text": text, **extra}
    if user is not None:
        item["user"] = user
    return item


@pytest.mark.parametrize(
    ("markup", "plain"),
    [
        ("hi <@U1>", "hi @Maya"),
        ("hi <@U9>", "hi @U9"),
        ("hi <@U9|dana>", "hi @dana"),
        ("<https://x.example/a?b=1&amp;c=2|the page>", "the page (https://x.example/a?b=1&c=2)"),
        ("<https://x.example>", "https://x.example"),
        ("<mailto:a@b.example|a@b.example>", "a@b.example"),
        ("<#C1|general> <#C2>", "#general #C2"),
        ("<!here> <!channel> <!subteam^S1|@billing> <!subteam^S2>", "@here @channel @billing @S2"),
        ("<!date^1392734382^{date}|Feb 18, 2014>", "Feb 18, 2014"),
        ("a &lt;b&gt; &amp;amp;", "a <b> &amp;"),
        ("no markup *bold* `code`", "no markup *bold* `code`"),
    ],
)
def test_markup_to_plain_text(markup: str, plain: str) -> None:
    assert slack_to_text(markup, {"U1": "Maya"}) == plain


def test_thread_replies_follow_their_parent_and_orphans_keep_their_time() -> None:
    items = [
        msg("100.000001", "parent", thread_ts="100.000001", reply_count=2),
        msg("300.000001", "reply 2", user="U2", thread_ts="100.000001"),
        msg("200.000001", "top later", user="U3"),
        msg("150.000001", "reply 1", user="U2", thread_ts="100.000001"),
        msg("120.000001", "orphan", user="U2", thread_ts="50.000001"),
        msg("200.000001", "same ts, later in file", user="U3"),
    ]
    conversation = load(items)
    assert [m.text for m in conversation.messages] == [
        "parent", "reply 1", "reply 2", "orphan", "top later", "same ts, later in file",
    ]  # fmt: skip
    assert [m.source.pointer for m in conversation.messages if m.source] == [
        "[0]",
        "[3]",
        "[1]",
        "[4]",
        "[2]",
        "[5]",
    ]
    assert conversation.ids == ["m1", "m2", "m3", "m4", "m5", "m6"]
    assert conversation.messages[1].metadata["thread_ts"] == "100.000001"


def test_roles_bots_and_events() -> None:
    items = [
        msg("1.0", "joined", subtype="channel_join"),
        msg("2.0", "auto", user=None, subtype="bot_message", bot_id="B1", username="Helper"),
        msg("3.0", "question", user="U1"),
        msg("4.0", "app user", user="U7", bot_id="B2"),
        msg("5.0", "answer", user="U2"),
        msg("6.0", "another customer", user="U3"),
    ]
    conversation = load(items, "slack")
    assert [(m.role, m.kind) for m in conversation.messages] == [
        ("system", "event"), ("bot", "message"), ("customer", "message"),
        ("bot", "message"), ("agent", "message"), ("agent", "message"),
    ]  # fmt: skip
    assert conversation.messages[1].author == "Helper"
    by_agents = SlackParser(agent_users=["U2"]).parse(ParserInput(value=items), id=None, file=None)
    assert [m.role for m in by_agents.messages][2:] == ["customer", "bot", "agent", "customer"]
    by_customers = SlackParser(customer_users=["U3"]).parse(ParserInput(value=items), id=None, file=None)
    assert [m.role for m in by_customers.messages][2:] == ["agent", "bot", "agent", "customer"]


def test_fields_timestamps_and_kept_metadata() -> None:
    item = msg(
        "1714559531.000200",
        "hi",
        user_profile={"real_name": "Maya Lindqvist", "display_name": ""},
        files=[{"name": "a.pdf", "url_private": "https://files.example/a.pdf"}],
        blocks=[{"type": "rich_text"}],
        edited={"user": "U1", "ts": "1714559600.000000"},
    )
    message = load([item]).messages[0]
    assert message.timestamp == datetime(2024, 5, 1, 10, 32, 11, 200, tzinfo=UTC)
    assert (message.author, message.channel) == ("Maya Lindqvist", "slack")
    assert message.metadata == {
        "ts": "1714559531.000200",
        "user": "U1",
        "edited": {"user": "U1", "ts": "1714559600.000000"},
        "files": ["a.pdf"],
    }


def test_bot_text_from_attachments() -> None:
    item = msg(
        "1.0", "", user=None, bot_id="B1", attachments=[{"fallback": "Ticket #1 created", "color": "good"}]
    )
    message = load([item], "slack").messages[0]
    assert (message.role, message.text) == ("bot", "Ticket #1 created")


@pytest.mark.parametrize(
    ("value", "location"),
    [
        ({"messages": []}, None),
        ([], None),
        ([msg("1.0"), "text"], "[1]"),
        ([msg("1.0"), {"type": "message", "text": "x"}], "[1].ts"),
        ([msg("1.0"), msg("yesterday")], "[1].ts"),
        ([msg("1.0"), {**msg("2.0"), "text": ["x"]}], "[1].text"),
    ],
)
def test_malformed_exports(value: Any, location: str | None) -> None:
    with pytest.raises(ParseError) as info:
        load(value, "slack")
    assert (info.value.format, info.value.location) == ("slack", location)


def test_sniffing_is_specific() -> None:
    parser = SlackParser()
    assert parser.sniff(ParserInput(value=[msg("1.0")]))
    assert not parser.sniff(ParserInput(value=[{"type": "message", "text": "x"}]))
    assert not parser.sniff(ParserInput(value=[{"role": "user", "content": "hi"}]))
    assert not parser.sniff(ParserInput(value=[]))
    assert not parser.sniff(ParserInput(text="Customer: hi"))
    assert load([{"type": "customer", "text": "hi", "ts": 1.0}]).messages[0].source.format == "json"  # type: ignore[union-attr]
