"""Many conversations at once: ``summarize_many`` and ``asummarize_many``.

A back-fill of thousands of past conversations must not stop at the first bad
one, must not hold them all in memory, and must not flood a model endpoint.
So both functions:

- return one slot per input, **in input order**: a ``HandoffRecord``, or the
  exception that item raised (any ``Exception``; the batch never aborts on one);
- pull from ``sources`` lazily — a generator such as ``load_many(path)`` is read
  only as far as the concurrency window needs;
- keep at most ``concurrency`` items in flight (threads, for a model backend), or
  with ``workers`` > 1 run on that many processes (the CPU-bound rules engine), a
  few chunks per process in flight.

Caller mistakes that would fail every item (unknown backend or taxonomy, an async
backend given to the sync function, ``concurrency < 1``) raise ``UsageError``
before anything runs. If the ``sources`` iterator itself raises (``load_many``
reaching a line that is not JSON), that error fills the next slot and the batch
ends there, since a generator cannot go on after raising; the items already
pulled still finish. Exceptions are returned as they were raised; handoff_ai's
own never quote transcript text, and nothing here logs more than an index and
an exception type.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from typing import Any

from ..api import BackendLike, Summarizer, TaxonomyLike
from ..backends import AsyncBackend, RulesBackend
from ..exceptions import UsageError
from ..models import Conversation, HandoffRecord
from .items import OnResult, _Failed, _failed, _one, _pull

__all__ = ["asummarize_many", "summarize_many"]


def _check(sources: Iterable[Any], concurrency: int) -> None:
    if isinstance(sources, (str, bytes, bytearray, memoryview, os.PathLike, dict, Conversation)):
        raise UsageError(
            f"sources must be an iterable of conversations, not one {type(sources).__name__}: "
            "use summarize() for one, or load_many(path) for a JSON Lines file"
        )
    if not isinstance(sources, Iterable):
        raise UsageError(f"sources must be an iterable, not {type(sources).__name__}")
    if isinstance(concurrency, bool) or not isinstance(concurrency, int) or concurrency < 1:
        raise UsageError(f"concurrency must be a positive integer, not {concurrency!r}")


async def _aone(summarizer: Summarizer, source: Any) -> HandoffRecord | Exception:
    if isinstance(source, _Failed):
        return source.error
    try:
        return await summarizer.asummarize(source)
    except Exception as exc:
        return exc


def _run_many(summarizer: Summarizer, sources: Iterable[Any], concurrency: int, emit: OnResult) -> None:
    """Summarize ``sources`` calling ``emit(index, result)`` per item; the engine of ``summarize_many``.

    Threads only help while a backend waits on I/O. The rules backend is pure
    Python and CPU-bound, so under the GIL a thread pool would only add
    switching and queueing overhead: it runs in the calling thread whatever
    ``concurrency`` says, as does ``concurrency=1``.
    """
    if isinstance(summarizer.backend, AsyncBackend):
        raise UsageError("this backend is async: use asummarize_many()")
    if concurrency == 1 or isinstance(summarizer.backend, RulesBackend):
        for index, (source, error) in enumerate(_pull(sources)):
            result = error if error is not None else _one(summarizer, source)
            emit(index, _failed(index, result) if isinstance(result, Exception) else result)
        return
    with ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="handoff-batch") as pool:
        pending: dict[Future[HandoffRecord | Exception], int] = {}

        def harvest(room: int) -> None:
            while len(pending) > room:
                done, _ = wait(pending, return_when=FIRST_COMPLETED)
                for future in sorted(done, key=pending.__getitem__):
                    index = pending.pop(future)
                    result = future.result()
                    emit(index, _failed(index, result) if isinstance(result, Exception) else result)

        items = enumerate(_pull(sources))
        try:
            while True:
                harvest(concurrency - 1)  # make room before pulling: read no further than the window
                pulled = next(items, None)
                if pulled is None:
                    break
                index, (source, error) = pulled
                if error is not None:
                    harvest(0)  # the iterator's error comes last
                    emit(index, _failed(index, error))
                    break
                pending[pool.submit(_one, summarizer, source)] = index
            harvest(0)
        except BaseException:  # KeyboardInterrupt, or emit raised: drop what has not started
            for future in pending:
                future.cancel()
            raise


async def _arun_many(
    summarizer: Summarizer, sources: Iterable[Any], concurrency: int, emit: OnResult
) -> None:
    """Async engine of ``asummarize_many``: a window of at most ``concurrency`` tasks.

    The window plays the semaphore's part around ``Summarizer.asummarize`` but
    also bounds how far ``sources`` is read: the next source is pulled only when
    a slot is free, so a task is never created per item up front. ``emit`` runs
    here, in the calling coroutine, so an exception it raises propagates as is;
    on any exception or cancellation the tasks in flight are cancelled.
    """
    pending: dict[asyncio.Task[HandoffRecord | Exception], int] = {}

    async def harvest(room: int) -> None:
        while len(pending) > room:
            done, _ = await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
            for task in sorted(done, key=pending.__getitem__):
                index = pending.pop(task)
                result = task.result()
                emit(index, _failed(index, result) if isinstance(result, Exception) else result)

    items = enumerate(_pull(sources))
    try:
        while True:
            await harvest(concurrency - 1)  # make room before pulling: read no further than the window
            pulled = next(items, None)
            if pulled is None:
                break
            index, (source, error) = pulled
            if error is not None:
                await harvest(0)
                emit(index, _failed(index, error))
                break
            pending[asyncio.ensure_future(_aone(summarizer, source))] = index
        await harvest(0)
    except BaseException:
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)
        raise


def _collector(on_result: OnResult | None) -> tuple[dict[int, HandoffRecord | Exception], OnResult]:
    results: dict[int, HandoffRecord | Exception] = {}

    def emit(index: int, result: HandoffRecord | Exception) -> None:
        results[index] = result
        if on_result is not None:
            on_result(index, result)

    return results, emit


def summarize_many(
    sources: Iterable[Any],
    *,
    backend: BackendLike = None,
    taxonomy: TaxonomyLike = None,
    format: str = "auto",
    concurrency: int = 1,
    workers: int = 1,
    on_result: OnResult | None = None,
) -> list[HandoffRecord | Exception]:
    """Summarize many conversations; one slot per input, in input order.

    Args:
        sources: any iterable of what ``summarize`` accepts (``Conversation``
            objects, paths, dicts, text...), e.g. ``load_many("dev.jsonl")``;
            read lazily.
        backend: backend instance or name; default: the offline rules backend.
            Must be synchronous (use :func:`asummarize_many` for an ``AsyncBackend``).
        taxonomy: intents and teams (``Taxonomy``, path or dict); default: packaged.
        format: input format of sources that are not ``Conversation`` objects.
        concurrency: how many conversations may be in flight. Above 1, a thread
            pool of that size runs a model backend (I/O-bound, so threads
            overlap its waiting). The rules backend always runs in the calling
            thread: it is CPU-bound Python, which threads cannot speed up
            under the GIL.
        workers: processes (default 1: the calling process). Above 1, each
            process builds its own ``Summarizer`` and the sources go out in chunks
            (a few per process in flight), records come back as JSON text: the same
            records as one process, in input order, on every core. The backend
            must be a name (``None``/``"rules"``...) or a ``RulesBackend``; call it
            from under ``if __name__ == "__main__":`` in a script (the processes
            import the main module). Pass paths or row dicts rather than parsed
            ``Conversation`` objects to parse in the workers too.
        on_result: ``on_result(index, result)``, called in the calling thread as
            each item finishes (completion order, which may differ from input
            order); e.g. to drive a progress bar. An exception it raises stops
            the batch and propagates.

    Returns:
        For each input, its ``HandoffRecord`` or the ``Exception`` it raised.

    Raises:
        UsageError: bad arguments (unknown backend, invalid taxonomy, an async
            backend, ``concurrency < 1``, a single source instead of an iterable,
            ``workers`` > 1 with ``concurrency`` > 1 or with a model backend instance).
    """
    _check(sources, concurrency)
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise UsageError(f"workers must be a positive integer, not {workers!r}")
    if workers > 1 and concurrency > 1:
        raise UsageError("use workers (processes, CPU-bound rules) or concurrency (threads), not both")
    summarizer = Summarizer(
        backend=backend, taxonomy=taxonomy, format=format, cache_size=0
    )  # no transcripts kept
    results, emit = _collector(on_result)
    if workers > 1:
        from .processes import run_processes, setup

        run_processes(summarizer, setup(summarizer, backend, format), sources, workers, emit)
    else:
        _run_many(summarizer, sources, concurrency, emit)
    return [results[index] for index in range(len(results))]


async def asummarize_many(
    sources: Iterable[Any],
    *,
    backend: BackendLike = None,
    taxonomy: TaxonomyLike = None,
    format: str = "auto",
    concurrency: int = 1,
    on_result: OnResult | None = None,
) -> list[HandoffRecord | Exception]:
    """Async twin of :func:`summarize_many`: at most ``concurrency`` ``asummarize`` calls at once.

    Any backend works. An ``AsyncBackend`` is awaited directly; the rules
    backend runs inline (CPU-bound, no thread hop); another sync backend runs
    in asyncio's default thread pool, whose size also caps its concurrency.
    ``on_result`` is called on the event loop as each item finishes. Cancelling
    the call cancels the items in flight.

    Raises:
        UsageError: as :func:`summarize_many` (an async backend is fine here).
    """
    _check(sources, concurrency)
    summarizer = Summarizer(
        backend=backend, taxonomy=taxonomy, format=format, cache_size=0
    )  # no transcripts kept
    results, emit = _collector(on_result)
    await _arun_many(summarizer, sources, concurrency, emit)
    return [results[index] for index in range(len(results))]
