"""Helpdesk parsers (zendesk, intercom, freshdesk, chatwoot, helpscout): role rules, shapes, errors."""

from __future__ import annotations

from typing import Any

import pytest

from handoff_ai.exceptions import ParseError
from handoff_ai.parsers import load

SECRET = "order A-99 card 4111"


def roles(conversation: Any) -> list[tuple[str, str]]:
    return [(m.role, m.kind) for m in conversation.messages]


# --- zendesk -------------------------------------------------------------------------------


def comment(author: int, public: bool = True, **extra: Any) -> dict[str, Any]:
    return {"id": author * 10, "author_id": author, "public": public, "body": "x", **extra}


def test_zendesk_roles_requester_end_users_and_notes() -> None:
    data = {
        "ticket": {"id": 5, "requester_id": 1},
        "comments": [comment(1), comment(2), comment(2, public=False), comment(3)],
        "users": [
            {"id": 2, "name": "Dana", "role": "agent"},
            {"id": 3, "name": "Cc Colleague", "role": "end-user"},
        ],
    }
    conversation = load(data)
    assert conversation.id == "5"
    assert roles(conversation) == [
        ("customer", "message"), ("agent", "message"), ("agent", "note"), ("customer", "message"),
    ]  # fmt: skip
    assert [m.author for m in conversation.messages] == ["1", "Dana", "Dana", "Cc Colleague"]
    assert conversation.messages[0].metadata["id"] == 10
    assert {m.channel for m in conversation.messages} == {"zendesk"}


def test_zendesk_without_ticket_first_author_is_requester_and_html_fallback() -> None:
    data = {"comments": [comment(7, body=None, html_body="<p>Hello <b>there</b></p>"), comment(8)]}
    conversation = load(data, "zendesk")
    assert [m.role for m in conversation.messages] == ["customer", "agent"]
    assert conversation.messages[0].text == "Hello there"


@pytest.mark.parametrize(
    ("data", "location"),
    [
        ({"ticket": {}, "comments": "nope"}, "comments"),
        ({"ticket": [], "comments": []}, "ticket"),
        ({"ticket": {}, "comments": [5]}, "comments[0]"),
        (
            {"ticket": {}, "comments": [{"author_id": 1, "public": "yes", "body": SECRET}]},
            "comments[0].public",
        ),
        ({"ticket": {}, "comments": [{"author_id": 1, "public": True, "body": 3}]}, "comments[0].body"),
        (
            {"ticket": {}, "comments": [{"author_id": 1, "public": True, "created_at": SECRET}]},
            "comments[0].created_at",
        ),
        ({"ticket": {}, "comments": [comment(1, attachments={"a": 1})]}, "comments[0].attachments"),
    ],
)
def test_zendesk_errors_say_where(data: Any, location: str) -> None:
    with pytest.raises(ParseError) as info:
        load(data, "zendesk")
    assert info.value.location == location
    assert SECRET not in str(info.value)


# --- intercom ------------------------------------------------------------------------------


def part(kind: str, author: str, body: str | None = "<p>x</p>", **extra: Any) -> dict[str, Any]:
    return {
        "id": kind,
        "part_type": kind,
        "body": body,
        "created_at": 1,
        "author": {"type": author, "name": author},
    }


def intercom(*parts: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": "9",
        "created_at": 0,
        "source": {"type": "email", "body": "<p>help</p>", "author": {"type": "lead", "id": "L1"}},
        "conversation_parts": {"conversation_parts": list(parts)},
    }


def test_intercom_roles_notes_and_events() -> None:
    conversation = load(
        intercom(
            part("comment", "bot"),
            part("note", "admin"),
            part("assignment", "admin", None),
            part("comment", "contact"),
            part("close", "admin", "<p>Bye!</p>"),
        )
    )
    assert roles(conversation) == [
        ("customer", "message"), ("bot", "message"), ("agent", "note"), ("system", "event"),
        ("customer", "message"), ("system", "event"), ("agent", "message"),
    ]  # fmt: skip
    assert conversation.messages[0].author == "L1"
    assert conversation.messages[3].text == "assignment by admin"
    assert conversation.messages[6].source.pointer == "conversation_parts.conversation_parts[4].body"  # type: ignore[union-attr]
    assert {m.channel for m in conversation.messages} == {"email"}


@pytest.mark.parametrize(
    ("data", "location"),
    [
        (intercom(part("comment", "pirate")), "conversation_parts.conversation_parts[0].author.type"),
        (
            intercom({"part_type": "comment", "body": SECRET}),
            "conversation_parts.conversation_parts[0].author.type",
        ),
        (intercom([1]), "conversation_parts.conversation_parts[0]"),  # type: ignore[arg-type]
        ({"conversation_parts": {"conversation_parts": "x"}}, "conversation_parts.conversation_parts"),
        ({"source": [], "conversation_parts": {"conversation_parts": []}}, "source"),
    ],
)
def test_intercom_errors_say_where(data: Any, location: str) -> None:
    with pytest.raises(ParseError) as info:
        load(data, "intercom")
    assert info.value.location == location
    assert SECRET not in str(info.value)


# --- freshdesk -----------------------------------------------------------------------------


def conv(user: int, *, private: Any = False, incoming: Any = False, **extra: Any) -> dict[str, Any]:
    return {"id": user, "user_id": user, "private": private, "incoming": incoming, "body_text": "x", **extra}


def test_freshdesk_description_first_then_roles() -> None:
    data = {
        "ticket": {"id": 1, "requester_id": 5, "source": 7, "description_text": "it broke", "created_at": 10},
        "conversations": [conv(9), conv(9, private=True), conv(5, incoming=True), conv(6, incoming=True)],
    }
    conversation = load(data)
    assert roles(conversation) == [
        ("customer", "message"), ("agent", "message"), ("agent", "note"), ("customer", "message"),
        ("agent", "message"),
    ]  # fmt: skip
    assert conversation.messages[0].text == "it broke"
    assert {m.channel for m in conversation.messages} == {"chat"}


def test_freshdesk_embedded_conversations_and_bare_list() -> None:
    embedded = {"id": 3, "requester_id": 5, "conversations": [conv(5)]}
    assert load(embedded, "freshdesk").messages[0].source.pointer == "conversations[0]"  # type: ignore[union-attr]
    bare = load([conv(1, incoming=True), conv(2, body_text=None, body="<b>hi</b>")], "freshdesk")
    assert [m.role for m in bare.messages] == ["customer", "agent"]
    assert bare.messages[1].text == "hi"


@pytest.mark.parametrize(
    ("data", "location"),
    [
        ({"conversations": [conv(1, private="no")]}, "conversations[0].private"),
        ({"ticket": {}, "conversations": {}}, "conversations"),
        ({"ticket": 3, "conversations": []}, "ticket"),
        ({"ticket": {"description_text": 4}, "conversations": []}, "ticket.description_text"),
        ({"conversations": [conv(1, created_at=SECRET)]}, "conversations[0].created_at"),
    ],
)
def test_freshdesk_errors_say_where(data: Any, location: str) -> None:
    with pytest.raises(ParseError) as info:
        load(data, "freshdesk")
    assert info.value.location == location
    assert SECRET not in str(info.value)


# --- chatwoot ------------------------------------------------------------------------------


def cw(kind: Any, **extra: Any) -> dict[str, Any]:
    return {
        "id": 1,
        "content": "x",
        "message_type": kind,
        "created_at": 1714730000,
        "private": False,
        **extra,
    }


def test_chatwoot_roles_bots_activity_and_notes() -> None:
    items = [
        cw(0),
        cw(1, sender_type="AgentBot"),
        cw(1, sender={"type": "agent_bot", "name": "B"}),
        cw(1, sender={"type": "user", "name": "Marco"}),
        cw(1, private=True),
        cw(2),
        cw(3),
        cw("incoming", created_at="2024-05-03T09:54:00Z"),
    ]
    conversation = load({"payload": items})
    assert roles(conversation) == [
        ("customer", "message"), ("bot", "message"), ("bot", "message"), ("agent", "message"),
        ("agent", "note"), ("system", "event"), ("bot", "message"), ("customer", "message"),
    ]  # fmt: skip


def test_chatwoot_conversation_object_with_channel() -> None:
    conversation = load({"id": 77, "channel": "Channel::Whatsapp", "messages": [cw(0)]}, "chatwoot")
    assert (conversation.id, conversation.messages[0].channel) == ("77", "whatsapp")


@pytest.mark.parametrize(
    ("data", "location"),
    [
        ([cw(7)], "[0].message_type"),
        ([cw("sideways")], "[0].message_type"),
        ({"payload": [cw(0, private="y")]}, "payload[0].private"),
        ({"payload": [cw(0, content=5)]}, "payload[0].content"),
        ({"payload": [cw(0, created_at=SECRET)]}, "payload[0].created_at"),
        ({"payload": 5}, "payload"),
    ],
)
def test_chatwoot_errors_say_where(data: Any, location: str) -> None:
    with pytest.raises(ParseError) as info:
        load(data, "chatwoot")
    assert info.value.location == location
    assert SECRET not in str(info.value)


# --- helpscout -----------------------------------------------------------------------------


def thread(kind: str, by: str | None, **extra: Any) -> dict[str, Any]:
    item: dict[str, Any] = {
        "id": 1,
        "type": kind,
        "body": "<p>x</p>",
        "createdAt": "2024-05-04T11:00:00Z",
        **extra,
    }
    if by is not None:
        item["createdBy"] = {"type": by, "first": "A", "last": "B"}
    return item


def test_helpscout_roles_and_order() -> None:
    threads = [
        thread("lineitem", "user", createdAt="2024-05-04T11:05:00Z", action={"text": "Assigned to A"}),
        thread("message", "system_user", createdAt="2024-05-04T11:04:00Z"),
        thread("note", "user", createdAt="2024-05-04T11:03:00Z"),
        thread("reply", "user", createdAt="2024-05-04T11:02:00Z"),
        thread("customer", None, createdAt="2024-05-04T11:01:00Z"),
    ]
    conversation = load({"_embedded": {"threads": threads}})
    assert roles(conversation) == [
        ("customer", "message"), ("agent", "message"), ("agent", "note"), ("bot", "message"),
        ("system", "event"),
    ]  # fmt: skip
    assert conversation.messages[-1].text == "Assigned to A\nx"
    assert load(threads, "helpscout").ids == conversation.ids


@pytest.mark.parametrize(
    ("data", "location"),
    [
        ([thread("reply", "alien")], "[0].createdBy.type"),
        ([{"body": SECRET, "createdAt": None}], "[0].type"),
        (
            {"_embedded": {"threads": [thread("reply", "user", createdAt=SECRET)]}},
            "_embedded.threads[0].createdAt",
        ),
        ({"_embedded": {"threads": {}}}, "_embedded.threads"),
    ],
)
def test_helpscout_errors_say_where(data: Any, location: str) -> None:
    with pytest.raises(ParseError) as info:
        load(data, "helpscout")
    assert info.value.location == location
    assert SECRET not in str(info.value)


@pytest.mark.parametrize("format", ["zendesk", "intercom", "freshdesk", "chatwoot", "helpscout"])
def test_wrong_top_level_shape_is_a_parse_error(format: str) -> None:
    with pytest.raises(ParseError):
        load('"just a string"', format)
    with pytest.raises(ParseError):
        load('{"a": 1}\n{"b": 2}', format)
