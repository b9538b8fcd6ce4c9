"""Parsing large inputs: speed and memory of ``load_many`` on ~100 MB files.

Deterministic synthetic inputs are written to a temporary directory (deleted at
the end, never inside the repository):

- ``mbox``: threads of 1-6 mails, interleaved in date order as a real mailbox is;
  multipart/alternative (text + HTML) mails, HTML-only mails, quoted replies,
  signatures, a few small base64 attachments;
- ``jsonl``: one conversation per line (``{"id", "channel", "messages": [...]}``);
- ``json array``: the same conversations as one JSON array on a single line
  (the worst case for a line reader);
- ``one conversation``: a single JSON object whose ``messages`` list holds every
  message (read whole by design: a ``Conversation`` is in memory anyway).

Each input is generated at two sizes (default 25 and 100 MB) and each
measurement runs in a fresh child process, so ``ru_maxrss`` (max RSS) is that
input's own; the child's RSS right after importing the library is shown as the
baseline. Two runs per input: one timed (wall time, MB/s, conversations/s, max
RSS), one under ``tracemalloc`` (Python heap peak; slower, not timed). Memory
is bounded when the 100 MB peak is close to the 25 MB one.

    python bench/parse_big.py [--sizes 25 100] [--only mbox jsonl array single] [--keep DIR]
"""

from __future__ import annotations

import argparse
import base64
import json
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from pathlib import Path
from typing import Any, TextIO

SEED = 20240601
MB = 1024 * 1024

_FIRST = ["Sarah", "David", "Maria", "Kenji", "Amina", "Lukas", "Priya", "Tom", "Chloé", "Omar"]
_LAST = ["Brown", "Williams", "García", "Tanaka", "Okafor", "Novak", "Sharma", "Smith", "Dubois", "Haddad"]
_PRODUCTS = ["router", "jacket", "headphones", "subscription", "laptop", "phone case", "coffee maker"]
_CUSTOMER = [
    "Hi, my order {order} still hasn't arrived and it's been {n} days.",
    "I was charged ${amount} twice on {date}, can you check?",
    "My email is {email} and my phone is {phone}.",
    "The {product} shows error {error} every time I turn it on.",
    "I already tried restarting it, twice, and unplugging it overnight.",
    "I contacted you last week about this and nobody answered.",
    "My account id is {account}, the name on it is {name}.",
    "If this isn't fixed today I'm cancelling my subscription.",
    "The tracking page says delivered but there's nothing at my door.",
]
_AGENT = [
    "Thanks for waiting, let me look into order {order}.",
    "I can see the charge of ${amount}; I'll raise it with billing.",
    "Could you confirm the email address on the account?",
    "I'm sorry about the delay, I'm escalating this to our logistics team.",
    "The refund of ${amount} has been issued and should arrive in 5-7 days.",
    "Is there anything else I can help you with today?",
]
_START = datetime(2024, 3, 1, 8, 0, tzinfo=timezone.utc)


def _slots(rnd: random.Random) -> dict[str, Any]:
    first, last = rnd.choice(_FIRST), rnd.choice(_LAST)
    return {
        "order": f"{rnd.randint(10**9, 10**10 - 1)}",
        "n": rnd.randint(2, 30),
        "amount": f"{rnd.randint(5, 900)}.{rnd.randint(0, 99):02d}",
        "date": f"2024-05-{rnd.randint(1, 28):02d}",
        "email": f"{first.lower()}{rnd.randint(1, 99)}@example.com",
        "phone": f"({rnd.randint(200, 999)}) {rnd.randint(200, 999)}-{rnd.randint(1000, 9999)}",
        "product": rnd.choice(_PRODUCTS),
        "error": f"E{rnd.randint(100, 999)}",
        "account": f"{rnd.choice('ABCDEFGH')}{rnd.randint(10**6, 10**7 - 1)}",
        "name": f"{first} {last}",
    }


def _paragraph(rnd: random.Random, pool: list[str], sentences: int) -> str:
    return " ".join(rnd.choice(pool).format(**_slots(rnd)) for _ in range(sentences))


# -- mbox --------------------------------------------------------------------------------


def _mail(
    rnd: random.Random, thread: int, index: int, when: datetime, previous: list[str]
) -> tuple[str, str]:
    """``(message id, raw mail text)`` for mail ``index`` of ``thread``."""
    customer = index % 2 == 0
    first, last = _FIRST[thread % len(_FIRST)], _LAST[(thread // 10) % len(_LAST)]
    sender = f"{first} {last} <{first.lower()}.{thread}@example.com>"
    support = "Acme Support <support@acme.example>"
    msgid = f"<t{thread}.m{index}@{'example.com' if customer else 'acme.example'}>"
    body = _paragraph(rnd, _CUSTOMER if customer else _AGENT, rnd.randint(2, 6))
    if not customer:
        body = f"Hello {first},\n\n{body}\n\nBest regards,\nJamie\nAcme Customer Care"
    quote = ""
    if previous:
        quoted = "\n".join(f"> {line}" for line in previous[-1].splitlines())
        quote = f"\n\nOn {format_datetime(when - timedelta(hours=3))}, someone wrote:\n{quoted}"
    headers = [
        f"From: {sender if customer else support}",
        f"To: {support if customer else sender}",
        f"Subject: {'Re: ' if index else ''}Order problem #{thread}",
        f"Date: {format_datetime(when)}",
        f"Message-ID: {msgid}",
        "MIME-Version: 1.0",
    ]
    if index:
        parent = f"<t{thread}.m{index - 1}@{'acme.example' if customer else 'example.com'}>"
        refs = " ".join(
            f"<t{thread}.m{i}@{'example.com' if i % 2 == 0 else 'acme.example'}>" for i in range(index)
        )
        headers += [f"In-Reply-To: {parent}", f"References: {refs}"]
    html = "".join(f"<p>{p}</p>" for p in (body + quote).split("\n\n"))
    html = f"<html><body><div style='font-family:Arial'>{html}</div></body></html>"
    boundary = f"=_b{thread}_{index}"
    kind = rnd.random()
    if kind < 0.2:  # HTML only
        headers.append("Content-Type: text/html; charset=utf-8")
        raw = "\n".join(headers) + "\n\n" + html + "\n"
    else:
        parts = [
            f"--{boundary}\nContent-Type: text/plain; charset=utf-8\n\n{body}{quote}\n",
            f"--{boundary}\nContent-Type: text/html; charset=utf-8\n\n{html}\n",
        ]
        mixed = kind > 0.93
        alternative = f'Content-Type: multipart/alternative; boundary="{boundary}"\n\n' + "".join(parts)
        alternative += f"--{boundary}--\n"
        if mixed:
            outer = f"=_m{thread}_{index}"
            blob = base64.encodebytes(rnd.randbytes(3000)).decode("ascii")
            headers.append(f'Content-Type: multipart/mixed; boundary="{outer}"')
            raw = "\n".join(headers) + "\n\n" + f"--{outer}\n{alternative}\n--{outer}\n"
            raw += f'Content-Type: image/png\nContent-Disposition: attachment; filename="photo{index}.png"\n'
            raw += f"Content-Transfer-Encoding: base64\n\n{blob}--{outer}--\n"
        else:
            headers.append(f'Content-Type: multipart/alternative; boundary="{boundary}"')
            raw = "\n".join(headers) + "\n\n" + "".join(parts) + f"--{boundary}--\n"
    previous.append(body)
    return msgid, raw.replace("\nFrom ", "\n>From ")


def write_mbox(path: Path, size: int) -> int:
    """About ``size`` bytes of interleaved mail threads; returns the number of threads."""
    rnd = random.Random(SEED)
    written = threads = 0
    open_threads: list[
        tuple[int, int, datetime, list[str], int]
    ] = []  # thread, next index, when, bodies, length
    with path.open("w", encoding="utf-8", newline="\n") as out:
        clock = _START
        while written < size or open_threads:
            if written < size and (len(open_threads) < 8 or rnd.random() < 0.3):
                open_threads.append((threads, 0, clock, [], rnd.randint(1, 6)))
                threads += 1
            slot = rnd.randrange(len(open_threads))
            thread, index, _, bodies, length = open_threads[slot]
            clock += timedelta(minutes=rnd.randint(1, 90))
            _, raw = _mail(rnd, thread, index, clock, bodies)
            chunk = f"From MAILER-DAEMON {clock.strftime('%a %b %d %H:%M:%S %Y')}\n{raw}\n"
            out.write(chunk)
            written += len(chunk.encode("utf-8"))
            if index + 1 >= length:
                open_threads.pop(slot)
            else:
                open_threads[slot] = (thread, index + 1, clock, bodies, length)
    return threads


# -- JSON --------------------------------------------------------------------------------


def _messages(rnd: random.Random, count: int, start: datetime) -> list[dict[str, Any]]:
    messages = []
    for i in range(count):
        role = "customer" if i % 2 == 0 else rnd.choice(["agent", "agent", "bot"])
        pool = _CUSTOMER if role == "customer" else _AGENT
        messages.append(
            {
                "id": f"m{i + 1}",
                "role": role,
                "text": _paragraph(rnd, pool, rnd.randint(1, 3)),
                "timestamp": (start + timedelta(seconds=40 * i)).isoformat(),
            }
        )
    return messages


def _conversations(size: int) -> Iterator[str]:
    rnd = random.Random(SEED)
    written = number = 0
    while written < size:
        number += 1
        start = _START + timedelta(minutes=7 * number)
        row = {
            "id": f"c{number}",
            "channel": "chat",
            "metadata": {"queue": rnd.choice(["billing", "shipping", "tech"])},
            "messages": _messages(rnd, rnd.randint(6, 30), start),
        }
        text = json.dumps(row, ensure_ascii=False)
        written += len(text.encode("utf-8")) + 1
        yield text


def write_jsonl(path: Path, size: int) -> int:
    count = 0
    with path.open("w", encoding="utf-8", newline="\n") as out:
        for text in _conversations(size):
            out.write(text + "\n")
            count += 1
    return count


def write_array(path: Path, size: int) -> int:
    count = 0
    with path.open("w", encoding="utf-8", newline="\n") as out:
        out.write("[")
        for text in _conversations(size):
            out.write((", " if count else "") + text)
            count += 1
        out.write("]\n")
    return count


def write_single(path: Path, size: int) -> int:
    rnd = random.Random(SEED)
    written = 0
    with path.open("w", encoding="utf-8", newline="\n") as out:
        out.write('{"id": "huge", "channel": "chat", "messages": [')
        i = 0
        while written < size:
            (message,) = _messages(rnd, 1, _START + timedelta(seconds=40 * i))
            message["id"] = f"m{i + 1}"
            text = (", " if i else "") + json.dumps(message, ensure_ascii=False)
            out.write(text)
            written += len(text.encode("utf-8"))
            i += 1
        out.write("]}\n")
    return 1


WRITERS: dict[str, tuple[str, Callable[[Path, int], int]]] = {
    "mbox": ("mailbox.mbox", write_mbox),
    "jsonl": ("conversations.jsonl", write_jsonl),
    "array": ("conversations.json", write_array),
    "single": ("one_conversation.json", write_single),
}
LABELS = {"mbox": "mbox", "jsonl": "JSONL", "array": "JSON array", "single": "one conversation"}


# -- measurement (child process) ---------------------------------------------------------


def _max_rss_mb() -> float:
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss / MB if sys.platform == "darwin" else rss / 1024  # bytes on macOS, KiB on Linux


def child(path: Path, traced: bool) -> dict[str, Any]:
    from handoff_ai.parsers import load_many

    baseline = _max_rss_mb()
    if traced:
        tracemalloc.start()
    start = time.perf_counter()
    conversations = messages = 0
    for conversation in load_many(path):
        conversations += 1
        messages += len(conversation.messages)
    seconds = time.perf_counter() - start
    peak = tracemalloc.get_traced_memory()[1] / MB if traced else None
    return {
        "seconds": seconds,
        "conversations": conversations,
        "messages": messages,
        "baseline_rss": baseline,
        "max_rss": _max_rss_mb(),
        "tracemalloc_peak": peak,
    }


def measure(path: Path, traced: bool) -> dict[str, Any]:
    command = [sys.executable, __file__, "--child", str(path)] + (["--traced"] if traced else [])
    done = subprocess.run(command, check=True, capture_output=True, text=True)
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def _table(rows: list[list[str]], header: list[str], out: TextIO) -> None:
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    line = "  ".join(
        h.ljust(w) if i < 2 else h.rjust(w) for i, (h, w) in enumerate(zip(header, widths, strict=True))
    )
    out.write(line + "\n" + "  ".join("-" * w for w in widths) + "\n")
    for row in rows:
        out.write(
            "  ".join(
                c.ljust(w) if i < 2 else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths, strict=True))
            )
            + "\n"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[25, 100], help="input sizes in MB")
    parser.add_argument("--only", nargs="+", choices=list(WRITERS), default=list(WRITERS))
    parser.add_argument("--no-tracemalloc", action="store_true", help="skip the (slow) tracemalloc runs")
    parser.add_argument("--keep", type=Path, help="generate into DIR and keep the files")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--traced", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child is not None:
        print(json.dumps(child(args.child, args.traced)))
        return

    directory = args.keep or Path(tempfile.mkdtemp(prefix="handoff-parse-big-"))
    directory.mkdir(parents=True, exist_ok=True)
    header = [
        "input", "size", "seconds", "MB/s", "conv/s", "conversations", "messages",
        "RSS base", "max RSS", "tracemalloc peak",
    ]  # fmt: skip
    rows: list[list[str]] = []
    try:
        for kind in args.only:
            name, write = WRITERS[kind]
            for size in args.sizes:
                path = directory / f"{size}mb-{name}"
                write(path, size * MB)
                megabytes = path.stat().st_size / MB
                timed = measure(path, traced=False)
                peak = None if args.no_tracemalloc else measure(path, traced=True)["tracemalloc_peak"]
                seconds = timed["seconds"]
                rows.append(
                    [
                        LABELS[kind],
                        f"{megabytes:.0f} MB",
                        f"{seconds:.1f}",
                        f"{megabytes / seconds:.1f}",
                        f"{timed['conversations'] / seconds:,.0f}",
                        f"{timed['conversations']:,}",
                        f"{timed['messages']:,}",
                        f"{timed['baseline_rss']:.0f} MB",
                        f"{timed['max_rss']:.0f} MB",
                        "–" if peak is None else f"{peak:.1f} MB",
                    ]
                )
                print(" ".join(rows[-1]), file=sys.stderr, flush=True)
                if args.keep is None:
                    path.unlink()
    finally:
        if args.keep is None:
            shutil.rmtree(directory, ignore_errors=True)
    print(f"load_many on synthetic inputs (Python {sys.version.split()[0]}, one child process per run)\n")
    _table(rows, header, sys.stdout)


if __name__ == "__main__":
    main()
