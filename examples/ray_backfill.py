"""Back-fill handoff records for many past conversations with Ray Data.

Reads ABCD rows (``../shared/data/abcd/dev.jsonl`` when present) or the example
conversations in this folder, builds a Ray Dataset with ``ray.data.from_items``,
summarizes it with ``map_batches(summarize_batch)`` on a local Ray instance
(``ray.init(num_cpus=2)``) and writes one JSON line per conversation::

    pip install "ray[data]"
    python examples/ray_backfill.py [--data dev.jsonl] [--limit 200] [--out records.jsonl]

Without Ray installed (or with ``--no-ray``) the same batch function runs in
this process, batch by batch: the pure-Python path. On a cluster, see
docs/distributed.md (``ray.init(address="auto")`` and ``ds.write_json``).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from handoff_ai.apps.ray import summarize_batch

HERE = Path(__file__).resolve().parent
ABCD = HERE.parent.parent / "shared" / "data" / "abcd" / "dev.jsonl"


def read_items(data: Path | None, limit: int) -> list[dict[str, Any]]:
    """``{"id", "conversation"}`` rows; the conversation as JSON text (portable through Arrow)."""
    items: list[dict[str, Any]] = []
    if data is not None:
        with data.open(encoding="utf-8") as lines:
            for number, line in enumerate(lines, start=1):
                if len(items) >= limit:
                    break
                if line.strip():
                    row = json.loads(line)
                    items.append({"id": str(row.get("id", f"{data.stem}-{number}")), "conversation": line})
        return items
    for path in sorted(HERE.glob("*.json"))[:limit]:
        items.append({"id": path.stem, "conversation": path.read_text(encoding="utf-8")})
    return items


def chunks(items: list[dict[str, Any]], size: int) -> Iterator[dict[str, list[Any]]]:
    for start in range(0, len(items), size):
        part = items[start : start + size]
        yield {key: [item[key] for item in part] for key in ("id", "conversation")}


def run_local(items: list[dict[str, Any]], batch_size: int) -> Iterator[dict[str, Any]]:
    """The pure-Python path: the same batch function, one dict batch at a time."""
    for batch in chunks(items, batch_size):
        out = summarize_batch(batch)
        yield from (
            {"id": cid, "record": record, "error": error}
            for cid, record, error in zip(out["id"], out["record"], out["error"], strict=True)
        )


def run_ray(items: list[dict[str, Any]], batch_size: int) -> Iterator[dict[str, Any]]:
    ray = importlib.import_module("ray")  # optional: pip install "ray[data]"
    ray.init(num_cpus=2, include_dashboard=False, ignore_reinit_error=True, log_to_driver=False)
    try:
        ds = ray.data.from_items(items)
        ds = ds.map_batches(summarize_batch, batch_format="pandas", batch_size=batch_size)
        ds = ds.select_columns(["id", "record", "error"])
        for row in ds.iter_rows():
            yield {"id": row["id"], "record": row["record"], "error": row["error"]}
    finally:
        ray.shutdown()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument(
        "--data", type=Path, help="JSON Lines of conversations (default: ABCD dev, if present)"
    )
    parser.add_argument("--limit", type=int, default=200, help="conversations to read (default 200)")
    parser.add_argument(
        "--batch-size",
        type=int,
        default=512,
        help="rows per Ray task (default 512: fewer, larger tasks pay Ray's cost per task less often)",
    )
    parser.add_argument("--out", type=Path, default=Path("records.jsonl"))
    parser.add_argument("--no-ray", action="store_true", help="use the pure-Python path even with Ray")
    args = parser.parse_args()

    data = args.data if args.data is not None else (ABCD if ABCD.is_file() else None)
    if data is not None and not data.is_file():
        parser.error(f"{data} is not a file")
    items = read_items(data, args.limit)
    use_ray = not args.no_ray and importlib.util.find_spec("ray") is not None
    if not use_ray and not args.no_ray:
        print("ray is not installed (pip install 'ray[data]'): using the pure-Python path", file=sys.stderr)
    rows = run_ray(items, args.batch_size) if use_ray else run_local(items, args.batch_size)

    ok = failed = 0
    started = time.perf_counter()
    with args.out.open("w", encoding="utf-8") as out:
        for row in rows:
            record = json.loads(row["record"]) if row["record"] else None
            out.write(json.dumps({"id": row["id"], "record": record, "error": row["error"]}) + "\n")
            ok, failed = (ok + 1, failed) if record is not None else (ok, failed + 1)
    engine = "ray (2 workers)" if use_ray else "local"
    seconds = time.perf_counter() - started  # Ray's start-up included: what a back-fill pays
    rate = (ok + failed) / seconds if seconds else 0.0
    print(
        f"{engine}: {ok} records, {failed} errors from {data or HERE} -> {args.out} "
        f"in {seconds:.1f} s ({rate:,.0f} conversations/s)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
