"""``load`` / ``load_many``: source types, files, encodings, batches, error translation."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from handoff_ai.exceptions import HandoffError, ParseError, UnknownFormatError, UsageError
from handoff_ai.models import Conversation, Message
from handoff_ai.parsers import load, load_many

ROW = {"id": "r1", "gold": {"x": 1}, "turns": [{"speaker": "customer", "text": "hi"}]}


def test_conversation_is_returned_as_is() -> None:
    conversation = Conversation(messages=[Message(id="a", role="customer")])
    assert load(conversation) is conversation
    assert load(conversation, id="new").id == "new"


def test_path_and_str_path(tmp_path: Path) -> None:
    path = tmp_path / "chat-42.txt"
    path.write_text("Customer: hi\nBot: hello\n", encoding="utf-8")
    for source in (path, str(path)):
        conversation = load(source)
        assert conversation.id == "chat-42"  # the file stem when the input has no id
        assert conversation.messages[0].source.file == str(path)  # type: ignore[union-attr]
    assert load(path, id="given").id == "given"


def test_input_id_beats_file_stem(tmp_path: Path) -> None:
    path = tmp_path / "x.json"
    path.write_text(json.dumps(ROW), encoding="utf-8")
    assert load(path).id == "r1"


def test_missing_file_and_directory(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="no such file"):
        load(tmp_path / "missing.json")
    with pytest.raises(UsageError, match="no such file"):
        load(str(tmp_path / "missing.json"))
    with pytest.raises(UsageError, match="directory"):
        load(tmp_path)


def test_one_line_text_that_is_not_a_path_is_content() -> None:
    assert load("Customer: see attached.txt").messages[0].text == "see attached.txt"


@pytest.mark.parametrize(
    "data",
    [
        "Customer: héllo".encode(),
        b"\xef\xbb\xbf" + "Customer: héllo".encode(),
        "\ufeffCustomer: héllo".encode("utf-16"),
        "Customer: héllo".encode("utf-16-be").join([b"\xfe\xff", b""]),
    ],
)
def test_bytes_and_boms(data: bytes) -> None:
    assert load(data).messages[0].text == "héllo"


def test_invalid_utf8_is_a_parse_error(tmp_path: Path) -> None:
    with pytest.raises(ParseError) as info:
        load(b"Customer: caf\xe9")
    assert info.value.location == "byte 13"
    path = tmp_path / "latin1.txt"
    path.write_bytes(b"Customer: caf\xe9")
    with pytest.raises(ParseError, match=r"latin1\.txt is not valid text"):
        load(path)


@pytest.mark.parametrize("source", [5, None, 3.5, object(), {1, 2}])
def test_unsupported_source_types(source: Any) -> None:
    with pytest.raises(UsageError, match="cannot load"):
        load(source)


def test_unexpected_parser_exceptions_are_translated(monkeypatch: pytest.MonkeyPatch) -> None:
    from handoff_ai.parsers import _text

    def boom(*args: Any, **kwargs: Any) -> Any:
        raise KeyError("bug")

    monkeypatch.setattr(_text.TextParser, "parse", boom)
    with pytest.raises(ParseError, match=r"could not parse input \(KeyError\)") as info:
        load("Customer: hi")
    assert isinstance(info.value.__cause__, KeyError)


def test_deeply_nested_json() -> None:
    with pytest.raises(ParseError, match="nested too deeply"):
        load("[" * 100_000 + "]" * 100_000)
    nested: Any = {"role": "user", "text": "a"}
    for _ in range(5000):
        nested = {"x": nested}
    with pytest.raises(HandoffError):
        load([{"role": "user", "text": "a", "extra": nested}, "bad"])


# ---------------------------------------------------------------- load_many


def _jsonl(tmp_path: Path, rows: list[Any], name: str = "batch.jsonl") -> Path:
    path = tmp_path / name
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def test_load_many_streams_a_jsonl_file(tmp_path: Path) -> None:
    rows = [ROW, {"turns": [{"speaker": "agent", "text": "x"}]}, [{"role": "user", "content": "y"}]]
    path = _jsonl(tmp_path, rows)
    conversations = list(load_many(path))
    assert [c.id for c in conversations] == ["r1", "batch-2", "batch-3"]
    assert conversations[0].metadata == {"gold": {"x": 1}}
    assert conversations[1].messages[0].source.pointer == "line 2, turns[0]"  # type: ignore[union-attr]
    assert conversations[2].messages[0].source.format == "openai"  # type: ignore[union-attr]
    assert [c.id for c in load_many(str(path))] == ["r1", "batch-2", "batch-3"]


def test_load_many_is_lazy_and_reports_the_bad_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text(json.dumps(ROW) + "\n\n{broken\n", encoding="utf-8")
    iterator = load_many(path)
    assert next(iterator).id == "r1"
    with pytest.raises(ParseError) as info:
        next(iterator)
    assert info.value.location == "line 3"


def test_load_many_reports_the_line_of_a_bad_message(tmp_path: Path) -> None:
    path = _jsonl(tmp_path, [ROW, {"turns": [{"speaker": "pirate", "text": "arr"}]}])
    with pytest.raises(ParseError) as info:
        list(load_many(path))
    assert info.value.location == "line 2, turns[0].speaker"


def test_load_many_on_a_single_conversation(tmp_path: Path) -> None:
    path = tmp_path / "t.txt"
    path.write_text("Customer: a\nBot: b\n", encoding="utf-8")
    assert [len(c) for c in load_many(path)] == [2]
    pretty = tmp_path / "p.json"
    pretty.write_text(json.dumps(ROW, indent=2), encoding="utf-8")
    assert [c.id for c in load_many(pretty)] == ["r1"]
    messages_jsonl = _jsonl(
        tmp_path, [{"role": "user", "text": "a"}, {"role": "bot", "text": "b"}], "m.jsonl"
    )
    assert [len(c) for c in load_many(messages_jsonl)] == [2]
    assert [len(c) for c in load_many(ROW)] == [1]
    assert [len(c) for c in load_many([{"role": "user", "text": "a"}])] == [1]
    assert [len(c) for c in load_many("Customer: a")] == [1]


def test_load_many_on_lists_and_text() -> None:
    conversation = Conversation(id="given")
    assert [c.id for c in load_many([ROW, {"turns": []}, conversation])] == ["r1", "conversation-2", "given"]
    text = "\n".join(json.dumps(r) for r in (ROW, ROW))
    assert [c.id for c in load_many(text)] == ["r1", "r1"]
    assert [c.id for c in load_many(text.encode())] == ["r1", "r1"]
    assert list(load_many(conversation)) == [conversation]


def test_load_many_missing_file(tmp_path: Path) -> None:
    with pytest.raises(UsageError):
        list(load_many(tmp_path / "nope.jsonl"))


def test_load_many_is_memory_bounded(tmp_path: Path) -> None:
    """Reading a big JSONL file yields conversations without reading it all first."""
    path = _jsonl(tmp_path, [ROW] * 2000)
    iterator = load_many(path)
    first = next(iterator)
    assert first.id == "r1"
    assert sum(1 for _ in iterator) == 1999


def test_unknown_format_in_a_batch(tmp_path: Path) -> None:
    path = _jsonl(tmp_path, [ROW])
    with pytest.raises(UnknownFormatError):
        list(load_many(path, format="no-such-format"))


def test_load_many_consumes_a_generator_lazily() -> None:
    seen: list[int] = []

    def rows() -> Any:
        for index in range(3):
            seen.append(index)
            yield {"turns": [{"speaker": "customer", "text": str(index)}]}

    iterator = load_many(rows())
    assert next(iterator).id == "conversation-1"
    assert seen == [0]
    assert [c.messages[0].text for c in iterator] == ["1", "2"]


def test_load_many_reads_a_folder_file_by_file(tmp_path: Path) -> None:
    import handoff_ai as ho

    for name, text in (
        ("b.txt", "Customer: my order 4411 never arrived\nAgent: Sorry!"),
        ("a.txt", "Customer: hi"),
    ):
        (tmp_path / name).write_text(text, encoding="utf-8")
    (tmp_path / ".hidden").write_text("not read", encoding="utf-8")
    assert [c.id for c in ho.load_many(tmp_path)] == ["a", "b"]
    assert [c.id for c in ho.load_many(str(tmp_path))] == ["a", "b"]  # a folder path string too
    with pytest.raises(ho.UsageError, match="directory"):
        ho.load(str(tmp_path))
