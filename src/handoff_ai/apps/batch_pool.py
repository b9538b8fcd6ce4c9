"""``handoff batch --workers N``: the same results file, written by N processes.

The rules engine is pure Python, so threads share one core; processes use them all.
What crosses a process boundary is what is cheapest to move: the parent reads the
input and sends **raw JSONL lines or file paths**, a worker parses, summarizes and
renders the result line, and the parent writes **JSON text** as it arrives, in input
order (pickling conversations or records both ways would cost more than the work).
Work goes out in chunks, and only a few chunks per worker are in flight at a time,
so memory stays bounded on any input size.

Workers start from a fork server that has imported handoff_ai once, so they neither
re-import it nor inherit the parent's threads (the progress bar's).
"""

from __future__ import annotations

import json
import multiprocessing
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..exceptions import HandoffError, ParseError
from .batch_io import Job, result_line

__all__ = ["WorkerConfig", "run_pool"]

CHUNK = 32
"""Conversations per task: large enough that the hand-over costs little, small enough to keep order."""
_IN_FLIGHT = 4  # chunks per worker waiting or running


@dataclass(frozen=True)
class WorkerConfig:
    """What every worker builds its ``Summarizer`` from (picklable: names and paths, not objects)."""

    backend: str | None
    taxonomy: str | None
    format: str
    note_language: str | None
    encoding: str | None


_SUMMARIZER: Any = None
_CONFIG: WorkerConfig | None = None


def _start(config: WorkerConfig) -> None:
    """Worker initializer: one ``Summarizer`` per process, built once."""
    global _SUMMARIZER, _CONFIG
    from ..api import Summarizer

    _CONFIG = config
    _SUMMARIZER = Summarizer(
        backend=config.backend,
        taxonomy=config.taxonomy,
        format=config.format,
        cache_size=0,
        note_language=config.note_language,
    )


def _one(job: Job) -> tuple[int, str, bool]:
    """``(slot, result line, ok)`` for one job; never raises."""
    assert _CONFIG is not None
    try:
        conversation = _parse(job, _CONFIG)
    except HandoffError as exc:
        return job.slot, result_line(job.fallback, exc), False
    try:
        record = _SUMMARIZER.summarize(conversation)
    except Exception as exc:  # one item's failure is that item's line, as in the threaded batch
        return job.slot, result_line(conversation.id, exc), False
    return job.slot, result_line(conversation.id, record), True


def _parse(job: Job, config: WorkerConfig) -> Any:
    from ..parsers import ParserInput, load
    from ..parsers._load import parse_input

    if job.path is not None:
        return load(Path(job.path), config.format, encoding=config.encoding)
    assert job.text is not None
    try:
        value = json.loads(job.text)
    except (json.JSONDecodeError, RecursionError):
        raise ParseError("invalid JSON", format="jsonl", location=f"line {job.number}") from None
    data = ParserInput(value=value, file=job.file, prefix=f"line {job.number}", fallback_id=job.fallback)
    return parse_input(data, config.format)


def _chunk(jobs: list[Job]) -> list[tuple[int, str, bool]]:
    return [_one(job) for job in jobs]


def _chunks(jobs: Iterable[Job], size: int) -> Iterator[list[Job]]:
    batch: list[Job] = []
    for job in jobs:
        batch.append(job)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def run_pool(
    config: WorkerConfig,
    jobs: Iterable[Job],
    workers: int,
    emit: Callable[[int, str, bool], object],
    *,
    chunk: int = CHUNK,
) -> None:
    """Summarize ``jobs`` on ``workers`` processes; ``emit(slot, line, ok)`` per result (completion order)."""
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
    if "forkserver" in methods:
        context.set_forkserver_preload(["handoff_ai.apps.batch_pool", "handoff_ai.api"])
    window = workers * _IN_FLIGHT
    with ProcessPoolExecutor(
        max_workers=workers, mp_context=context, initializer=_start, initargs=(config,)
    ) as pool:
        pending: set[Future[list[tuple[int, str, bool]]]] = set()

        def harvest(room: int) -> None:
            nonlocal pending
            while len(pending) > room:
                done, pending = wait(pending, return_when=FIRST_COMPLETED)
                for future in done:
                    for slot, line, ok in future.result():
                        emit(slot, line, ok)

        for part in _chunks(jobs, chunk):
            harvest(window - 1)
            pending.add(pool.submit(_chunk, part))
        harvest(0)
