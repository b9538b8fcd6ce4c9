"""Cross-validated accuracy and speed of the rules intent classifier.

Two-fold cross-validation on the development data (``../shared/data``): rows
are split by index parity, the taxonomy is built (see
``handoff_ai.evaluation.taxonomies``) with examples from one half only and
scored on the other, then the halves swap. Prints accuracy on ABCD (whole
conversations and their first half, as in a handoff mid-chat) and STAR, the
cost of one ``classify`` call and the time to build the ABCD index.

    python bench/intent_cv.py [--data ../shared/data]
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from handoff_ai.evaluation.taxonomies import abcd_taxonomy, row_conversation, star_taxonomy
from handoff_ai.models import Conversation
from handoff_ai.rules.intent import classify
from handoff_ai.taxonomy import Taxonomy

Row = dict[str, Any]


def read_rows(path: Path) -> list[Row]:
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def first_half(row: Row) -> Row:
    turns = row["turns"]
    return {**row, "turns": turns[: max(1, len(turns) // 2)]}


def halves(rows: Sequence[Row]) -> tuple[list[Row], list[Row]]:
    return [r for i, r in enumerate(rows) if i % 2 == 0], [r for i, r in enumerate(rows) if i % 2 == 1]


def accuracy(taxonomy: Taxonomy, conversations: Sequence[Conversation], gold: Sequence[str]) -> float:
    hits = sum(classify(c, taxonomy).label == g for c, g in zip(conversations, gold, strict=True))
    return hits / len(gold)


def cross_validate(
    rows: Sequence[Row],
    build: Callable[[Sequence[Row]], Taxonomy],
    label: Callable[[Row], str],
    transform: Callable[[Row], Row] | None = None,
) -> tuple[float, list[float]]:
    a, b = halves(rows)
    scores = []
    for train, test in ((a, b), (b, a)):
        taxonomy = build(train)
        tests = [transform(r) if transform else r for r in test]
        scores.append(accuracy(taxonomy, [row_conversation(r) for r in tests], [label(r) for r in test]))
    return statistics.mean(scores), scores


def speed(rows: Sequence[Row], taxonomy: Taxonomy, repeat: int = 7) -> tuple[float, float]:
    """Microseconds per ``classify`` call: plain batch throughput (best of three
    passes) and the mean of each conversation's fastest of ``repeat`` calls
    (robust to other processes on a shared machine)."""
    conversations = [row_conversation(r) for r in rows]
    classify(conversations[0], taxonomy)
    batch = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        for conversation in conversations:
            classify(conversation, taxonomy)
        batch = min(batch, time.perf_counter() - start)
    fastest = []
    for conversation in conversations:
        best = float("inf")
        for _ in range(repeat):
            start = time.perf_counter()
            classify(conversation, taxonomy)
            best = min(best, time.perf_counter() - start)
        fastest.append(best)
    return batch / len(conversations) * 1e6, statistics.mean(fastest) * 1e6


def python_speed() -> float:
    """Nanoseconds per iteration of a bare Python loop: how fast this machine is."""
    start = time.perf_counter()
    total = 0
    for i in range(1_000_000):
        total += i
    return (time.perf_counter() - start) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=Path(__file__).resolve().parents[2] / "shared" / "data")
    args = parser.parse_args()
    abcd_dir = args.data / "abcd"
    abcd = read_rows(abcd_dir / "dev.jsonl")
    star = read_rows(args.data / "star" / "dev.jsonl")

    def abcd_label(row: Row) -> str:
        return str(row["gold"]["subflow"])

    def star_label(row: Row) -> str:
        return str(row["gold"]["tasks"][0])

    def build_abcd(train: Sequence[Row]) -> Taxonomy:
        return abcd_taxonomy(train, abcd_dir)

    mean, folds = cross_validate(abcd, build_abcd, abcd_label)
    print(
        f"ABCD dev 2-fold CV accuracy (full conversation): {mean:.4f}  folds={[round(f, 4) for f in folds]}"
    )
    mean, folds = cross_validate(abcd, build_abcd, abcd_label, first_half)
    print(
        f"ABCD dev 2-fold CV accuracy (first half of turns): {mean:.4f}  folds={[round(f, 4) for f in folds]}"
    )
    mean, folds = cross_validate(star, star_taxonomy, star_label)
    print(f"STAR dev 2-fold CV accuracy (tasks[0]): {mean:.4f}  folds={[round(f, 4) for f in folds]}")

    train, test = halves(abcd)
    builds = []
    for _ in range(3):
        taxonomy = build_abcd(train)
        start = time.perf_counter()
        classify(row_conversation(test[0]), taxonomy)  # the first call builds the index
        builds.append(time.perf_counter() - start)
    turns = statistics.mean(len(r["turns"]) for r in test)
    batch, fastest = speed(test, taxonomy)
    print(
        f"ABCD index build: {min(builds) * 1000:.1f} ms ({len(taxonomy.intents)} intents, "
        f"{sum(len(i.examples) for i in taxonomy.intents)} example conversations)"
    )
    print(
        f"classify on ABCD ({turns:.1f} turns avg): {batch:.1f} us/conversation in a batch "
        f"({1e6 / batch:,.0f}/s); {fastest:.1f} us fastest-of-7 mean"
    )
    star_train, star_test = halves(star)
    batch, fastest = speed(star_test, star_taxonomy(star_train))
    print(f"classify on STAR: {batch:.1f} us/conversation in a batch; {fastest:.1f} us fastest-of-7 mean")
    print(f"machine: {python_speed():.0f} ns per bare Python loop iteration (1M-iteration loop)")


if __name__ == "__main__":
    main()
