"""Speed and memory of ``handoff_ai.summarize`` with the rules backend, with and without prefilters.

1. Throughput on ABCD dev: conversations per second from pre-loaded ``Conversation``
   objects and from raw row dicts (parsing included), with the packaged default
   taxonomy and with the ABCD taxonomy; and on STAR dev (objects, default taxonomy).
2. One synthetic 10,000-message conversation and one 1 MB message: seconds.
3. Memory: ``tracemalloc`` peak while summarizing 1k, 5k, 10k and 20k-message
   conversations, with ratios to show growth is linear.
4. Scale-out: ``handoff batch``, ``handoff audit`` and ``summarize_many(rows, workers=)`` on
   ABCD dev ×4 rows (4,016) with 1 process and with as many as the cores (at least 2);
   ``--scaling`` prints only these (the load average is printed: the machine may be shared).

Each figure is measured twice in one run, in two fresh processes: with the set-matcher
prefilter (``handoff_ai.rules.prefilter``; needs the ``fast`` extra) and without it
(``HANDOFF_AI_PREFILTER=off``), printed side by side. Timings use ``time.perf_counter``,
after a warm-up run, the best (minimum) of ``--repeat`` rounds (default 5). Pin it to one
core for per-core figures: ``taskset -c 0 python bench/speed.py``.

    python bench/speed.py [--data ../shared/data] [--limit N] [--repeat 5] [--no-batch | --scaling]
"""

from __future__ import annotations

import argparse
import gc
import random
import sys
import time
import tracemalloc
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from handoff_ai.api import summarize
from handoff_ai.evaluation import conversation_from_row, read_jsonl
from handoff_ai.evaluation.taxonomies import abcd_taxonomy
from handoff_ai.models import Conversation, Message
from handoff_ai.taxonomy import Taxonomy

REPO = Path(__file__).resolve().parent.parent
SEED = 20240601


def best_of(repeat: int, run: Callable[[], object]) -> float:
    """Seconds of the fastest of ``repeat`` runs, after one warm-up run."""
    run()
    best = float("inf")
    for _ in range(repeat):
        gc.collect()
        start = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - start)
    return best


# -- synthetic conversation --------------------------------------------------------------

_FIRST = ["Sarah", "David", "Maria", "Kenji", "Amina", "Lukas", "Priya", "Tom", "Chloé", "Omar"]
_LAST = ["Brown", "Williams", "García", "Tanaka", "Okafor", "Novak", "Sharma", "Smith", "Dubois", "Haddad"]
_PRODUCTS = ["router", "jacket", "headphones", "subscription", "laptop", "phone case", "coffee maker"]
_CUSTOMER = [
    "Hi, my order {order} still hasn't arrived and it's been {n} days.",
    "I was charged ${amount} twice on {date}, can you check?",
    "My email is {email} and my phone is {phone}.",
    "The {product} shows error {error} every time I turn it on.",
    "AS I SAID BEFORE, I already tried restarting it!!",
    "Can I speak to a human please? This is taking forever.",
    "I contacted you last week about this and nobody answered.",
    "My account id is {account}, the name on it is {name}.",
    "Ok thanks, I'll wait for the refund then.",
    "If this isn't fixed today I'm cancelling my subscription.",
    "The tracking page says delivered but there's nothing at my door.",
    "I moved to {zip}, could you update the address?",
]
_AGENT = [
    "Thanks for waiting, let me look into order {order}.",
    "I can see the charge of ${amount}; I'll raise it with billing.",
    "Could you confirm the email address on the account?",
    "I've restarted the device remotely, please try again.",
    "I'm sorry about the delay, I'm escalating this to our logistics team.",
    "The refund of ${amount} has been issued and should arrive in 5-7 days.",
    "Is there anything else I can help you with today?",
]
_BOT = [
    "I'm the virtual assistant. What can I help you with?",
    "I found order {order}. It is currently in transit.",
    "Sorry, I didn't understand that. Could you rephrase?",
    "Let me transfer you to a human agent.",
]
_SYSTEM = [
    "Account has been pulled up for {name}.",
    "Refund of ${amount} issued for order {order}.",
    "Ticket escalated to tier 2.",
    "Identity verification in progress ...",
]


def synthetic_conversation(n: int, *, seed: int = SEED) -> Conversation:
    """A deterministic ``n``-message conversation mixing customer, bot, agent and system turns."""
    rnd = random.Random(seed)
    start = datetime(2024, 6, 1, 9, 0, tzinfo=timezone.utc)
    messages = []
    for i in range(n):
        name = f"{rnd.choice(_FIRST)} {rnd.choice(_LAST)}"
        slots = {
            "order": f"{rnd.randint(10**9, 10**10 - 1)}",
            "n": rnd.randint(2, 30),
            "amount": f"{rnd.randint(5, 900)}.{rnd.randint(0, 99):02d}",
            "date": f"2024-05-{rnd.randint(1, 28):02d}",
            "email": f"{name.split()[0].lower()}{rnd.randint(1, 99)}@example.com",
            "phone": f"({rnd.randint(200, 999)}) {rnd.randint(200, 999)}-{rnd.randint(1000, 9999)}",
            "product": rnd.choice(_PRODUCTS),
            "error": f"E{rnd.randint(100, 999)}",
            "account": f"{rnd.choice('ABCDEFGH')}{rnd.randint(10**6, 10**7 - 1)}",
            "name": name,
            "zip": f"{rnd.randint(10000, 99999)}",
        }
        role = rnd.choices(["customer", "agent", "bot", "system"], weights=[45, 30, 15, 10])[0]
        pool = {"customer": _CUSTOMER, "agent": _AGENT, "bot": _BOT, "system": _SYSTEM}[role]
        messages.append(
            Message(
                id=f"m{i + 1}",
                role=role,
                kind="event" if role == "system" else "message",
                text=rnd.choice(pool).format(**slots),
                timestamp=start + timedelta(seconds=30 * i),
                channel="chat",
            )
        )
    return Conversation(id=f"synthetic-{n}", messages=messages)


# -- measurements (one process, one prefilter setting) -----------------------------------------


def _throughput(rows: Sequence[dict[str, Any]], taxonomy: Taxonomy, repeat: int) -> tuple[float, float]:
    conversations = [conversation_from_row(row) for row in rows]

    def preloaded() -> None:
        for conversation in conversations:
            summarize(conversation, taxonomy=taxonomy)

    def from_rows() -> None:
        for row in rows:
            summarize(conversation_from_row(row), taxonomy=taxonomy)

    return len(rows) / best_of(repeat, preloaded), len(rows) / best_of(repeat, from_rows)


def one_megabyte_message() -> Conversation:
    """One customer message of about 1 MB (a pasted log), deterministic."""
    rnd = random.Random(SEED)
    words = "my order 12345 never arrived and the app crashes when I open it please help refund".split()
    text = " ".join(rnd.choice(words) for _ in range(170_000))
    return Conversation(id="one-mb", messages=[Message(id="m1", role="customer", text=text)])


def measure(data: Path, limit: int | None, repeat: int) -> dict[str, float]:
    """Every figure of this process's engine, by name."""
    rows = read_jsonl(data / "abcd" / "dev.jsonl", limit=limit)
    default = Taxonomy.default()
    figures: dict[str, float] = {}
    figures["abcd objects"], figures["abcd rows"] = _throughput(rows, default, repeat)
    abcd = abcd_taxonomy(rows, data / "abcd")
    figures["abcd taxonomy objects"], figures["abcd taxonomy rows"] = _throughput(rows, abcd, repeat)
    star = read_jsonl(data / "star" / "dev.jsonl", limit=limit)
    figures["star objects"], _ = _throughput(star, default, max(1, repeat // 2))
    long = synthetic_conversation(10_000)
    figures["10k messages s"] = best_of(repeat, lambda: summarize(long, taxonomy=default))
    big = one_megabyte_message()
    figures["1 MB message s"] = best_of(max(1, repeat // 2), lambda: summarize(big, taxonomy=default))
    summarize(synthetic_conversation(100), taxonomy=default)  # warm caches before tracemalloc
    for n in (1_000, 5_000, 10_000, 20_000):
        conversation = synthetic_conversation(n)
        gc.collect()
        tracemalloc.start()
        summarize(conversation, taxonomy=default)
        figures[f"peak MiB {n}"] = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
    return figures


SCALE_COPIES = 4
"""ABCD dev is repeated this many times (ids made unique) for the scale-out figures: 4,016 rows."""


def _scaled_rows(data: Path, folder: Path) -> Path:
    """ABCD dev ``SCALE_COPIES`` times over, ids suffixed per copy (``handoff batch`` skips repeats)."""
    import json

    lines = (data / "abcd" / "dev.jsonl").read_text(encoding="utf-8").splitlines()
    out = folder / "abcd-x4.jsonl"
    with out.open("w", encoding="utf-8") as handle:
        for copy in range(SCALE_COPIES):
            for line in lines:
                row = json.loads(line)
                row["id"] = f"{row['id']}-{copy}"
                handle.write(json.dumps(row) + "\n")
    return out


def _many_seconds(rows_path: Path, workers: int) -> float:
    """Seconds of ``summarize_many`` over the rows (dicts, parsed in the workers), pool start included."""
    from handoff_ai.batch import summarize_many

    rows = read_jsonl(rows_path)
    start = time.perf_counter()
    results = summarize_many(rows, workers=workers)
    seconds = time.perf_counter() - start
    assert not any(isinstance(r, Exception) for r in results)
    return seconds


def _cpu_start(config: object) -> Any:
    from handoff_ai.api import Summarizer

    return Summarizer(cache_size=0)


def _cpu_task(summarizer: Any, row: dict[str, Any]) -> tuple[str, float]:
    """What a ``summarize_many`` worker does for a row, with the CPU seconds it took."""
    start = time.process_time()
    text = summarizer.summarize(row).model_dump_json()
    return text, time.process_time() - start


def _audit_task(state: Any, job: Any) -> tuple[Any, float]:
    """What a ``handoff audit --workers`` worker does for a line, with the CPU seconds it took."""
    from handoff_ai.apps.audit_pool import _one

    start = time.process_time()
    result = _one(state, job)
    return result, time.process_time() - start


def _bound(alone: float, parent: float, work: float, workers: int) -> float:
    return alone / max((parent + work) / workers, parent, work / workers)


def _cpu_split(rows_path: Path, workers: int) -> dict[str, float]:
    """CPU ms per conversation of ``summarize_many`` and of ``handoff audit``'s loop: in one
    process, and with ``workers`` (the parent's share: sending rows or lines, rebuilding
    records or audits; the workers' share). CPU time, so other sessions' load matters
    little; ``bound`` is the speed-up on idle cores."""
    import json
    from dataclasses import replace

    from handoff_ai.apps.audit_pool import AuditConfig
    from handoff_ai.apps.audit_pool import _start as audit_start
    from handoff_ai.apps.batch_io import raw_items
    from handoff_ai.audit import AuditReport, ConversationAudit
    from handoff_ai.batch.processes import process_map
    from handoff_ai.models import HandoffRecord

    figures: dict[str, float] = {}
    rows = read_jsonl(rows_path)
    one = _cpu_start(None)
    start = time.process_time()
    for row in rows:
        HandoffRecord.model_validate_json(_cpu_task(one, row)[0])
    alone = (time.process_time() - start) * 1000 / len(rows)
    parent, work = time.process_time(), 0.0
    for text, cpu in process_map(_cpu_task, rows, workers=workers, start=_cpu_start, config=None):
        HandoffRecord.model_validate_json(text)
        work += cpu
    parent_ms, work_ms = (time.process_time() - parent) * 1000 / len(rows), work * 1000 / len(rows)
    figures.update({"many one ms": alone, "many parent ms": parent_ms, "many workers ms": work_ms})
    figures["many bound"] = _bound(alone, parent_ms, work_ms, workers)

    config = AuditConfig(taxonomy=None, format="auto", excerpts=True)
    jobs = [replace(job, slot=n) for n, (_, job) in enumerate(raw_items(rows_path))]
    state = audit_start(config)

    def add(report: AuditReport, entry: str, shown: str | None) -> None:
        audited = ConversationAudit.model_validate_json(entry)
        excerpts = json.loads(shown) if shown else {}
        report.add(audited, excerpts=lambda: excerpts)
        audited.model_dump_json()  # the --jsonl line

    report, start = AuditReport(keep_all=False), time.process_time()
    for job in jobs:
        _, _, entry, shown = _audit_task(state, job)[0]
        add(report, entry, shown)
    alone = (time.process_time() - start) * 1000 / len(jobs)
    report, parent, work = AuditReport(keep_all=False), time.process_time(), 0.0
    for (_, _, entry, shown), cpu in process_map(
        _audit_task, jobs, workers=workers, start=audit_start, config=config
    ):
        add(report, entry, shown)
        work += cpu
    parent_ms, work_ms = (time.process_time() - parent) * 1000 / len(jobs), work * 1000 / len(jobs)
    figures.update({"audit one ms": alone, "audit parent ms": parent_ms, "audit workers ms": work_ms})
    figures["audit bound"] = _bound(alone, parent_ms, work_ms, workers)
    return figures


def scaling(data: Path, workers: int, env: dict[str, str], rounds: int = 3) -> dict[str, float]:
    """Conversations/s of ``handoff batch``, ``handoff audit`` and ``summarize_many`` on ABCD dev
    ×4 rows with 1 process and with ``workers``: best of ``rounds`` fresh processes each
    (interpreter start and the pool's start included). The rounds alternate 1 process and
    ``workers`` processes, so a slow spell of a shared host falls on both sides of the ratio."""
    import json
    import subprocess
    import tempfile

    figures: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as folder:
        source = _scaled_rows(data, Path(folder))
        rows = sum(1 for _ in source.open(encoding="utf-8"))
        cli = [sys.executable, "-m", "handoff_ai"]
        commands = {
            "batch": lambda out: [*cli, "batch", str(source), "--out", str(out), "-q"],
            "audit": lambda out: [*cli, "audit", str(source), "--jsonl", str(out), "-q"],
        }
        best: dict[str, float] = {}
        for round_ in range(rounds):
            for count in (1, workers):
                for name, command in commands.items():
                    out = Path(folder) / f"{name}-{count}-{round_}.jsonl"
                    start = time.perf_counter()
                    subprocess.run([*command(out), "--workers", str(count)], check=True, env=env)
                    key = f"{name} {count} conv/s"
                    best[key] = min(best.get(key, float("inf")), time.perf_counter() - start)
                child = [sys.executable, __file__, "--many", str(count), "--rows", str(source)]
                done = subprocess.run(child, check=True, env=env, capture_output=True, text=True)
                seconds = json.loads(done.stdout)
                key = f"summarize_many {count} conv/s"
                best[key] = min(best.get(key, float("inf")), seconds)
        figures.update({key: rows / seconds for key, seconds in best.items()})
        child = [sys.executable, __file__, "--cpu", str(workers), "--rows", str(source)]
        cpu = json.loads(subprocess.run(child, check=True, env=env, capture_output=True, text=True).stdout)
        figures.update({f"cpu {key}": value for key, value in cpu.items()})
    return figures


def _load() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "n/a"


def _scaling_table(console: Console, figures: dict[str, float], workers: int) -> None:
    table = Table(title=f"Scale-out on {workers} processes, ABCD dev ×{SCALE_COPIES} rows (conv/s)")
    for column in ("run", "1 process", f"{workers} processes", "speed-up"):
        table.add_column(column, justify="left" if column == "run" else "right")
    for name, label in (
        ("batch", "handoff batch --workers"),
        ("audit", "handoff audit --workers"),
        ("summarize_many", "summarize_many(rows, workers=)"),
    ):
        one, many = figures[f"{name} 1 conv/s"], figures[f"{name} {workers} conv/s"]
        table.add_row(label, f"{one:,.0f}", f"{many:,.0f}", f"{many / one:.2f}×")
    console.print(table)
    for name, key, what in (("summarize_many", "many", "rows, records"), ("audit", "audit", "lines, audits")):
        console.print(
            f"{name} CPU per conversation: {figures[f'cpu {key} one ms']:.2f} ms in one process; "
            f"with {workers} workers {figures[f'cpu {key} parent ms']:.2f} ms in the parent ({what}) + "
            f"{figures[f'cpu {key} workers ms']:.2f} ms in the workers: at most "
            f"{figures[f'cpu {key} bound']:.2f}× on {workers} idle cores."
        )
    try:
        autogroup = Path("/proc/sys/kernel/sched_autogroup_enabled").read_text().strip() == "1"
    except OSError:
        autogroup = False
    if autogroup:
        console.print(
            "sched_autogroup is on: while other sessions are busy, this session's processes share one "
            "fair slice of the CPU, so the wall-clock speed-ups above are a floor."
        )


# -- the side-by-side run ---------------------------------------------------------------------


_ROWS = (
    ("abcd objects", "ABCD dev, default taxonomy, Conversation objects (conv/s)", "{:,.0f}"),
    ("abcd rows", "ABCD dev, default taxonomy, row dicts with load (conv/s)", "{:,.0f}"),
    ("abcd taxonomy objects", "ABCD dev, ABCD taxonomy, objects (conv/s)", "{:,.0f}"),
    ("abcd taxonomy rows", "ABCD dev, ABCD taxonomy, rows (conv/s)", "{:,.0f}"),
    ("star objects", "STAR dev, default taxonomy, objects (conv/s)", "{:,.0f}"),
    ("10k messages s", "one 10,000-message conversation (s)", "{:.3f}"),
    ("1 MB message s", "one 1 MB message (s)", "{:.3f}"),
    ("peak MiB 1000", "peak memory, 1k messages (MiB)", "{:.1f}"),
    ("peak MiB 5000", "peak memory, 5k messages (MiB)", "{:.1f}"),
    ("peak MiB 10000", "peak memory, 10k messages (MiB)", "{:.1f}"),
    ("peak MiB 20000", "peak memory, 20k messages (MiB)", "{:.1f}"),
)


def _child(args: argparse.Namespace, prefilter: str) -> dict[str, float]:
    import json
    import os
    import subprocess

    env = {**os.environ, "HANDOFF_AI_PREFILTER": prefilter}
    command = [sys.executable, __file__, "--measure", "--data", str(args.data), "--repeat", str(args.repeat)]
    if args.limit:
        command += ["--limit", str(args.limit)]
    done = subprocess.run(command, check=True, env=env, capture_output=True, text=True)
    figures: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    if not args.no_batch:
        figures.update(scaling(args.data, _workers(), env))
    return figures


def _workers() -> int:
    import os

    return max(2, os.cpu_count() or 2)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data", help="data directory")
    parser.add_argument("--limit", type=int, default=None, help="use at most N rows per data set")
    parser.add_argument("--repeat", type=int, default=5, help="timed rounds per figure (the minimum is kept)")
    parser.add_argument("--no-batch", action="store_true", help="skip the scale-out figures")
    parser.add_argument(
        "--scaling", action="store_true", help="only the scale-out figures, with the default prefilter"
    )
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)  # one child run: JSON out
    parser.add_argument("--many", type=int, default=0, help=argparse.SUPPRESS)  # one summarize_many run
    parser.add_argument("--cpu", type=int, default=0, help=argparse.SUPPRESS)  # CPU split, N workers
    parser.add_argument("--rows", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.many:
        import json

        print(json.dumps(_many_seconds(args.rows, args.many)))
        return 0
    if args.cpu:
        import json

        print(json.dumps(_cpu_split(args.rows, args.cpu)))
        return 0
    if not (args.data / "abcd" / "dev.jsonl").exists():
        print(f"missing {args.data / 'abcd' / 'dev.jsonl'} (use --data)", file=sys.stderr)
        return 2
    if args.measure:
        import json

        print(json.dumps(measure(args.data, args.limit, args.repeat)))
        return 0

    from handoff_ai.rules.prefilter import prefilter_available

    engine = prefilter_available()
    console = Console(width=130)
    console.print(f"Python {sys.version.split()[0]}; prefilter engine: {engine or 'none installed'}")
    console.print(f"load average (1, 5, 15 min) before: {_load()}")
    if args.scaling:
        import os

        figures = scaling(args.data, _workers(), {**os.environ})
        _scaling_table(console, figures, _workers())
        console.print(f"load average after: {_load()}")
        return 0
    with_set = _child(args, engine or "off")
    without = _child(args, "off")
    table = Table(title=f"Rules engine, best of {args.repeat} rounds, one process unless said")
    for column in ("figure", f"with prefilter ({engine or 'none'})", "without prefilter", "ratio"):
        table.add_column(column, justify="left" if column == "figure" else "right")
    rows = list(_ROWS)
    rows += [
        (key, f"{key.split()[0]}, ABCD ×{SCALE_COPIES} rows, {key.split()[1]} proc. (conv/s)", "{:,.0f}")
        for key in with_set
        if key.endswith(" conv/s")
    ]
    for key, label, fmt in rows:
        a, b = with_set[key], without[key]
        ratio = (a / b) if not key.endswith((" s",)) and not key.startswith("peak") else (b / a if a else 0.0)
        table.add_row(label, fmt.format(a), fmt.format(b), f"{ratio:.2f}×")
    console.print(table)
    console.print("ratio: how many times better with the prefilter (speed up, time or memory down).")
    if not args.no_batch:
        _scaling_table(console, with_set, _workers())
    console.print(f"load average after: {_load()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
