"""Property tests for the channel parsers: any input gives a Conversation or a HandoffError."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from handoff_ai.exceptions import HandoffError
from handoff_ai.models import Conversation
from handoff_ai.parsers import load
from handoff_ai.parsers._email_body import split_reply
from handoff_ai.parsers._html import html_to_text

FAST = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])

HEADERS = ["From", "To", "Cc", "Date", "Subject", "Message-ID", "In-Reply-To", "References", "Auto-Submitted",
           "Content-Type", "Content-Transfer-Encoding", "MIME-Version"]  # fmt: skip
header_values = st.one_of(
    st.text(max_size=40),
    st.sampled_from(
        [
            "Maya <maya@example.com>", "<a@b>", "<a@b> <c@d>", "Wed, 1 May 2024 10:00:00 +0000",
            "text/html; charset=utf-8", 'multipart/alternative; boundary="b"', "base64",
            "quoted-printable", "auto-replied", "=?utf-8?q?Caf=C3=A9?=", "text/plain; charset=nope",
        ]
    ),
)  # fmt: skip
bodies = st.lists(
    st.one_of(
        st.text(max_size=40),
        st.sampled_from(
            ["> quoted", "-- ", "On Mon, X wrote:", "-----Original Message-----", "From: a", "Sent: b",
             "---------- Forwarded message ---------", "Sent from my iPhone", "--b", "--b--", "<p>x</p>",
             "From x@example.com Wed May  1 10:00:00 2024", ">From y"]
        ),
    ),
    max_size=12,
)  # fmt: skip


def _check(source: Any, format: str = "auto") -> None:
    try:
        result = load(source, format)
    except HandoffError as exc:
        assert exc.__cause__ is None, "a parser let a stray exception escape"  # load() chains those
        return
    assert isinstance(result, Conversation)
    assert len(set(result.ids)) == len(result.ids)


@FAST
@given(
    st.lists(st.tuples(st.sampled_from(HEADERS), header_values), min_size=1, max_size=8),
    bodies,
    st.booleans(),
)
def test_emails(headers: list[tuple[str, str]], body: list[str], mbox: bool) -> None:
    head = "\n".join(f"{name}: {value}" for name, value in headers)
    raw = f"{head}\n\n" + "\n".join(body)
    if mbox:
        raw = f"From x@example.com Wed May  1 10:00:00 2024\n{raw}\n\nFrom y Thu May  2 10:00:00 2024\n{raw}"
    _check("\n" + raw, "email")
    _check(raw)


@FAST
@given(st.text(max_size=400))
def test_split_reply_and_html_never_raise(text: str) -> None:
    reply = split_reply(text)
    assert isinstance(reply.text, str)
    assert isinstance(html_to_text(text), str)
    assert isinstance(html_to_text(f"<div><blockquote>{text}<a href='http://x'>{text}</a></div>"), str)


STAMPS = [
    "31/12/2023, 21:41 - ",
    "12/31/23, 9:41 PM - ",
    "[31.12.23, 21:41:05] ",
    "\u200e[1/2/24, 9:41:05\u202fAM] ",
    "99/99/99, 99:99 - ",
    "2023-12-31, 21:41 - ",
    "",
]
SPECIAL = ["<Media omitted>", "\u200eimage omitted", "You deleted this message"]
LINES = st.tuples(
    st.sampled_from(STAMPS),
    st.sampled_from(["Maya: ", "Acme Shop: ", "", "Dana added Maya", "\u200e"]),
    st.one_of(st.text(max_size=30), st.sampled_from(SPECIAL)),
)


@FAST
@given(st.lists(LINES, max_size=10), st.sampled_from(["auto", "whatsapp"]))
def test_whatsapp(lines: list[tuple[str, str, str]], format: str) -> None:
    _check("\n" + "\n".join("".join(parts) for parts in lines), format)


slack_values = st.one_of(
    st.none(), st.booleans(), st.integers(), st.text(max_size=15), st.lists(st.text(max_size=5), max_size=2)
)
TS = ["1.0", "2.000001", "1714559531.000200", "99999999999.9"]
MARKUP = ["<@U1>", "<https://x|y>", "<!here>", "<#C|", "&amp;"]
SUBTYPES = ["bot_message", "channel_join", "thread_broadcast", "tombstone"]
slack_messages = st.fixed_dictionaries(
    {
        "type": st.sampled_from(["message", "message", "event"]),
        "ts": st.one_of(st.sampled_from(TS), slack_values),
    },
    optional={
        "text": st.one_of(st.text(max_size=30), st.sampled_from(MARKUP), slack_values),
        "user": st.one_of(st.sampled_from(["U1", "U2"]), slack_values),
        "thread_ts": st.one_of(st.sampled_from(["1.0", "2.000001", "5.0"]), slack_values),
        "subtype": st.one_of(st.sampled_from(SUBTYPES), slack_values),
        "bot_id": slack_values,
        "user_profile": st.one_of(st.fixed_dictionaries({"real_name": slack_values}), slack_values),
        "files": st.one_of(st.lists(st.fixed_dictionaries({"name": slack_values}), max_size=2), slack_values),
        "attachments": st.one_of(
            st.lists(st.fixed_dictionaries({"fallback": slack_values}), max_size=2), slack_values
        ),
    },
)


@FAST
@given(st.lists(slack_messages, max_size=8), st.sampled_from(["auto", "slack"]))
def test_slack(items: list[dict[str, Any]], format: str) -> None:
    _check(items, format)
