"""Batch figures: ``asummarize_many`` against a slow fake model, and the rules backend's batch overhead.

1. ``asummarize_many`` on 1,000 conversations (ABCD dev rows, or synthetic ones if
   the data is absent) against a fake async backend that sleeps 50 ms per call,
   concurrency 32. Target: < 3 s (the floor is ceil(1000 / 32) x 50 ms = 1.6 s).
2. Rules backend: ``summarize_many`` throughput vs a loop of single ``summarize``
   calls, on the same ABCD conversations (all 1,004 dev rows), pre-loaded so both
   time extraction alone. Target: batch >= 90% of single-call throughput.

Timings use ``time.perf_counter``, after a warm-up run, best of ``--repeat``. The
single-call and batch runs alternate within each round, so background load on a shared
machine hits both alike.

    python bench/batch.py [--data ../shared/data] [--repeat 5]
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import time
from collections.abc import Callable
from pathlib import Path

from handoff_ai import AsyncBackend, Conversation, HandoffRecord, Message, load_many
from handoff_ai.api import summarize
from handoff_ai.batch import asummarize_many, summarize_many
from handoff_ai.taxonomy import Taxonomy

REPO = Path(__file__).resolve().parent.parent
LATENCY = 0.05
CONCURRENCY = 32


class FakeModel(AsyncBackend):
    """Answers every conversation after ``latency`` seconds, like a remote model would."""

    name = "fake-model"

    def __init__(self, latency: float) -> None:
        self.latency = latency

    async def aextract(self, conversation: Conversation, taxonomy: Taxonomy) -> HandoffRecord:
        await asyncio.sleep(self.latency)
        return HandoffRecord(conversation_id=conversation.id, message_count=len(conversation.messages))


def synthetic(n: int) -> list[Conversation]:
    return [
        Conversation(
            id=f"synthetic-{i}",
            messages=[
                Message(id="m1", role="customer", text=f"My order {10000 + i} never arrived."),
                Message(id="m2", role="agent", text="Sorry about that, let me check the tracking."),
            ],
        )
        for i in range(n)
    ]


def best_of(repeat: int, *runs: Callable[[], object]) -> list[float]:
    """Fastest seconds of each run over ``repeat`` rounds; the runs alternate within a round."""
    for run in runs:
        run()
    best = [float("inf")] * len(runs)
    for _ in range(repeat):
        for position, run in enumerate(runs):
            gc.collect()
            start = time.perf_counter()
            run()
            best[position] = min(best[position], time.perf_counter() - start)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    path = args.data / "abcd" / "dev.jsonl"
    if path.is_file():
        conversations = list(load_many(path))
        source = f"ABCD dev ({path})"
    else:
        conversations = synthetic(1004)
        source = f"synthetic ({path} not found)"
    print(f"data: {len(conversations)} conversations, {source}\n")

    # 1. asummarize_many against a 50 ms fake model
    thousand = conversations[:1000]
    backend = FakeModel(LATENCY)

    def run_async() -> list[HandoffRecord | Exception]:
        return asyncio.run(asummarize_many(thousand, backend=backend, concurrency=CONCURRENCY))

    results = run_async()
    failures = sum(isinstance(r, Exception) for r in results)
    (seconds,) = best_of(args.repeat, run_async)
    floor = -(-len(thousand) // CONCURRENCY) * LATENCY
    verdict = "PASS" if seconds < 3.0 and not failures else "FAIL"
    print(
        f"asummarize_many: {len(thousand)} conversations, fake backend {LATENCY * 1000:.0f} ms, "
        f"concurrency {CONCURRENCY}: {seconds:.2f} s (floor {floor:.2f} s; target < 3 s) "
        f"{failures} failed  {verdict}"
    )

    # 2. rules backend: batch vs single calls, extraction only
    single, batch = best_of(
        args.repeat, lambda: [summarize(c) for c in conversations], lambda: summarize_many(conversations)
    )
    single_rate, batch_rate = len(conversations) / single, len(conversations) / batch
    ratio = batch_rate / single_rate
    verdict = "PASS" if ratio >= 0.9 else "FAIL"
    print(
        f"rules backend, {len(conversations)} conversations: single calls {single_rate:,.0f} conv/s, "
        f"summarize_many {batch_rate:,.0f} conv/s = {ratio:.1%} of single-call (target >= 90%)  {verdict}"
    )


if __name__ == "__main__":
    main()
