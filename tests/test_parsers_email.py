"""The ``email`` parser: bodies, quoted replies, signatures, threading, roles, errors, streaming."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest

from handoff_ai.exceptions import ParseError
from handoff_ai.parsers import ParserInput, load
from handoff_ai.parsers._email import EmailParser, iter_mbox_threads
from handoff_ai.parsers._email_body import split_reply
from handoff_ai.parsers._html import html_to_text

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "parsers"
UTC = timezone.utc
DATE = "Wed, 1 May 2024 10:00:00 +0000"
OUTLOOK = "________________________________\nFrom: Dana <d@x.example>\nSent: Monday\nTo: Maya\nold"
PLAIN = "From: is how I start a line\nno header block follows"


def mail(body: str, *, sender: str = "Maya <maya@example.com>", extra: str = "") -> str:
    head = f"From: {sender}\nTo: support@acme.example\nSubject: Help\nDate: {DATE}\n"
    return f"{head}{extra}\n{body}"


@pytest.mark.parametrize(
    ("body", "text", "quoted"),
    [
        ("New text\n\nOn Wed, May 1, 2024 at 6:19 PM Dana <d@x.example> wrote:\n> old\n> older", "New text",
         "On Wed, May 1, 2024 at 6:19 PM Dana <d@x.example> wrote:\n> old\n> older"),
        ("New\nOn Wed, May 1, 2024 at 6:19 PM Dana <d@x.example>\nwrote:\n> old", "New",
         "On Wed, May 1, 2024 at 6:19 PM Dana <d@x.example>\nwrote:\n> old"),
        ("Neu\n\nAm 01.05.2024 um 18:19 schrieb Dana <d@x.example>:\n> alt", "Neu",
         "Am 01.05.2024 um 18:19 schrieb Dana <d@x.example>:\n> alt"),
        ("Reply\n\n-----Original Message-----\nFrom: Dana\nSent: Monday\nold", "Reply",
         "-----Original Message-----\nFrom: Dana\nSent: Monday\nold"),
        (f"Reply\n{OUTLOOK}", "Reply", OUTLOOK),
        ("> question\nanswer", "answer", "> question"),
        ("On Mon, Dana wrote:\n> q1\na1\n> q2\na2", "a1\na2", "On Mon, Dana wrote:\n> q1\n> q2"),
        (PLAIN, PLAIN, None),
        ("> only a quote", "> only a quote", None),
    ],
)  # fmt: skip
def test_quoted_replies(body: str, text: str, quoted: str | None) -> None:
    reply = split_reply(body)
    assert (reply.text, reply.quoted) == (text, quoted)


@pytest.mark.parametrize(
    ("body", "text", "signature"),
    [
        ("Thanks\n-- \nMaya\n+46 70", "Thanks", "-- \nMaya\n+46 70"),
        ("Thanks\n--\nMaya", "Thanks", "--\nMaya"),
        ("Thanks\n\nSent from my iPhone\n", "Thanks", "Sent from my iPhone"),
        ("Thanks\nGet Outlook for Android", "Thanks", "Get Outlook for Android"),
        ("Von meinem iPhone gesendet", "Von meinem iPhone gesendet", None),
        ("a -- b", "a -- b", None),
    ],
)
def test_signatures(body: str, text: str, signature: str | None) -> None:
    reply = split_reply(body)
    assert (reply.text, reply.signature) == (text, signature)


def test_forwarded_chain_stays_in_the_text() -> None:
    body = (
        "FYI\n\n---------- Forwarded message ---------\nFrom: Shop\n\n> quoted inside the forward\nOrder A-1"
    )
    reply = split_reply(body)
    assert reply.forwarded
    assert reply.text.endswith("> quoted inside the forward\nOrder A-1")
    assert reply.text.startswith("FYI\n\n---------- Forwarded message")


def test_html_to_text() -> None:
    html = (
        "<html><head><style>p{color:red}</style><title>t</title></head><body>"
        "<p>Hi&nbsp;there &amp; &lt;you&gt;</p><div>one<br>two</div><script>x()</script>"
        '<ul><li>a</li><li>b</li></ul><a href="https://x.example/r?id=1">here</a>'
        "<blockquote>old<blockquote>older</blockquote></blockquote></body></html>"
    )
    assert html_to_text(html) == (
        "Hi there & <you>\n\none\ntwo\n- a\n- b\n\nhere (https://x.example/r?id=1)\n\n> old\n>\n> > older"
    )
    assert html_to_text("<p>unclosed <b>bold") == "unclosed bold"


def test_html_only_mail_is_converted_and_flagged() -> None:
    raw = mail("<p>My order <b>A-1</b> &amp; more</p>", extra="Content-Type: text/html; charset=utf-8\n")
    message = load(raw).messages[0]
    assert message.text == "My order A-1 & more"
    assert message.metadata["html"] is True


def test_plain_part_wins_over_html() -> None:
    raw = mail(
        "--b\nContent-Type: text/plain\n\nplain words\n"
        "--b\nContent-Type: text/html\n\n<p>html words</p>\n--b--\n",
        extra='MIME-Version: 1.0\nContent-Type: multipart/alternative; boundary="b"\n',
    )
    message = load(raw).messages[0]
    assert message.text == "plain words"
    assert "html" not in message.metadata


def test_headers_become_fields_and_metadata() -> None:
    raw = mail(
        "hi", sender='"Lindqvist, Maya" <Maya@Example.com>', extra="Cc: boss@example.com\nMessage-ID: <a@b>\n"
    )
    message = load(raw).messages[0]
    assert (message.role, message.channel, message.author) == ("customer", "email", "Lindqvist, Maya")
    assert message.timestamp == datetime(2024, 5, 1, 10, tzinfo=UTC)
    assert message.metadata["from"] == "maya@example.com"
    assert message.metadata["cc"] == ["boss@example.com"]
    assert message.metadata["message_id"] == "a@b"
    assert message.source is not None and message.source.pointer == "message 1"


def test_naive_date_is_utc() -> None:
    raw = "From: m@example.com\nDate: Wed, 1 May 2024 10:00:00 -0000\nSubject: x\n\nhi"
    assert load(raw).messages[0].timestamp == datetime(2024, 5, 1, 10, tzinfo=UTC)


def _mbox(*mails: str) -> str:
    return "\n".join(f"From x@example.com Wed May  1 10:00:00 2024\n{m}\n" for m in mails)


def test_threads_by_references_ordered_by_date_with_file_order_tie_break() -> None:
    text = _mbox(
        "From: Dana <dana@acme.example>\nDate: Wed, 1 May 2024 12:00:00 +0000\n"
        "Message-ID: <2@x>\nIn-Reply-To: <1@x>\n\nB",
        "From: Maya <maya@example.com>\nDate: Wed, 1 May 2024 12:00:00 +0200\nMessage-ID: <1@x>\n\nA",
        "From: Maya <maya@example.com>\nDate: Wed, 1 May 2024 12:00:00 +0000\n"
        "Message-ID: <3@x>\nReferences: <1@x> <2@x>\n\nC",
        "From: Ken <ken@example.org>\nDate: Tue, 30 Apr 2024 09:00:00 +0000\n"
        "Message-ID: <9@y>\n\nother thread",
    )
    conversation = load(text, "email")
    assert [m.text for m in conversation.messages] == ["other thread", "A", "B", "C"]
    assert [m.role for m in conversation.messages] == ["customer", "customer", "agent", "customer"]
    assert [m.metadata["thread"] for m in conversation.messages] == ["9@y", "1@x", "1@x", "1@x"]
    assert [t["messages"] for t in conversation.metadata["threads"]] == [1, 3]
    assert conversation.ids == ["m1", "m2", "m3", "m4"]


def test_mails_sharing_an_unknown_root_are_one_thread() -> None:
    text = _mbox(
        "From: a@example.com\nMessage-ID: <2@x>\nReferences: <missing@x>\n\nfirst",
        "From: b@acme.example\nMessage-ID: <3@x>\nReferences: <missing@x> <2@x>\n\nsecond",
    )
    conversation = load(text, "email")
    assert "threads" not in conversation.metadata
    assert [m.role for m in conversation.messages] == ["customer", "agent"]


def test_first_sender_that_looks_like_support_is_not_the_customer() -> None:
    text = _mbox(
        f"From: support@acme.example\nDate: {DATE}\nMessage-ID: <1@x>\n\nYour order shipped",
        "From: maya@example.com\nDate: Wed, 1 May 2024 11:00:00 +0000\n"
        "In-Reply-To: <1@x>\n\nIt did not arrive",
    )
    assert [m.role for m in load(text).messages] == ["agent", "customer"]


def test_support_options_and_auto_replies() -> None:
    text = _mbox(
        "From: ops@acme.example\nMessage-ID: <1@x>\n\noutbound",
        "From: maya@example.com\nIn-Reply-To: <1@x>\nMessage-ID: <2@x>\n\nreply",
        "From: robot@acme.example\nAuto-Submitted: auto-replied\nIn-Reply-To: <2@x>\n\nwe got it",
        "From: lead@eu.acme.example\nIn-Reply-To: <2@x>\n\nhuman answer",
    )
    parser = EmailParser(support_domains=["acme.example"])
    conversation = parser.parse(ParserInput(text=text), id=None, file=None)
    assert [m.role for m in conversation.messages] == ["agent", "customer", "bot", "agent"]
    by_address = EmailParser(support_addresses=["ops@acme.example"])
    roles = [m.role for m in by_address.parse(ParserInput(text=text), id=None, file=None).messages]
    assert roles == ["agent", "customer", "bot", "customer"]


def test_mboxrd_from_lines_are_unescaped_and_pointers_name_lines() -> None:
    text = _mbox("From: m@example.com\n\n>From here\n>>From there", "From: n@example.com\n\nsecond")
    conversation = load(text, "email")
    assert conversation.messages[0].text == "From here"
    assert conversation.messages[0].metadata["quoted"] == ">From there"  # unescaped once, then a quote
    assert [m.source.pointer for m in conversation.messages if m.source] == [
        "message 1, line 1",
        "message 2, line 7",
    ]


def test_attachments_are_listed_not_read() -> None:
    conversation = load(FIXTURES / "email-forwarded.eml")
    assert conversation.messages[0].metadata["attachments"] == ["invoice-A-40112.pdf"]


@pytest.mark.parametrize(
    ("text", "location"),
    [
        ("To: a@example.com\nSubject: x\n\nno sender", "message 1, From"),
        ("From: a@example.com\nDate: someday soon\nSubject: x\n\nhi", "message 1, Date"),
        (_mbox("From: a@example.com\nSubject: x\n\nhi", "not a header\n\nbody"), "message 2, line 7"),
        ("this is not an email", "message 1"),
    ],
)
def test_malformed_mail_is_a_parse_error_with_location(text: str, location: str) -> None:
    with pytest.raises(ParseError) as info:
        load(text, "email")
    assert (info.value.format, info.value.location) == ("email", location)
    assert "someday" not in str(info.value) and "sender" not in str(info.value)


def test_sniffing() -> None:
    parser = EmailParser()
    assert parser.sniff(ParserInput(text=mail("hi")))
    assert parser.sniff(ParserInput(text=_mbox("From: a@example.com\nSubject: x\n\nhi")))
    assert not parser.sniff(ParserInput(text="From: Maya\nhello there\n"))
    assert not parser.sniff(ParserInput(text="Customer: hi\nBot: hello"))
    assert not parser.sniff(ParserInput(value=[{"role": "user"}]))


def test_iter_mbox_threads_streams_one_conversation_per_thread(tmp_path: Path) -> None:
    path = tmp_path / "box.mbox"
    path.write_bytes((FIXTURES / "email-thread.mbox").read_bytes())
    threads = list(iter_mbox_threads(path))
    assert [c.id for c in threads] == ["box-1", "box-2"]
    whole = load(path)
    assert [m.text for c in threads for m in c.messages] == [m.text for m in whole.messages]
    assert [m.role for c in threads for m in c.messages] == [m.role for m in whole.messages]
    assert all("thread" not in m.metadata for c in threads for m in c.messages)
