"""Byte identity of every record: the guard of a speed change (output must not move).

Summarizes every conversation of the shared data sets (ABCD, STAR, TweetSumm dev) and of the
fixture sets under ``tests/fixtures`` with the rules backend and hashes each record's JSON.
``--save FILE`` keeps the per-record hashes; ``--against FILE`` compares with a saved run and
names every record that changed. Run it before a change (``--save``), then after
(``--against``)::

    python bench/identity.py --save /tmp/before.json
    # ... change the engine ...
    python bench/identity.py --against /tmp/before.json

Exit status 1 when a record changed or went missing.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from handoff_ai import HandoffError, load  # noqa: E402
from handoff_ai.api import summarize  # noqa: E402
from handoff_ai.evaluation import conversation_from_row, read_jsonl  # noqa: E402
from handoff_ai.models import Conversation  # noqa: E402

DATA_SETS = ("abcd", "star", "tweetsumm")
FIXTURE_SETS = ("understanding", "understanding_holdout", "languages", "rules")
_NOT_INPUT = (".expected.json", ".md", ".toml", ".yaml", ".yml")


def conversations(data: Path) -> Iterator[tuple[str, Conversation]]:
    """``(set/name, conversation)`` of every data set row and fixture conversation, in order."""
    for name in DATA_SETS:
        path = data / name / "dev.jsonl"
        if path.exists():
            for row in read_jsonl(path):
                conversation = conversation_from_row(row)
                yield f"{name}/{conversation.id}", conversation
    for name in FIXTURE_SETS:
        for path in sorted(p for p in (ROOT / "tests" / "fixtures" / name).rglob("*") if p.is_file()):
            if path.name.endswith(_NOT_INPUT):
                continue
            try:
                loaded = load(path)
            except HandoffError:  # not a conversation file (a gold label, a note)
                continue
            for conversation in loaded if isinstance(loaded, list) else [loaded]:
                yield f"{name}/{path.name}/{conversation.id}", conversation


def record_hashes(data: Path) -> dict[str, str]:
    """Each record's SHA-1 (of its JSON), by ``set/name``."""
    return {
        key: hashlib.sha1(summarize(conversation).model_dump_json().encode()).hexdigest()
        for key, conversation in conversations(data)
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data", help="data directory")
    parser.add_argument("--save", type=Path, help="write the per-record hashes here")
    parser.add_argument("--against", type=Path, help="compare with hashes saved by --save")
    args = parser.parse_args(argv)
    hashes = record_hashes(args.data)
    by_set: dict[str, Any] = {}  # set name -> a running SHA-1 of its records
    for key, digest in hashes.items():
        by_set.setdefault(key.split("/", 1)[0], hashlib.sha1()).update(digest.encode())
    for name, digest in by_set.items():
        count = sum(1 for key in hashes if key.startswith(name + "/"))
        print(f"{name:24} {count:6,} records  {digest.hexdigest()[:12]}")
    if args.save:
        args.save.write_text(json.dumps(hashes, indent=0), encoding="utf-8")
    if args.against:
        before: dict[str, str] = json.loads(args.against.read_text(encoding="utf-8"))
        changed = sorted(key for key in before.keys() & hashes.keys() if before[key] != hashes[key])
        missing, new = sorted(before.keys() - hashes.keys()), sorted(hashes.keys() - before.keys())
        for label, keys in (("changed", changed), ("missing", missing), ("new", new)):
            for key in keys[:20]:
                print(f"{label}: {key}")
            if len(keys) > 20:
                print(f"{label}: ... and {len(keys) - 20} more")
        print(f"{len(changed)} changed, {len(missing)} missing, {len(new)} new of {len(before):,} records")
        return 1 if changed or missing else 0
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
