"""Property tests for the vendor parsers: any payload gives a Conversation or a HandoffError."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from handoff_ai.exceptions import HandoffError
from handoff_ai.models import Conversation
from handoff_ai.parsers import load

FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
FORMATS = [
    "auto",
    "zendesk",
    "intercom",
    "freshdesk",
    "chatwoot",
    "helpscout",
    "rasa",
    "botpress",
    "dialogflow_cx",
    "botframework",
    "openai_thread",
    "twilio_sms",
    "messenger",
]
KEYS = [
    "ticket",
    "comments",
    "users",
    "author_id",
    "public",
    "body",
    "html_body",
    "requester_id",
    "via",
    "channel",
    "conversation_parts",
    "part_type",
    "author",
    "type",
    "source",
    "assigned_to",
    "conversations",
    "private",
    "incoming",
    "user_id",
    "body_text",
    "payload",
    "message_type",
    "sender",
    "sender_type",
    "content",
    "_embedded",
    "threads",
    "createdBy",
    "action",
    "sender_id",
    "events",
    "event",
    "name",
    "value",
    "text",
    "messages",
    "direction",
    "interactions",
    "request",
    "response",
    "queryInput",
    "queryResult",
    "responseMessages",
    "conversationTurns",
    "activities",
    "from",
    "role",
    "object",
    "data",
    "sid",
    "entry",
    "messaging",
    "recipient",
    "message",
    "is_echo",
    "postback",
    "timestamp",
    "created_at",
    "createdAt",
    "createTime",
    "date_sent",
    "attachments",
    "id",
]
VALUES = [
    "list",
    "page",
    "instagram",
    "thread.message",
    "user",
    "bot",
    "admin",
    "note",
    "comment",
    "close",
    "incoming",
    "outgoing",
    "inbound",
    "outbound-api",
    "message",
    "typing",
    "customer",
    "lineitem",
    "action_listen",
    "slot",
    "SM1",
    "AgentBot",
    "2024-05-01T10:00:00Z",
    "Wed, 08 May 2024 12:03:30 +0000",
    "<p>x</p>",
]

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-3, 2_000_000_000_000),
    st.floats(allow_nan=True),
    st.text(max_size=12),
    st.sampled_from(VALUES),
)
payloads = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(st.sampled_from(KEYS), children, max_size=6),
    ),
    max_leaves=40,
)


def _check(source: Any, format: str) -> None:
    try:
        result = load(source, format)
    except HandoffError as exc:
        assert exc.__cause__ is None, "a parser let a stray exception escape"  # load() chains those
        return
    assert isinstance(result, Conversation)
    assert len(set(result.ids)) == len(result.ids)


@FAST
@given(st.dictionaries(st.sampled_from(KEYS), payloads, max_size=6), st.sampled_from(FORMATS))
def test_vendor_objects(value: dict[str, Any], format: str) -> None:
    _check(value, format)


@FAST
@given(st.lists(payloads, max_size=5), st.sampled_from(FORMATS))
def test_vendor_lists(value: list[Any], format: str) -> None:
    _check(value, format)
