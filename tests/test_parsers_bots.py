"""Bot-framework and messaging parsers: rasa, botpress, dialogflow_cx, botframework, openai_thread,
twilio_sms, messenger — role rules, ordering, what is skipped, and errors with locations."""

from __future__ import annotations

from typing import Any

import pytest

from handoff_ai.exceptions import ParseError
from handoff_ai.parsers import ParserInput, load
from handoff_ai.parsers._twilio import TwilioSmsParser

SECRET = "order A-99 card 4111"


def roles(conversation: Any) -> list[tuple[str, str]]:
    return [(m.role, m.kind) for m in conversation.messages]


# --- rasa ----------------------------------------------------------------------------------


def test_rasa_events_and_action_listen_is_counted_not_lost() -> None:
    events = [
        {"event": "session_started", "timestamp": 1.0},
        {"event": "action", "name": "action_listen", "timestamp": 1.1},
        {
            "event": "user",
            "text": " hi ",
            "timestamp": 2.0,
            "parse_data": {"intent": {"name": "greet", "confidence": 0.9}},
        },
        {"event": "slot", "name": "email", "value": "a@b.example", "timestamp": 2.1},
        {"event": "action", "name": "utter_greet", "timestamp": 2.2, "policy": "RulePolicy"},
        {"event": "bot", "text": "hello", "timestamp": 2.3},
        {"event": "action", "name": "action_listen", "timestamp": 2.4},
        {"event": "active_loop", "name": "form", "timestamp": 2.5},
    ]
    conversation = load({"sender_id": "u1", "events": events})
    assert roles(conversation) == [
        ("system", "event"),
        ("customer", "message"),
        ("system", "event"),
        ("bot", "event"),
        ("bot", "message"),
        ("system", "event"),
    ]
    assert [m.text for m in conversation.messages] == [
        "session started",
        "hi",
        "slot email set",
        "ran utter_greet",
        "hello",
        "active loop form",
    ]
    assert conversation.metadata["skipped"] == {"action_listen": 2}
    assert conversation.messages[1].metadata["intent"] == {"name": "greet", "confidence": 0.9}
    assert conversation.messages[2].metadata["value"] == "a@b.example"
    assert conversation.messages[1].source.pointer == "events[2]"  # type: ignore[union-attr]
    assert (conversation.id, conversation.messages[1].author) == ("u1", "u1")
    assert load(events, "rasa").ids == conversation.ids


@pytest.mark.parametrize(
    ("data", "location"),
    [
        ({"sender_id": "u", "events": [{"text": SECRET}]}, "events[0].event"),
        ({"sender_id": "u", "events": [{"event": "user", "text": 5}]}, "events[0].text"),
        ({"sender_id": "u", "events": [{"event": "slot", "value": SECRET}]}, "events[0].name"),
        ({"sender_id": "u", "events": [{"event": "action"}]}, "events[0].name"),
        ({"sender_id": "u", "events": [{"event": "user", "timestamp": "soon"}]}, "events[0].timestamp"),
        ({"sender_id": "u", "events": "x"}, "events"),
        ([3], "[0]"),
    ],
)
def test_rasa_errors_say_where(data: Any, location: str) -> None:
    with pytest.raises(ParseError) as info:
        load(data, "rasa")
    assert info.value.location == location
    assert SECRET not in str(info.value)


# --- botpress ------------------------------------------------------------------------------


def test_botpress_directions_v12_authors_and_payloads() -> None:
    items = [
        {
            "id": "2",
            "createdAt": "2024-05-05T09:00:10Z",
            "direction": "outgoing",
            "type": "choice",
            "payload": {"text": "Pick", "options": [{"label": "A", "value": "a"}]},
        },
        {
            "id": "1",
            "createdAt": "2024-05-05T09:00:00Z",
            "direction": "incoming",
            "userId": "u",
            "payload": {"text": "hi"},
        },
    ]
    conversation = load({"messages": items})
    assert roles(conversation) == [("customer", "message"), ("bot", "message")]
    assert conversation.messages[1].metadata["options"] == ["A"]
    v12 = load(
        [{"authorId": "u1", "sentOn": 1, "payload": {"text": "q"}}, {"sentOn": 2, "payload": {"text": "a"}}],
        "botpress",
    )
    assert [m.role for m in v12.messages] == ["customer", "bot"]


@pytest.mark.parametrize(
    ("data", "location"),
    [
        ({"messages": [{"direction": "sideways", "payload": {"text": SECRET}}]}, "messages[0].direction"),
        ({"messages": [{"direction": "incoming", "payload": SECRET}]}, "messages[0].payload"),
        ({"messages": [{"direction": "incoming", "payload": {"text": 1}}]}, "messages[0].payload.text"),
        ({"messages": [{"direction": "incoming", "createdAt": SECRET}]}, "messages[0].createdAt"),
    ],
)
def test_botpress_errors_say_where(data: Any, location: str) -> None:
    with pytest.raises(ParseError) as info:
        load(data, "botpress")
    assert info.value.location == location
    assert SECRET not in str(info.value)


# --- dialogflow_cx -------------------------------------------------------------------------


def test_dialogflow_test_case_turns_and_inputs() -> None:
    data = {
        "displayName": "refund test",
        "testCaseConversationTurns": [
            {
                "userInput": {"input": {"dtmf": {"digits": "1234"}}},
                "virtualAgentOutput": {"textResponses": [{"text": ["Thanks.", "One moment."]}]},
            },
            {
                "userInput": {"input": {"intent": {"intent": "projects/p/intents/refund"}}},
                "virtualAgentOutput": {},
            },
        ],
    }
    conversation = load(data)
    assert roles(conversation) == [("customer", "message"), ("bot", "message"), ("system", "event")]
    assert [m.text for m in conversation.messages] == [
        "1234",
        "Thanks.\nOne moment.",
        "intent projects/p/intents/refund",
    ]
    assert conversation.id == "refund test"


def test_dialogflow_utterances_fallback_and_payload_events() -> None:
    data = {
        "interactions": [
            {"request": {}, "requestUtterances": "hi", "responseUtterances": "hello", "response": {}},
            {"request": {}, "response": {"queryResult": {"responseMessages": [{"payload": {"x": 1}}]}}},
        ]
    }
    conversation = load(data, "dialogflow_cx")
    assert [(m.role, m.kind, m.text) for m in conversation.messages] == [
        ("customer", "message", "hi"),
        ("bot", "message", "hello"),
        ("bot", "event", "sent payload"),
    ]


@pytest.mark.parametrize(
    ("data", "location"),
    [
        ({"interactions": [{"request": [], "response": {}}]}, "interactions[0].request"),
        ({"interactions": [{"createTime": SECRET, "request": {}}]}, "interactions[0].createTime"),
        (
            {"interactions": [{"response": {"queryResult": {"responseMessages": [{"text": SECRET}]}}}]},
            "interactions[0].response.queryResult.responseMessages[0].text",
        ),
        ({"interactions": 4}, "interactions"),
        (
            {"conversationTurns": [{"virtualAgentOutput": {"textResponses": [7]}}]},
            "conversationTurns[0].virtualAgentOutput.textResponses[0]",
        ),
        ({"no": "turns"}, None),
    ],
)
def test_dialogflow_errors_say_where(data: Any, location: str | None) -> None:
    with pytest.raises(ParseError) as info:
        load(data, "dialogflow_cx")
    assert info.value.location == location
    assert SECRET not in str(info.value)


# --- botframework --------------------------------------------------------------------------


def activity(kind: str, role: str | None = "user", **extra: Any) -> dict[str, Any]:
    sender: dict[str, Any] = {"id": f"id-{role}", "name": f"N-{role}"}
    if role is not None:
        sender["role"] = role
    return {
        "type": kind,
        "from": sender,
        "channelId": "webchat",
        "timestamp": "2024-05-07T16:00:00Z",
        **extra,
    }


def test_botframework_roles_events_and_typing() -> None:
    items = [
        activity("message", text="hi", recipient={"id": "id-bot", "role": "bot"}),
        activity("typing", "bot"),
        activity("message", "bot", text="hello"),
        activity(
            "message", None, text="unsure sender", recipient={"id": "id-bot"}, **{"from": {"id": "id-user"}}
        ),
        activity("event", "bot", name="handoff.initiate"),
        activity("endOfConversation", "user", code="userCancelled"),
    ]
    conversation = load({"activities": items, "watermark": "7"})
    assert roles(conversation) == [
        ("customer", "message"),
        ("bot", "message"),
        ("customer", "message"),
        ("bot", "event"),
        ("system", "event"),
    ]
    assert conversation.metadata == {"watermark": "7", "skipped": {"typing": 1}}
    assert conversation.messages[3].text == "event handoff.initiate"
    assert {m.channel for m in conversation.messages} == {"webchat"}


@pytest.mark.parametrize(
    ("data", "location"),
    [
        ([activity("message", None, text=SECRET)], "[0].from.role"),
        ([activity("message", "pirate", text=SECRET)], "[0].from.role"),
        ([{"type": "message", "from": "x"}], "[0].from"),
        ([{"from": {}, "text": SECRET}], "[0].type"),
        ([activity("message", text=5)], "[0].text"),
        ([activity("message", timestamp=SECRET)], "[0].timestamp"),
    ],
)
def test_botframework_errors_say_where(data: Any, location: str) -> None:
    with pytest.raises(ParseError) as info:
        load(data, "botframework")
    assert info.value.location == location
    assert SECRET not in str(info.value)


# --- openai_thread -------------------------------------------------------------------------


def tmsg(mid: str, role: str, at: int, text: str = "x") -> dict[str, Any]:
    return {
        "id": mid,
        "object": "thread.message",
        "created_at": at,
        "thread_id": "t1",
        "role": role,
        "content": [{"type": "text", "text": {"value": text, "annotations": []}}],
    }


def test_openai_thread_newest_first_is_reversed_keeping_same_second_order() -> None:
    data = {
        "object": "list",
        "data": [tmsg("c", "assistant", 5), tmsg("b", "assistant", 1), tmsg("a", "user", 1)],
    }
    conversation = load(data)
    assert [m.metadata["id"] for m in conversation.messages] == ["a", "b", "c"]
    assert conversation.metadata["reversed"] is True
    ascending = {"object": "list", "data": [tmsg("a", "user", 1), tmsg("b", "assistant", 1)]}
    assert [m.metadata["id"] for m in load(ascending).messages] == ["a", "b"]


@pytest.mark.parametrize(
    ("data", "location"),
    [
        ({"object": "list", "data": [{**tmsg("a", "user", 1), "role": "system"}]}, "data[0].role"),
        ({"object": "list", "data": [{**tmsg("a", "user", 1), "content": [5]}]}, "data[0].content"),
        ({"object": "list", "data": [{**tmsg("a", "user", 1), "created_at": SECRET}]}, "data[0].created_at"),
        ({"object": "list", "data": "x"}, "data"),
    ],
)
def test_openai_thread_errors_say_where(data: Any, location: str) -> None:
    with pytest.raises(ParseError) as info:
        load(data, "openai_thread")
    assert info.value.location == location
    assert SECRET not in str(info.value)


# --- twilio_sms ----------------------------------------------------------------------------


def sms(direction: str, **extra: Any) -> dict[str, Any]:
    return {
        "sid": "SM1",
        "from": "+1555",
        "to": "+1666",
        "body": "x",
        "direction": direction,
        "date_sent": "Wed, 08 May 2024 12:03:30 +0000",
        **extra,
    }


def test_twilio_directions_whatsapp_and_api_role() -> None:
    items = [
        sms("inbound"),
        sms("outbound-reply"),
        sms("outbound-api"),
        sms("outbound-call"),
        sms(
            "inbound", **{"from": "whatsapp:+1555", "date_sent": None, "date_created": "2024-05-08T12:05:00Z"}
        ),
    ]
    conversation = load({"messages": items})
    assert [m.role for m in conversation.messages] == ["customer", "agent", "bot", "bot", "customer"]
    assert [m.channel for m in conversation.messages] == ["sms", "sms", "sms", "sms", "whatsapp"]
    humans = TwilioSmsParser(api_role="agent").parse(ParserInput(value=items), id=None, file=None)
    assert humans.messages[2].role == "agent"


@pytest.mark.parametrize(
    ("data", "location"),
    [
        ({"messages": [sms("sideways")]}, "messages[0].direction"),
        ({"messages": [sms("inbound", date_sent="Wed, 99 Nope 2024")]}, "messages[0].date_sent"),
        ({"messages": [sms("inbound", body=7)]}, "messages[0].body"),
        ({"messages": [7]}, "messages[0]"),
    ],
)
def test_twilio_errors_say_where(data: Any, location: str) -> None:
    with pytest.raises(ParseError) as info:
        load(data, "twilio_sms")
    assert info.value.location == location
    assert SECRET not in str(info.value)


# --- messenger -----------------------------------------------------------------------------


def webhook(*events: dict[str, Any], kind: str = "page") -> dict[str, Any]:
    return {"object": kind, "entry": [{"id": "P", "time": 1, "messaging": list(events)}]}


def test_messenger_page_side_echoes_and_receipts() -> None:
    payload = webhook(
        {
            "sender": {"id": "U"},
            "recipient": {"id": "P"},
            "timestamp": 1000,
            "message": {"mid": "1", "text": "hi"},
        },
        {
            "sender": {"id": "P"},
            "recipient": {"id": "U"},
            "timestamp": 2000,
            "message": {"mid": "2", "is_echo": True, "app_id": 42, "text": "bot"},
        },
        {
            "sender": {"id": "P"},
            "recipient": {"id": "U"},
            "timestamp": 3000,
            "message": {"mid": "3", "is_echo": True, "app_id": 263902037430900, "text": "inbox human"},
        },
        {"sender": {"id": "U"}, "recipient": {"id": "P"}, "timestamp": 3500, "delivery": {"watermark": 1}},
        {
            "sender": {"id": "U"},
            "recipient": {"id": "P"},
            "timestamp": 4000,
            "postback": {"title": "Agent", "payload": "H"},
        },
    )
    conversation = load(payload)
    assert [m.role for m in conversation.messages] == ["customer", "bot", "agent", "customer"]
    assert conversation.metadata == {"page_ids": ["P"], "skipped": {"delivery": 1}}
    assert conversation.messages[3].text == "Agent"
    event = {"sender": {"id": "U"}, "recipient": {"id": "P"}, "timestamp": 1, "message": {"text": "x"}}
    assert load(webhook(event, kind="instagram")).messages[0].channel == "instagram"


@pytest.mark.parametrize(
    ("data", "location"),
    [
        ({"object": "group", "entry": []}, "object"),
        ({"object": "page", "entry": "x"}, "entry"),
        (webhook({"sender": {"id": "U"}, "timestamp": 1, "mystery": SECRET}), "entry[0].messaging[0]"),
        (
            webhook({"sender": {"id": "U"}, "timestamp": 1, "message": {"text": 5}}),
            "entry[0].messaging[0].message.text",
        ),
        (webhook({"sender": "U", "message": {"text": SECRET}}), "entry[0].messaging[0].sender"),
        ([webhook(), 5], "[1]"),
    ],
)
def test_messenger_errors_say_where(data: Any, location: str) -> None:
    with pytest.raises(ParseError) as info:
        load(data, "messenger")
    assert info.value.location == location
    assert SECRET not in str(info.value)
