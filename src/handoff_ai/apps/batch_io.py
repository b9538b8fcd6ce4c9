"""What ``handoff batch`` reads and writes, shared by the threaded and the process-pool runs.

Inputs: a folder (one conversation a file) or JSON Lines (one a line), with the id each
item is filed under; outputs: one JSON result line per conversation.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from ..exceptions import HandoffError, ParseError, UsageError
from ..models import HandoffRecord

__all__ = [
    "JSONL_SUFFIXES",
    "Job",
    "first_row_is_conversation",
    "jsonl_lines",
    "open_file",
    "parse_job",
    "raw_items",
    "result_line",
    "row_id",
]

JSONL_SUFFIXES = (".jsonl", ".ndjson")


@dataclass(frozen=True)
class Job:
    """One conversation for a worker process: a JSONL line (``text``) or a file (``path``)."""

    slot: int
    fallback: str
    text: str | None = None
    path: str | None = None
    file: str = ""
    number: int = 0


def _is_conversation_row(value: Any) -> bool:
    from ..parsers._json import is_conversation

    return is_conversation(value) or (isinstance(value, list) and bool(value))


def row_id(value: Any, fallback: str) -> str:
    row_id = value.get("id") if isinstance(value, dict) else None
    return str(row_id) if isinstance(row_id, (str, int)) and not isinstance(row_id, bool) else fallback


def jsonl_lines(path: Path) -> Iterator[tuple[int, str, str, Any]]:
    """``(line number, fallback id, text, JSON value)`` of each non-blank line; the value is a
    ``ParseError`` for a line that is not UTF-8 or not JSON (the next line goes on)."""
    handle = open_file(path, "rb")
    with handle:
        for number, raw in enumerate(handle, start=1):
            fallback = f"{path.stem}-{number}"
            try:
                text = raw.removeprefix(b"\xef\xbb\xbf").decode("utf-8") if number == 1 else raw.decode()
            except UnicodeDecodeError:
                error = ParseError("line is not valid UTF-8", format="jsonl", location=f"line {number}")
                yield number, fallback, "", error
                continue
            if not text.strip():
                continue
            try:
                value = json.loads(text)
            except (json.JSONDecodeError, RecursionError):
                value = ParseError("invalid JSON", format="jsonl", location=f"line {number}")
            yield number, fallback, text, value


def _raw_jsonl(path: Path) -> Iterator[tuple[str, Job | Exception]]:
    """Each line's id and the line itself, for a worker to parse (it reads it once more)."""
    for number, fallback, text, value in jsonl_lines(path):
        if isinstance(value, ParseError):
            yield fallback, value
        else:
            yield (
                row_id(value, fallback),
                Job(slot=-1, fallback=fallback, text=text, file=str(path), number=number),
            )


def raw_items(source: Path) -> Iterator[tuple[str, Job | Exception]]:
    """The inputs as ``(id, job or error)``: a folder's files by name (ids: their stems), or lines."""
    if source.is_dir():
        for child in sorted(p for p in source.iterdir() if p.is_file() and not p.name.startswith(".")):
            yield child.stem, Job(slot=-1, fallback=child.stem, path=str(child))
    elif source.suffix.lower() in JSONL_SUFFIXES or first_row_is_conversation(source):
        yield from _raw_jsonl(source)
    else:
        yield source.stem, Job(slot=-1, fallback=source.stem, path=str(source))


def parse_job(job: Job, format: str, encoding: str | None = None) -> Any:
    """The ``Conversation`` of a job, read in a worker process (typed errors as ``load`` raises them)."""
    from ..parsers import ParserInput, load
    from ..parsers._load import parse_input

    if job.path is not None:
        return load(Path(job.path), format, encoding=encoding)
    assert job.text is not None
    try:
        value = json.loads(job.text)
    except (json.JSONDecodeError, RecursionError):
        raise ParseError("invalid JSON", format="jsonl", location=f"line {job.number}") from None
    data = ParserInput(value=value, file=job.file, prefix=f"line {job.number}", fallback_id=job.fallback)
    return parse_input(data, format)


def first_row_is_conversation(path: Path) -> bool:
    with open_file(path, "rb") as handle:
        for raw in handle:
            if raw.strip():
                try:
                    return _is_conversation_row(json.loads(raw.removeprefix(b"\xef\xbb\xbf")))
                except (ValueError, RecursionError):
                    return False
    return False


def open_file(path: Path, mode: str) -> IO[Any]:
    try:
        return path.open(mode)
    except OSError as exc:
        raise UsageError(f"cannot open {path}: {exc.strerror or type(exc).__name__}") from None


def result_line(conversation_id: str, result: HandoffRecord | Exception) -> str:
    if isinstance(result, HandoffRecord):
        return json.dumps({"id": conversation_id, "record": result.model_dump(mode="json")}) + "\n"
    # handoff_ai's own messages never quote transcript text; another library's might.
    message = str(result) if isinstance(result, HandoffError) else f"unexpected {type(result).__name__}"
    error = {"type": type(result).__name__, "message": message}
    return json.dumps({"id": conversation_id, "error": error}) + "\n"
