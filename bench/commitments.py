"""Commitments on real conversations: how many the rules find, beside a trivial baseline,
and a fixed sample to read by eye (there is no gold for promises in these datasets).

Baseline: every bot/agent sentence with a future form ("will", "'ll", "going to",
"shall") counts as a promise — what a naive keyword rule would record. The rules keep
only those with something promised to the customer (a contact phrase, "you will
receive", or a due time with a deliverable).

    python bench/commitments.py [--data ../shared/data] [--limit N] [--sample 25]
"""

from __future__ import annotations

import argparse
import random
import re
import time
from pathlib import Path

from handoff_ai.evaluation import conversation_from_row, read_jsonl
from handoff_ai.rules.commitments import extract_commitments

REPO = Path(__file__).resolve().parent.parent
_FUTURE = re.compile(r"(?i)(?:\bwill\b|['’]ll\b|\bgoing to\b|\bshall\b)")
_SENTENCE = re.compile(r"(?<=[.!?])\s+|\n+")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data")
    parser.add_argument("--limit", type=int, default=None)
    parser.add_argument("--sample", type=int, default=25)
    args = parser.parse_args()
    samples: list[tuple[str, str, str | None]] = []
    head = ("dataset", "convs", "agent sents", "baseline", "rules", "convs w/ one", "ms/conv")
    print("{:10} {:>6} {:>11} {:>9} {:>6} {:>12} {:>8}".format(*head))
    for name in ("abcd", "star", "tweetsumm"):
        rows = list(read_jsonl(args.data / name / "dev.jsonl"))[: args.limit]
        conversations = [conversation_from_row(row) for row in rows]
        sentences = baseline = found = with_one = 0
        started = time.perf_counter()
        results = [extract_commitments(c) for c in conversations]
        elapsed = time.perf_counter() - started
        for conversation, commitments in zip(conversations, results, strict=True):
            for message in conversation.messages:
                if message.role in ("bot", "agent") and message.kind == "message":
                    for sentence in _SENTENCE.split(message.text):
                        sentences += 1
                        baseline += bool(_FUTURE.search(sentence))
            found += len(commitments)
            with_one += bool(commitments)
            samples += [(name, c.text, c.due) for c in commitments]
        ms = 1000 * elapsed / max(len(conversations), 1)
        figures = (name, len(conversations), sentences, baseline, found, with_one, f"{ms:.3f}")
        print("{:10} {:>6} {:>11} {:>9} {:>6} {:>12} {:>8}".format(*figures))
    print(f"\nA fixed sample of {args.sample} commitments (seed 7), to read by eye:")
    distinct = list({text: (name, text, due) for name, text, due in samples}.values())
    print(f"({len(distinct)} distinct texts of {len(samples)})")
    for name, text, due in random.Random(7).sample(distinct, min(args.sample, len(distinct))):
        print(f"  [{name}] {text[:110]!r}  due={due!r}")


if __name__ == "__main__":
    main()
