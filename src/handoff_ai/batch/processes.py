"""``summarize_many(workers=N)`` and the process pool behind it, ``handoff batch`` and ``handoff audit``.

The rules engine is pure Python, so threads share one core; processes use them all.
What crosses a process boundary is what is cheapest to move (measured on ABCD dev,
per conversation): a parsed ``Conversation`` goes pickled (~260 µs there and back,
against ~400 µs for ``model_dump_json`` + ``model_validate_json``); paths, raw lines
and row dicts go as they are, so a worker parses them; a record comes back as JSON
text (~70 µs against ~155 µs pickled).
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
import sys
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any, TypeVar

from ..api import BackendLike, Summarizer
from ..backends import AsyncBackend, RulesBackend
from ..exceptions import HandoffError, UsageError
from ..models import Conversation, HandoffRecord
from ..taxonomy import Taxonomy
from .items import OnResult, _failed, _one, _pull

__all__ = ["process_map", "run_processes", "setup"]

_Job = TypeVar("_Job")
_Result = TypeVar("_Result")
_STATE: Any = None
"""A worker process's own state (its ``Summarizer``...), built once by ``process_map``'s ``start``."""
_INHERITED: tuple[Callable[[Any], Any], Any, Any] | None = None
"""``(start, config, state)`` the parent built and warmed before forking its workers."""


def _start_worker(start: Callable[[Any], Any], config: Any) -> None:
    global _STATE
    inherited = _INHERITED
    if inherited is not None and inherited[0] is start and inherited[1] is config:
        _STATE = inherited[2]  # a fork of the parent: its state is already built and warm
    else:
        _STATE = start(config)


def _chunk_of(task: Callable[[Any, Any], Any], jobs: list[Any]) -> list[Any]:
    return [task(_STATE, job) for job in jobs]


def _chunks(jobs: Iterable[_Job], size: int) -> Iterator[list[_Job]]:
    part: list[_Job] = []
    for job in jobs:
        part.append(job)
        if len(part) == size:
            yield part
            part = []
    if part:
        yield part


def process_map(
    task: Callable[[Any, _Job], _Result],
    jobs: Iterable[_Job],
    *,
    workers: int,
    start: Callable[[Any], Any],
    config: Any,
    chunk: int = 32,
    in_flight: int = 4,
) -> Iterator[_Result]:
    """``task(state, job)`` for every job on ``workers`` processes; results in input order.

    Shared by ``summarize_many``, ``handoff batch`` and ``handoff audit``. ``start(config)``
    builds each process's ``state`` once; ``task`` and ``start`` are module-level functions
    (sent by name), so what crosses per job is the job and its result: keep both plain
    (raw lines, paths, JSON text). Jobs go out in chunks of ``chunk`` and at most
    ``in_flight`` chunks per worker are queued or running, so ``jobs`` is read only that
    far ahead and memory stays bounded. Workers are forks of this process when that is safe
    (see ``start_method``), else come from a fork server that imported handoff_ai once.
    """
    global _INHERITED
    method = start_method()
    context = multiprocessing.get_context(method)
    if method == "forkserver":  # only the first pool of a process starts the server
        context.set_forkserver_preload(sorted({"handoff_ai.api", start.__module__, task.__module__}))
    jobs = iter(jobs)
    if method == "fork":
        # Build the state here and do the first job with it: the lazy work of a first call
        # (regexes compiled on first use, routes, prefilter sets) is then done once, and every
        # worker forks with it done instead of repeating it (~0.25 s a worker on ABCD).
        state = start(config)
        for first in jobs:
            yield task(state, first)
            break
        _INHERITED = (start, config, state)
    pool = ProcessPoolExecutor(
        max_workers=workers, mp_context=context, initializer=_start_worker, initargs=(start, config)
    )
    pending: deque[Future[list[_Result]]] = deque()
    try:
        for part in _chunks(jobs, chunk):
            if len(pending) >= workers * in_flight:
                yield from pending.popleft().result()
            pending.append(pool.submit(_chunk_of, task, part))
        while pending:
            yield from pending.popleft().result()
    except BrokenProcessPool as exc:
        raise HandoffError(
            "a worker process stopped: killed (out of memory?), or a script that starts this work "
            "when imported: call it under if __name__ == '__main__': (workers import the main module)"
        ) from exc
    finally:  # an error, or the caller stopped reading: drop what has not started
        pool.shutdown(wait=True, cancel_futures=True)
        _INHERITED = None


def start_method() -> str:
    """``fork`` on Linux while this process runs one thread, else ``forkserver`` (or ``spawn``).

    A fork starts a worker with handoff_ai already imported: a fork server has to import it
    first (~0.5 s before the first worker starts, a tenth of a 4,000-row batch on 2 cores).
    Forking while another thread runs can copy a lock that thread holds, so then the fork
    server is used; macOS forks are unsafe with system frameworks, so only Linux forks.
    (``ProcessPoolExecutor`` starts every forked worker before its own manager thread.)
    ``HANDOFF_AI_START_METHOD`` (``fork``, ``forkserver``, ``spawn``) overrides the choice.
    """
    methods = multiprocessing.get_all_start_methods()
    chosen = os.environ.get("HANDOFF_AI_START_METHOD", "").strip()
    if chosen:  # a deployment's own choice
        if chosen not in methods:
            raise UsageError(f"HANDOFF_AI_START_METHOD={chosen!r}: this platform offers {methods}")
        return chosen
    if sys.platform == "linux" and "fork" in methods and threading.active_count() == 1:
        return "fork"
    return "forkserver" if "forkserver" in methods else "spawn"


@dataclass(frozen=True)
class _Setup:
    """What each process builds its ``Summarizer`` from: a backend name (or a ``RulesBackend``,
    sent once), a taxonomy as a plain dict (``None``: the packaged one), the input format."""

    backend: str | RulesBackend | None
    taxonomy: dict[str, Any] | None
    format: str


def setup(summarizer: Summarizer, backend: BackendLike, format: str) -> _Setup:
    """What the workers need, checked here: a bad backend fails before any process starts."""
    if isinstance(summarizer.backend, AsyncBackend):
        raise UsageError("this backend is async: use asummarize_many()")
    if not (backend is None or isinstance(backend, (str, RulesBackend))):
        raise UsageError(
            f"workers > 1 runs the backend in other processes, which cannot share a "
            f"{type(backend).__name__} instance: give the backend by name, or use concurrency= "
            "(threads) for a model backend"
        )
    taxonomy = summarizer.taxonomy
    plain = None if taxonomy is Taxonomy.default() else taxonomy.model_dump(mode="json")
    return _Setup(backend, plain, format)


def _worker_summarizer(setup: _Setup) -> Summarizer:
    return Summarizer(backend=setup.backend, taxonomy=setup.taxonomy, format=setup.format, cache_size=0)


class _Local:
    """A source summarized in the parent (it cannot be pickled): its slot goes round empty."""

    __slots__ = ()


_PLAIN = (Conversation, str, bytes, PurePath, dict, list, tuple)
"""Sources sent as they are. A ``Conversation`` crosses pickled: measured cheaper than
``model_dump_json`` + ``model_validate_json`` (~260 vs ~400 µs on ABCD); records come
back as JSON text (~70 vs ~155 µs pickled)."""


def _summarize_text(summarizer: Summarizer, source: Any) -> str | Exception | _Local:
    """The record as JSON text, or the item's exception (one that pickles)."""
    if isinstance(source, _Local):
        return source
    try:
        return summarizer.summarize(source).model_dump_json()
    except Exception as exc:
        try:
            pickle.loads(pickle.dumps(exc))
        except Exception:  # another library's exception that cannot cross back
            return HandoffError(f"unexpected {type(exc).__name__} in a worker process")
        return exc


def run_processes(
    summarizer: Summarizer, setup: _Setup, sources: Iterable[Any], workers: int, emit: OnResult
) -> None:
    """``summarize_many(workers=N)``: sources out to processes, JSON records back, in order."""
    local: dict[int, HandoffRecord | Exception] = {}
    stopped: list[Exception] = []

    def jobs() -> Iterator[Any]:
        for index, (source, error) in enumerate(_pull(sources)):
            if error is not None:
                stopped.append(error)  # fills the next slot after the rest
                return
            if not isinstance(source, _PLAIN):
                try:
                    pickle.dumps(source)
                except Exception:
                    local[index] = _one(summarizer, source)
                    source = _Local()
            yield source

    count = 0
    for index, result in enumerate(
        process_map(_summarize_text, jobs(), workers=workers, start=_worker_summarizer, config=setup)
    ):
        count += 1
        if isinstance(result, _Local):
            kept = local.pop(index)  # done in this process: a record or its error
            emit(index, kept if isinstance(kept, HandoffRecord) else _failed(index, kept))
        elif isinstance(result, str):
            emit(index, HandoffRecord.model_validate_json(result))
        else:
            emit(index, _failed(index, result))
    if stopped:
        emit(count, _failed(count, stopped[0]))
