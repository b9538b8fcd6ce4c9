"""``load_many`` on large files: streamed JSON arrays and mbox threads, errors mid-stream, bounded memory."""

from __future__ import annotations

import io
import json
import tracemalloc
from pathlib import Path
from typing import Any

import pytest

from handoff_ai.exceptions import ParseError
from handoff_ai.models import Conversation
from handoff_ai.parsers import _stream, load, load_many
from handoff_ai.parsers._stream import iter_json_array, sniff_kind


def _conversation(number: int, messages: int = 3) -> dict[str, Any]:
    return {
        "id": f"c{number}",
        "messages": [
            {"role": "customer" if i % 2 == 0 else "agent", "text": f"conversation {number} turn {i} é ✓"}
            for i in range(messages)
        ],
    }


def _shape(conversation: Conversation) -> list[tuple[str, str, str | None]]:
    return [(m.role, m.text, m.author) for m in conversation.messages]


# ---------------------------------------------------------------- JSON arrays


@pytest.mark.parametrize("indent", [None, 2])
def test_json_array_streams_the_same_conversations_as_loading_each(
    tmp_path: Path, indent: int | None
) -> None:
    rows = [_conversation(n) for n in range(1, 6)]
    path = tmp_path / "batch.json"
    path.write_text(json.dumps(rows, indent=indent, ensure_ascii=False), encoding="utf-8")
    streamed = list(load_many(path))
    assert [c.id for c in streamed] == ["c1", "c2", "c3", "c4", "c5"]
    assert [_shape(c) for c in streamed] == [_shape(load(row)) for row in rows]
    assert streamed[2].messages[1].source.pointer == "[2], messages[1]"  # type: ignore[union-attr]


def test_json_array_ids_default_to_stem_and_position(tmp_path: Path) -> None:
    path = tmp_path / "dump.json"
    path.write_text(json.dumps([{"turns": [{"speaker": "agent", "text": "x"}]}] * 2), encoding="utf-8")
    assert [c.id for c in load_many(path)] == ["dump-1", "dump-2"]


@pytest.mark.parametrize("chunk_size", [1, 2, 3, 7, 64])
def test_json_array_split_across_chunk_boundaries(chunk_size: int) -> None:
    values: list[Any] = [
        _conversation(1),
        {"n": 12345678901234567890, "f": -1.5e-7, "t": True, "z": None, "s": 'a\\"b\u00e9\U0001f600'},
        [1, [2, [3]], {}],
        "tail é",
        0,
    ]
    text = " [ \n" + ",\n  ".join(json.dumps(v, ensure_ascii=chunk_size % 2 == 0) for v in values) + "\n ] \n"
    handle = io.BytesIO(b"\xef\xbb\xbf" + text.encode("utf-8"))
    assert [v for _, v in iter_json_array(handle, chunk_size=chunk_size)] == values


def test_json_array_utf16_and_empty() -> None:
    data = json.dumps([{"a": "é"}, 1]).encode("utf-16")
    assert [v for _, v in iter_json_array(io.BytesIO(data), chunk_size=5)] == [{"a": "é"}, 1]
    assert list(iter_json_array(io.BytesIO(b"  [ ]  "))) == []


def test_malformed_json_mid_stream_fails_after_the_good_items(tmp_path: Path) -> None:
    good = ",\n".join(json.dumps(_conversation(n)) for n in (1, 2))
    path = tmp_path / "broken.json"
    path.write_text(f'[\n{good},\n{{"id": "c3", "messages": [}}\n]\n', encoding="utf-8")
    seen: list[str] = []
    with pytest.raises(ParseError) as info:
        for conversation in load_many(path):
            seen.append(conversation.id)
    assert seen == ["c1", "c2"]
    assert info.value.location == "line 4 column 27"  # as json.loads counts


@pytest.mark.parametrize(
    ("text", "message", "location"),
    [
        ('[{"a": 1}, {"a": 2} {"a": 3}]', "expected ',' or ']'", "line 1 column 21"),
        ('[{"a": 1},\n {"a": 2}', "unterminated", "line 2 column 10"),
        ('[{"a": 1}] [2]', "extra data", "line 1 column 12"),
        ('[{"a": 1}, {"a": "x\n"}]', "Invalid control character", "line 1 column 20"),
        ('{"a": 1}', "expected a JSON array", "line 1 column 1"),
    ],
)
def test_json_array_errors_name_line_and_column(text: str, message: str, location: str) -> None:
    handle = io.BytesIO(text.encode("utf-8"))
    with pytest.raises(ParseError, match=message) as info:
        list(iter_json_array(handle, chunk_size=4))
    assert info.value.location == location


def test_invalid_utf8_mid_stream_names_the_byte() -> None:
    handle = io.BytesIO(b'[{"a": 1}, {"a": "\xff"}]')
    with pytest.raises(ParseError, match="not valid text") as info:
        list(iter_json_array(handle, chunk_size=4))
    assert info.value.location == "byte 18"


def test_a_bad_conversation_in_an_array_names_its_index(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text(json.dumps([_conversation(1), {"turns": [{"speaker": "pirate", "text": "arr"}]}]))
    iterator = load_many(path)
    assert next(iterator).id == "c1"
    with pytest.raises(ParseError) as info:
        next(iterator)
    assert info.value.location == "[1], turns[0].speaker"


def test_arrays_that_are_one_conversation_still_load_whole(tmp_path: Path) -> None:
    messages = tmp_path / "messages.json"
    messages.write_text(json.dumps([{"role": "user", "content": "a"}, {"role": "assistant", "content": "b"}]))
    assert [len(c) for c in load_many(messages)] == [2]
    single = tmp_path / "one.json"
    single.write_text(json.dumps(_conversation(7, messages=50), indent=1))
    assert [(c.id, len(c)) for c in load_many(single)] == [("c7", 50)]


def test_sniff_kind() -> None:
    assert sniff_kind(io.BytesIO(b'\xef\xbb\xbf \n[ {"a": 1}]')) == "array"
    assert sniff_kind(io.BytesIO(b"[[1]]")) == "array"
    assert sniff_kind(io.BytesIO(b"[10:32] Bot: hi")) == "other"
    assert sniff_kind(io.BytesIO(b"\r\nFrom a@b Mon Jan  1 00:00:00 2024\n")) == "mbox"
    assert sniff_kind(io.BytesIO(b"From: a@example.com\n")) == "other"
    handle = io.BytesIO(b"[{}]")
    handle.seek(1)
    sniff_kind(handle)
    assert handle.tell() == 1


# ---------------------------------------------------------------- mbox


def _mail(key: str, sender: str, when: str, text: str, reply_to: str | None = None) -> str:
    headers = [f"From: {sender}", "To: support@acme.example", f"Subject: about {key[0]}", f"Date: {when}"]
    headers.append(f"Message-ID: <{key}@x>")
    if reply_to:
        headers += [f"In-Reply-To: <{reply_to}@x>", f"References: <{reply_to}@x>"]
    return "From MAILER-DAEMON Mon Jan  1 00:00:00 2024\n" + "\n".join(headers) + f"\n\n{text}\n\n"


def test_mbox_with_interleaved_threads_streams_one_conversation_per_thread(tmp_path: Path) -> None:
    mails = [
        _mail("a1", "Ann <ann@example.com>", "Mon, 01 Jan 2024 09:00:00 +0000", "A: my parcel is late"),
        _mail("b1", "Bob <bob@example.com>", "Mon, 01 Jan 2024 09:05:00 +0000", "B: wrong size"),
        _mail("a2", "support@acme.example", "Mon, 01 Jan 2024 10:00:00 +0000", "A: on its way", "a1"),
        _mail("c1", "Cy <cy@example.com>", "Mon, 01 Jan 2024 10:30:00 +0000", "C: refund?"),
        _mail("b2", "support@acme.example", "Mon, 01 Jan 2024 11:00:00 +0000", "B: send it back", "b1"),
        _mail("a3", "Ann <ann@example.com>", "Mon, 01 Jan 2024 12:00:00 +0000", "A: thanks Chloé", "a2"),
    ]
    path = tmp_path / "box.mbox"
    path.write_text("".join(mails), encoding="utf-8")
    streamed = list(load_many(path))
    assert [c.id for c in streamed] == ["box-1", "box-2", "box-3"]
    assert [[m.text for m in c.messages] for c in streamed] == [
        ["A: my parcel is late", "A: on its way", "A: thanks Chloé"],
        ["B: wrong size", "B: send it back"],
        ["C: refund?"],
    ]
    assert [m.role for m in streamed[0].messages] == ["customer", "agent", "customer"]
    whole = load(path)
    by_thread: dict[str, list[tuple[str, str, str | None]]] = {}
    for message in whole.messages:
        by_thread.setdefault(message.metadata["thread"], []).append(
            (message.role, message.text, message.author)
        )
    assert list(by_thread.values()) == [_shape(c) for c in streamed]
    assert streamed[1].messages[1].source.pointer == "message 5, line 39"  # type: ignore[union-attr]


def test_mbox_is_sniffed_by_content_and_a_single_thread_keeps_the_stem(tmp_path: Path) -> None:
    path = tmp_path / "export.txt"
    path.write_text(
        _mail("a1", "Ann <ann@example.com>", "Mon, 01 Jan 2024 09:00:00 +0000", "hello")
        + _mail("a2", "support@acme.example", "Mon, 01 Jan 2024 10:00:00 +0000", "hi Ann", "a1"),
        encoding="utf-8",
    )
    assert [(c.id, len(c)) for c in load_many(path)] == [("export", 2)]
    assert [(c.id, len(c)) for c in load_many(path, format="email")] == [("export", 2)]


def test_a_malformed_mail_fails_after_earlier_threads(tmp_path: Path) -> None:
    path = tmp_path / "bad.mbox"
    path.write_text(
        _mail("a1", "Ann <ann@example.com>", "Mon, 01 Jan 2024 09:00:00 +0000", "fine")
        + "From MAILER-DAEMON Mon Jan  1 00:00:00 2024\n"
        + "Subject: no sender\nDate: Tue, 02 Jan 2024 09:00:00 +0000\n\nx\n",
        encoding="utf-8",
    )
    iterator = load_many(path)
    assert next(iterator).id == "bad-1"
    with pytest.raises(ParseError) as info:
        next(iterator)
    assert info.value.location == "message 2, line 10, From"


# ---------------------------------------------------------------- memory


def _peak(path: Path) -> int:
    tracemalloc.start()
    try:
        count = sum(1 for _ in load_many(path))
        return tracemalloc.get_traced_memory()[1] if count else 0
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize("kind", ["array", "jsonl", "mbox"])
def test_memory_stays_bounded_as_the_file_grows(
    tmp_path: Path, kind: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_stream, "CHUNK_SIZE", 1 << 14)  # files of a few MB span many chunks

    def write(count: int) -> Path:
        path = tmp_path / f"{kind}-{count}"
        if kind == "mbox":
            path.write_text(
                "".join(
                    _mail(f"t{n}", f"u{n}@example.com", "Mon, 01 Jan 2024 09:00:00 +0000", f"mail {n} " * 20)
                    for n in range(count // 4)
                ),
                encoding="utf-8",
            )
        elif kind == "jsonl":
            path.write_text(
                "".join(json.dumps(_conversation(n)) + "\n" for n in range(count)), encoding="utf-8"
            )
        else:
            path.write_text(json.dumps([_conversation(n) for n in range(count)]), encoding="utf-8")
        return path

    small, large = _peak(write(1000)), _peak(write(4000))
    assert small > 0
    # 4x the input: a whole-file load would grow ~4x; an mbox keeps ~0.3 KB per mail for threading
    assert large < 3 * small
