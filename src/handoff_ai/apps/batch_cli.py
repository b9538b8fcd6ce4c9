"""``handoff batch``: summarize a folder or a JSON Lines file into a results JSONL, resumably.

    handoff batch DIR_OR_JSONL --out results.jsonl [--taxonomy T] [--backend B] [--format F]
                  [--concurrency N | --workers N] [--retry-errors] [--quiet]

One output line per conversation, in input order::

    {"id": "abcd-dev-0000", "record": {...}}
    {"id": "broken", "error": {"type": "ParseError", "message": "invalid JSON at line 7"}}

Inputs: a folder (each file, sorted by name, one conversation) or a JSON Lines
file (one conversation per line, ids as ``load_many`` gives them: the row's
id, else ``<stem>-<line>``). Lines are parsed one by one here rather than with
``load_many`` so that a line that is not JSON becomes that line's error instead
of ending the stream. A file whose first line is not a conversation is read as
one conversation, as ``load_many`` does.

Resuming: ids already in ``--out`` are skipped and new lines are appended, so an
interrupted run continues where it stopped (lines are flushed as they are
written; a partial last line left by a kill is removed first). Ids whose last
line is an error are skipped too, unless ``--retry-errors``. When an id occurs
more than once in the output (a retried error), the **last line wins**. A
conversation whose id already occurred earlier in the same input is not
summarized again: it is counted as a duplicate in the summary line.

``--workers N`` runs N processes (the rules engine is pure Python: threads share one
core): the parent sends raw lines or file paths and writes the JSON lines the workers
send back, in input order (see ``batch_pool``). With a folder, ids already done are then
matched by file name (a file's stem), since the parent does not open the files.

Exit status: 0 when every conversation of this run succeeded, 1 when any
failed (counts on stderr), 2 for a usage mistake (missing input, unknown
backend/format/taxonomy, an ``--out`` that is not a results file).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import IO, Any

from ..exceptions import HandoffError, ParseError, UsageError
from ..models import Conversation, HandoffRecord
from .batch_io import (
    JSONL_SUFFIXES,
    Job,
    first_row_is_conversation,
    jsonl_lines,
    open_file,
    raw_items,
    result_line,
    row_id,
)
from .cli_args import Commands, positive_int

__all__ = ["add_batch_parser", "run_batch"]


def add_batch_parser(commands: Commands) -> None:
    """Register the ``batch`` subcommand on ``handoff``'s subparsers."""
    batch = commands.add_parser(
        "batch", help="summarize a folder or JSONL of conversations into a results JSONL (resumable)"
    )
    batch.add_argument("input", metavar="DIR_OR_JSONL", help="a folder of conversation files, or a JSONL")
    batch.add_argument("--out", "-o", required=True, metavar="RESULTS.jsonl", help="results file (appended)")
    batch.add_argument("--taxonomy", "-t", help="taxonomy file (TOML or JSON); default: packaged")
    batch.add_argument("--backend", "-b", default=None, help="backend name (default: rules)")
    batch.add_argument("--format", "-f", default="auto", help="input format (default: detect)")
    batch.add_argument(
        "--note-language", default=None, metavar="CODE", help="language of the notes' own words (en, de, …)"
    )
    batch.add_argument(
        "--encoding",
        default=None,
        help="text encoding of the input files (default: UTF-8, or the charset an email declares)",
    )
    batch.add_argument(
        "--concurrency", "-j", type=positive_int, default=1, help="conversations in flight (default: 1)"
    )
    batch.add_argument(
        "--workers",
        "-w",
        type=positive_int,
        default=1,
        help="processes (default: 1; one per core uses them all with the rules backend)",
    )
    batch.add_argument(
        "--retry-errors", action="store_true", help="summarize again ids whose last line is an error"
    )
    batch.add_argument("--quiet", "-q", action="store_true", help="no progress bar or summary on success")


# -- reading the inputs ----------------------------------------------------------------------

_Item = tuple[str, "Conversation | Exception"]


def _load_file(path: Path, format: str, encoding: str | None = None) -> _Item:
    from ..parsers import load

    try:
        conversation = load(path, format, encoding=encoding)
    except HandoffError as exc:
        return path.stem, exc
    return conversation.id, conversation


def _folder(folder: Path, format: str, encoding: str | None = None) -> Iterator[_Item]:
    for child in sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith(".")):
        yield _load_file(child, format, encoding)


def _jsonl(path: Path, format: str) -> Iterator[_Item]:
    """One item per non-blank line; a bad line is that line's error, the next line goes on."""
    from ..parsers import ParserInput
    from ..parsers._load import parse_input

    for number, fallback, _, value in jsonl_lines(path):
        if isinstance(value, ParseError):
            yield fallback, value
            continue
        data = ParserInput(value=value, file=str(path), prefix=f"line {number}", fallback_id=fallback)
        try:
            conversation = parse_input(data, format)
        except HandoffError as exc:
            yield row_id(value, fallback), exc
            continue
        yield conversation.id, conversation


def _items(
    source: Path, format: str, *, count: bool, encoding: str | None = None
) -> tuple[Iterator[_Item], int | None]:
    """The inputs as ``(id, conversation or error)``, and with ``count`` how many (for the bar)."""
    if source.is_dir():
        files = (
            sum(1 for p in source.iterdir() if p.is_file() and not p.name.startswith(".")) if count else None
        )
        return _folder(source, format, encoding), files
    if not source.is_file():
        raise UsageError(f"{source}: no such file or folder")
    if source.suffix.lower() in JSONL_SUFFIXES or first_row_is_conversation(source):
        lines = None
        if count:  # one quick pass over the bytes; only when a progress bar is shown
            with open_file(source, "rb") as handle:
                lines = sum(1 for line in handle if line.strip())
        return _jsonl(source, format), lines
    return iter([_load_file(source, format, encoding)]), 1


# -- the results file ------------------------------------------------------------------------


def _done_ids(out: Path, retry_errors: bool) -> set[str]:
    """Ids to skip: those in ``out`` (whose last line is a record, with ``retry_errors``).

    Removes a partial last line (a run killed mid-write) so appending stays valid JSONL.
    """
    if not out.exists():
        return set()
    if out.is_dir():
        raise UsageError(f"--out {out} is a folder")
    last_ok: dict[str, bool] = {}
    with open_file(out, "rb+") as handle:
        good_end = 0
        for number, raw in enumerate(handle, start=1):
            if not raw.endswith(b"\n"):
                break  # partial last line: truncated below
            good_end += len(raw)
            if not raw.strip():
                continue
            try:
                line = json.loads(raw)
            except ValueError:
                line = None
            if not (isinstance(line, dict) and isinstance(line.get("id"), str)) or not (
                "record" in line or "error" in line
            ):
                raise UsageError(f"--out {out} line {number} is not a batch result: is it the right file?")
            last_ok[line["id"]] = "record" in line
        handle.truncate(good_end)
    return {key for key, ok in last_ok.items() if ok or not retry_errors}


class _OrderedWriter:
    """Writes result lines in input order while results arrive in completion order."""

    def __init__(self, handle: IO[str], advance: Any) -> None:
        self._handle = handle
        self._advance = advance
        self._ready: dict[int, str] = {}
        self._next = 0
        self.ok = 0
        self.failed = 0

    def put(self, slot: int, conversation_id: str, result: HandoffRecord | Exception) -> None:
        self.put_line(slot, result_line(conversation_id, result), not isinstance(result, Exception))

    def put_line(self, slot: int, line: str, ok: bool) -> None:
        """A result line made elsewhere (a worker process)."""
        if ok:
            self.ok += 1
        else:
            self.failed += 1
        self._ready[slot] = line
        while self._next in self._ready:
            self._handle.write(self._ready.pop(self._next))
            self._next += 1
            self._advance()
        self._handle.flush()


# -- the command -----------------------------------------------------------------------------


def run_batch(args: argparse.Namespace) -> int:
    """Run ``handoff batch``; returns the exit code (UsageError propagates: the caller exits 2)."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    from ..api import Summarizer
    from ..backends import AsyncBackend
    from ..batch import _arun_many, _run_many
    from ..batch.items import _Failed
    from ..parsers import get_parser

    source, out = Path(args.input), Path(args.out)
    if args.encoding is not None:
        import codecs

        try:
            codecs.lookup(args.encoding)
        except LookupError:
            raise UsageError(f"unknown text encoding: {args.encoding!r}") from None
    if args.format != "auto":
        get_parser(args.format)  # an unknown name is a usage error, not 10,000 item errors
    if out.exists() and source.exists() and out.resolve() == source.resolve():
        raise UsageError("--out must not be the input file")
    summarizer = Summarizer(
        backend=args.backend,
        taxonomy=args.taxonomy,
        format=args.format,
        cache_size=0,
        note_language=args.note_language,
    )
    console = Console(stderr=True)
    show = not args.quiet and console.is_terminal
    items, total = _items(source, args.format, count=show, encoding=args.encoding)
    done = _done_ids(out, args.retry_errors)
    progress = Progress(
        TextColumn("summarizing"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=console,
        disable=not show,
        transient=True,
    )
    task = progress.add_task("batch", total=total)
    skipped = duplicates = 0
    ids: dict[int, str] = {}  # batch index → conversation id, until its line is written

    def sources() -> Iterator[Conversation | _Failed]:
        """What to summarize; bookkeeping only (no I/O: the batch would take its errors for items')."""
        nonlocal skipped, duplicates
        seen: set[str] = set()
        for conversation_id, item in items:
            if conversation_id in done or conversation_id in seen:
                if conversation_id in seen:
                    duplicates += 1
                else:
                    skipped += 1
                progress.advance(task)
                continue
            seen.add(conversation_id)
            ids[len(seen) - 1] = conversation_id
            yield _Failed(item) if isinstance(item, Exception) else item

    if args.workers > 1 and not isinstance(summarizer.backend, AsyncBackend):
        with progress, open_file(out, "a") as handle:
            writer = _OrderedWriter(handle, lambda: progress.advance(task))
            skipped, duplicates = _run_workers(args, source, done, writer, lambda: progress.advance(task))
        return _report(args, writer, out, skipped, duplicates)

    with progress, open_file(out, "a") as handle:
        writer = _OrderedWriter(handle, lambda: progress.advance(task))

        def emit(index: int, result: HandoffRecord | Exception) -> None:
            writer.put(index, ids.pop(index), result)

        if isinstance(summarizer.backend, AsyncBackend):
            asyncio.run(_arun_many(summarizer, sources(), args.concurrency, emit))
        else:
            _run_many(summarizer, sources(), args.concurrency, emit)

    return _report(args, writer, out, skipped, duplicates)


def _report(
    args: argparse.Namespace, writer: _OrderedWriter, out: Path, skipped: int, duplicates: int
) -> int:
    if writer.failed or not args.quiet:
        extra = f", {duplicates} duplicate ids skipped" if duplicates else ""
        print(
            f"handoff: batch: {writer.ok + writer.failed} written to {out} "
            f"({writer.ok} ok, {writer.failed} failed), {skipped} already done{extra}",
            file=sys.stderr,
        )
    return 1 if writer.failed else 0


def _run_workers(
    args: argparse.Namespace, source: Path, done: set[str], writer: _OrderedWriter, advance: Any
) -> tuple[int, int]:
    """``--workers N``: raw lines or paths out to processes, result lines back; (skipped, duplicates)."""
    from .batch_pool import WorkerConfig, run_pool

    if not source.exists():
        raise UsageError(f"{source}: no such file or folder")
    config = WorkerConfig(
        backend=args.backend,
        taxonomy=args.taxonomy,
        format=args.format,
        note_language=args.note_language,
        encoding=args.encoding,
    )
    counts = {"skipped": 0, "duplicates": 0}

    def jobs() -> Iterator[Job]:
        seen: set[str] = set()
        for conversation_id, item in raw_items(source):
            if conversation_id in done or conversation_id in seen:
                counts["duplicates" if conversation_id in seen else "skipped"] += 1
                advance()
                continue
            seen.add(conversation_id)
            slot = len(seen) - 1
            if isinstance(item, Exception):
                writer.put(slot, conversation_id, item)  # unreadable in the parent: no worker needed
            else:
                yield replace(item, slot=slot)

    run_pool(config, jobs(), args.workers, writer.put_line)
    return counts["skipped"], counts["duplicates"]
