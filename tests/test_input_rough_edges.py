"""Input rough edges (issue 16): vendor shapes auto-detected, declared charsets, unlabelled text,
missing paths, empty files, a bad file in a folder with ``--separate``."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import handoff_ai as ho
from handoff_ai.apps.cli import main
from handoff_ai.exceptions import ParseError, UnknownFormatError, UsageError
from handoff_ai.parsers import ParserInput
from handoff_ai.parsers._registry import sniff

E = Path(__file__).resolve().parents[1] / "examples"


def j(name: str) -> Any:
    return json.loads((E / name).read_text(encoding="utf-8"))


def variants() -> Iterator[tuple[str, str, Any]]:
    """Each vendor shape a parser reads: single object, list endpoint page, webhook envelope, bare list."""
    z = j("zendesk_ticket.json")
    yield "zendesk", "ticket+comments", z
    yield (
        "zendesk",
        "comments page",
        {"comments": z["comments"], "next_page": None, "previous_page": None, "count": len(z["comments"])},
    )
    yield (
        "zendesk",
        "comments page + users",
        {
            "comments": z["comments"],
            "users": z["users"],
            "next_page": None,
            "previous_page": None,
            "count": len(z["comments"]),
        },
    )
    b = j("botpress_messages.json")
    yield "botpress", "list response", b
    yield "botpress", "bare list", b["messages"]
    c = j("chatwoot_messages.json")
    yield "chatwoot", "list response", c
    yield "chatwoot", "conversation object", {"id": 412, "messages": c["payload"], "meta": c["meta"]}
    yield "chatwoot", "bare list", c["payload"]
    yield (
        "chatwoot",
        "webhook conversation_updated",
        {"event": "conversation_updated", "id": 412, "messages": c["payload"], "meta": c["meta"]},
    )
    h = j("helpscout_threads.json")
    yield "helpscout", "threads list", h
    yield "helpscout", "bare list of threads", h["_embedded"]["threads"]
    yield (
        "helpscout",
        "conversation embed=threads",
        {"id": 2001, "number": 1, "subject": "SSO", "_embedded": h["_embedded"]},
    )
    bf = j("botframework_transcript.json")
    yield "botframework", "transcript list", bf
    yield "botframework", "directline", {"activities": bf, "watermark": "7"}
    m = j("messenger_webhook_events.json")
    yield "messenger", "example", m
    yield "messenger", "single delivery", m[0]
    f = j("freshdesk_ticket.json")
    yield "freshdesk", "ticket+conversations", f
    yield "freshdesk", "include=conversations", {**f["ticket"], "conversations": f["conversations"]}
    yield "freshdesk", "conversations endpoint (bare list)", f["conversations"]
    d = j("dialogflow_cx_conversation.json")
    yield "dialogflow_cx", "conversation", d
    i = j("intercom_conversation.json")
    yield "intercom", "conversation", i
    yield (
        "intercom",
        "webhook",
        {
            "type": "notification_event",
            "topic": "conversation.user.replied",
            "id": "notif_1",
            "created_at": 1714640400,
            "data": {"type": "notification_event_data", "item": i},
        },
    )
    t = j("twilio_sms_messages.json")
    yield "twilio_sms", "list page", t
    yield "twilio_sms", "bare list", t["messages"]
    r = j("rasa_tracker.json")
    yield "rasa", "tracker", r
    o = j("openai_thread_messages.json")
    yield "openai_thread", "list", o


VARIANTS = list(variants())


@pytest.mark.parametrize(("format", "shape", "value"), VARIANTS, ids=[f"{f}-{s}" for f, s, _ in VARIANTS])
def test_every_documented_vendor_shape_is_auto_detected(format: str, shape: str, value: Any) -> None:
    spec = sniff(ParserInput(value=value))
    assert spec is not None and spec.name == format, shape
    auto, named = ho.load(value), ho.load(value, format=format)
    assert auto.messages and [m.text for m in auto.messages] == [m.text for m in named.messages]


def test_zendesk_comments_page_keeps_roles_and_the_requester(tmp_path: Path) -> None:
    ticket = j("zendesk_ticket.json")
    page = tmp_path / "comments.json"
    page.write_text(json.dumps({"comments": ticket["comments"], "next_page": None, "count": 4}))
    conversation = ho.load(page)
    assert [m.role for m in conversation.messages] == [
        m.role for m in ho.load(E / "zendesk_ticket.json").messages
    ]


# -- charsets -------------------------------------------------------------------------------

LATIN1_MAIL = (
    b"From: Jos\xe9 P\xe9rez <jose@example.com>\r\nTo: support@acme.example\r\nSubject: Pedido 4411\r\n"
    b"Date: Mon, 6 May 2024 10:00:00 +0000\r\nContent-Type: text/plain; charset=iso-8859-1\r\n"
    b"Content-Transfer-Encoding: 8bit\r\n\r\nMi pedido 4411 no lleg\xf3. Se\xf1or, quiero un reembolso.\r\n"
)


@pytest.fixture
def latin1_mail(tmp_path: Path) -> Path:
    path = tmp_path / "pedido.eml"
    path.write_bytes(LATIN1_MAIL)
    return path


def test_latin1_email_is_read_with_its_declared_charset(latin1_mail: Path) -> None:
    for conversation in (ho.load(latin1_mail), next(ho.load_many(latin1_mail)), ho.load(LATIN1_MAIL)):
        message = conversation.messages[0]
        assert "llegó" in message.text and "Señor" in message.text
        assert message.author == "José Pérez"
    ho.summarize(latin1_mail).to_json()  # no surrogate escapes left anywhere


def test_cli_and_batch_read_the_latin1_email(
    latin1_mail: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["summarize", str(latin1_mail), "-o", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["message_count"] == 1
    out = tmp_path / "out.jsonl"
    assert main(["batch", str(latin1_mail), "--out", str(out), "-q"]) == 0
    assert '"error"' not in out.read_text()


def test_encoding_option_reads_a_latin1_transcript(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "chat.txt"
    path.write_bytes("Customer: mi pedido no llegó\nAgent: lo siento\n".encode("latin-1"))
    with pytest.raises(ParseError, match=r"chat\.txt.*encoding"):
        ho.load(path)
    assert "llegó" in ho.load(path, encoding="latin-1").messages[0].text
    assert main(["summarize", str(path), "--encoding", "latin-1", "-o", "json"]) == 0
    assert main(["summarize", str(path), "--encoding", "no-such-codec"]) == 2
    assert "unknown text encoding" in capsys.readouterr().err


# -- unlabelled text ------------------------------------------------------------------------


def test_a_plain_complaint_is_one_customer_message_and_says_so() -> None:
    conversation = ho.load("my order 4411 never arrived, I want a refund")
    assert [(m.role, m.text) for m in conversation.messages] == [
        ("customer", "my order 4411 never arrived, I want a refund")
    ]
    assert "no speaker labels" in conversation.metadata["read_as"]
    record = ho.summarize("my order 4411 never arrived, I want a refund")
    assert any(f.value == "4411" for f in record.facts)


def test_files_that_are_not_notes_are_still_refused(tmp_path: Path) -> None:
    readme = tmp_path / "README.md"
    readme.write_text("# Project\n\nSome docs about the project.\n")
    with pytest.raises(UnknownFormatError):
        ho.load(readme)
    with pytest.raises(UnknownFormatError):
        ho.load('{"invoice": 4411}')


# -- paths, empty files, a folder with one bad file ------------------------------------------


@pytest.mark.parametrize(
    "path", ["examples/chat.jsn", "examples/chta.json", "/no/such/dir/chat", "chat.json5", "chat.jsn"]
)
def test_a_mistyped_path_says_no_such_file(path: str) -> None:
    with pytest.raises(UsageError, match="no such file"):
        ho.load(path)


def test_an_empty_file_is_named(tmp_path: Path) -> None:
    empty = tmp_path / "empty.json"
    empty.write_text("  \n")
    with pytest.raises(ParseError, match=r"empty\.json is empty"):
        ho.load(empty)


def test_separate_skips_a_bad_file_with_one_line_and_exits_non_zero(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in ("chat.json", "transcript.txt"):
        (tmp_path / name).write_bytes((E / name).read_bytes())
    (tmp_path / "b-invoice.json").write_text('{"invoice": 4411}')
    code = main(["summarize", str(tmp_path), "--separate", "-o", "json"])
    out, err = capsys.readouterr()
    assert code == 1
    assert len(out.strip().splitlines()) == 2  # both good files still summarized
    assert err.count("\n") == 1 and "b-invoice.json" in err and err.startswith("handoff: error:")


@pytest.mark.parametrize("text", ["maya@example.com", "hello", "I paid $84.50 twice", "refund please."])
def test_short_words_that_are_not_paths_stay_text(text: str) -> None:
    assert ho.load(text).messages[0].text == text
