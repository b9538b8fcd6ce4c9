"""Speed and memory of ``handoff_ai.summarize`` with the rules backend (single process).

1. Throughput on ABCD dev: conversations per second from pre-loaded
   ``Conversation`` objects, and from raw row dicts (parsing included), with the
   packaged default taxonomy and with the ABCD taxonomy.
2. One synthetic 10,000-message conversation (varied, realistic messages built
   deterministically): seconds to summarize.
3. Memory: ``tracemalloc`` peak while summarizing 1k, 5k, 10k and 20k-message
   conversations, with ratios to show growth is linear.

Timings use ``time.perf_counter``, after a warm-up run, best of 3.

    python bench/speed.py [--data ../shared/data] [--limit N] [--repeat 3]
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


# -- measurements -------------------------------------------------------------------------


def throughput(rows: Sequence[dict[str, Any]], taxonomies: dict[str, Taxonomy], repeat: int) -> Table:
    conversations = [conversation_from_row(row) for row in rows]
    table = Table(title=f"Throughput on ABCD dev ({len(rows):,} conversations, best of {repeat})")
    for column in ("taxonomy", "input", "seconds", "conversations / s"):
        table.add_column(column, justify="left" if column in ("taxonomy", "input") else "right")
    for name, taxonomy in taxonomies.items():

        def preloaded(taxonomy: Taxonomy = taxonomy) -> None:
            for conversation in conversations:
                summarize(conversation, taxonomy=taxonomy)

        def from_rows(taxonomy: Taxonomy = taxonomy) -> None:
            for row in rows:
                summarize(conversation_from_row(row), taxonomy=taxonomy)

        for label, run in (("Conversation objects", preloaded), ("row dicts (with load)", from_rows)):
            seconds = best_of(repeat, run)
            table.add_row(name, label, f"{seconds:.3f}", f"{len(rows) / seconds:,.0f}")
    return table


def long_conversation(repeat: int, taxonomy: Taxonomy) -> Table:
    conversation = synthetic_conversation(10_000)
    seconds = best_of(repeat, lambda: summarize(conversation, taxonomy=taxonomy))
    table = Table(title=f"Long conversation (best of {repeat})")
    table.add_column("messages", justify="right")
    table.add_column("seconds", justify="right")
    table.add_column("messages / s", justify="right")
    table.add_row(f"{len(conversation):,}", f"{seconds:.3f}", f"{len(conversation) / seconds:,.0f}")
    return table


def memory(sizes: Sequence[int], taxonomy: Taxonomy) -> Table:
    summarize(synthetic_conversation(100), taxonomy=taxonomy)  # warm caches (taxonomy index, regexes)
    table = Table(title="tracemalloc peak while summarizing (input built beforehand)")
    for column in ("messages", "peak MiB", "bytes / message", "size ratio", "peak ratio"):
        table.add_column(column, justify="right")
    base: tuple[int, int] | None = None
    for n in sizes:
        conversation = synthetic_conversation(n)
        gc.collect()
        tracemalloc.start()
        summarize(conversation, taxonomy=taxonomy)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        base = base or (n, peak)
        table.add_row(
            f"{n:,}",
            f"{peak / 2**20:.2f}",
            f"{peak / n:,.0f}",
            f"{n / base[0]:.1f}×",
            f"{peak / base[1]:.2f}×",
        )
    return table


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data", help="data directory")
    parser.add_argument("--limit", type=int, default=None, help="use at most N ABCD rows for throughput")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per figure (best is kept)")
    args = parser.parse_args(argv)

    console = Console(width=120)
    path = args.data / "abcd" / "dev.jsonl"
    if not path.exists():
        console.print(f"[red]missing {path}[/red] (use --data)")
        return 2
    rows = read_jsonl(path, limit=args.limit)
    default = Taxonomy.default()
    taxonomies = {"default": default, "abcd": abcd_taxonomy(rows, args.data / "abcd")}
    console.print(f"Python {sys.version.split()[0]}, single process")
    console.print(throughput(rows, taxonomies, args.repeat))
    console.print(long_conversation(args.repeat, default))
    console.print(memory([1_000, 5_000, 10_000, 20_000], default))
    return 0


if __name__ == "__main__":
    sys.exit(main())
