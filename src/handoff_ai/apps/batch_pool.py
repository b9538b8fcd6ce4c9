"""``handoff batch --workers N``: the same results file, written by N processes.

The rules engine is pure Python, so threads share one core; processes use them all.
What crosses a process boundary is what is cheapest to move: the parent reads the
input and sends **raw JSONL lines or file paths**, a worker parses, summarizes and
renders the result line, and the parent writes **JSON text** as it arrives, in input
order (pickling conversations or records both ways would cost more than the work).
The pool itself (chunks, a bounded window, the fork server) is
:func:`handoff_ai.batch.processes.process_map`, shared with ``summarize_many`` and
``handoff audit``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from ..api import Summarizer
from ..batch.processes import process_map
from ..exceptions import HandoffError
from .batch_io import Job, parse_job, result_line

__all__ = ["WorkerConfig", "run_pool"]


@dataclass(frozen=True)
class WorkerConfig:
    """What every worker builds its ``Summarizer`` from (picklable: names and paths, not objects)."""

    backend: str | None
    taxonomy: str | None
    format: str
    note_language: str | None
    encoding: str | None


def _start(config: WorkerConfig) -> tuple[WorkerConfig, Summarizer]:
    """Worker state: one ``Summarizer`` per process, built once."""
    summarizer = Summarizer(
        backend=config.backend,
        taxonomy=config.taxonomy,
        format=config.format,
        cache_size=0,
        note_language=config.note_language,
    )
    return config, summarizer


def _one(state: tuple[WorkerConfig, Summarizer], job: Job) -> tuple[int, str, bool]:
    """``(slot, result line, ok)`` for one job; never raises."""
    config, summarizer = state
    try:
        conversation = parse_job(job, config.format, config.encoding)
    except HandoffError as exc:
        return job.slot, result_line(job.fallback, exc), False
    try:
        record = summarizer.summarize(conversation)
    except Exception as exc:  # one item's failure is that item's line, as in the threaded batch
        return job.slot, result_line(conversation.id, exc), False
    return job.slot, result_line(conversation.id, record), True


def run_pool(
    config: WorkerConfig,
    jobs: Iterable[Job],
    workers: int,
    emit: Callable[[int, str, bool], object],
) -> None:
    """Summarize ``jobs`` on ``workers`` processes; ``emit(slot, line, ok)`` per result, in input order."""
    for slot, line, ok in process_map(_one, jobs, workers=workers, start=_start, config=config):
        emit(slot, line, ok)
