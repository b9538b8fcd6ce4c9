"""Quality of the rules backend on the development data (ABCD and STAR dev).

Each dataset is scored twice: on whole conversations, and on their first half
(``messages[: len // 2]``, a handoff in mid-chat; gold is then limited to what
that half supplies). With ``--taxonomy cv`` (the default) the taxonomy's
examples come from the other half of the rows: rows are split in two halves by
a hash of their id, the taxonomy is built from one half and scored on the
other, then the halves swap and the results are pooled. Each taxonomy is used
once before timing, so conversations/s leaves out building its index. ``--taxonomy default``
uses the packaged taxonomy (intent accuracy is then meaningless: its labels are
not the dataset's) and ``--taxonomy PATH`` a taxonomy file.

    python bench/quality.py [--data ../shared/data] [--dataset abcd|star|all]
                            [--limit N] [--taxonomy cv|default|PATH] [--misses N] [--json OUT]

See bench/README.md for what each figure means and the targets.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from rich.console import Console

from handoff_ai.evaluation import (
    EvalResult,
    Pair,
    evaluate,
    read_jsonl,
    report_table,
    split_halves,
    summarize_rows,
)
from handoff_ai.evaluation.taxonomies import abcd_taxonomy, star_taxonomy
from handoff_ai.taxonomy import Taxonomy

Row = Mapping[str, Any]
Builder = Callable[[Sequence[Row]], Taxonomy]
REPO = Path(__file__).resolve().parent.parent


Plan = list[tuple[Sequence[Row], Taxonomy]]


def plan(rows: Sequence[Row], build: Builder | None, fixed: Taxonomy | None) -> Plan:
    """What to score with which taxonomy: both folds (``build``) or all rows with ``fixed``."""
    if build is None:
        assert fixed is not None
        runs = [(rows, fixed)]
    else:
        one, two = split_halves(rows)
        runs = [(two, build(one)), (one, build(two))]
    for test, taxonomy in runs:  # warm-up: the taxonomy's index is built on first use, not timed
        summarize_rows(test[:1], taxonomy=taxonomy)
    return runs


def score(runs: Plan, first_half: bool) -> EvalResult:
    """One result pooled over every (rows, taxonomy) run."""
    pairs: list[Pair] = []
    seconds = 0.0
    for rows, taxonomy in runs:
        run_pairs, run_seconds = summarize_rows(rows, taxonomy=taxonomy, first_half_only=first_half)
        pairs += run_pairs
        seconds += run_seconds
    result = evaluate(pairs)
    result.seconds = seconds
    result.conversations_per_second = len(pairs) / seconds if seconds else None
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data", help="data directory")
    parser.add_argument("--dataset", choices=["abcd", "star", "all"], default="all")
    parser.add_argument("--limit", type=int, default=None, help="read at most N rows per dataset")
    parser.add_argument("--taxonomy", default="cv", help="cv (2-fold, default), default, or a file path")
    parser.add_argument("--misses", type=int, default=0, help="print up to N fact misses per run")
    parser.add_argument("--json", type=Path, default=None, help="also write every result as JSON here")
    args = parser.parse_args(argv)

    console = Console(width=120)
    fixed: Taxonomy | None = None
    if args.taxonomy == "default":
        fixed = Taxonomy.default()
    elif args.taxonomy != "cv":
        fixed = Taxonomy.load(args.taxonomy)

    builders: dict[str, Builder] = {
        "abcd": lambda train: abcd_taxonomy(train, args.data / "abcd"),
        "star": lambda train: star_taxonomy(train),
    }
    names = ["abcd", "star"] if args.dataset == "all" else [args.dataset]
    dumped: dict[str, Any] = {}
    for name in names:
        path = args.data / name / "dev.jsonl"
        if not path.exists():
            console.print(f"[red]missing {path}[/red] (use --data)")
            return 2
        rows = read_jsonl(path, limit=args.limit)
        build = None if fixed is not None else builders[name]
        runs = plan(rows, build, fixed)
        results = {"full": score(runs, first_half=False), "first half": score(runs, first_half=True)}
        if args.taxonomy == "default":  # its labels are not the dataset's: accuracy means nothing
            for result in results.values():
                result.intent_accuracy = None
        how = "2-fold CV taxonomy" if build is not None else f"taxonomy: {args.taxonomy}"
        console.print(report_table(results, title=f"{name.upper()} dev — {len(rows):,} conversations, {how}"))
        for label, result in results.items():
            for miss in result.misses[: args.misses]:
                console.print(f"  miss ({label}) {miss.conversation_id} {miss.kind}: {miss.value!r}")
            for h in result.hallucinations[: args.misses]:
                console.print(f"  hallucination ({label}) {h.conversation_id} {h.kind}: {h.reason}")
        console.print()
        dumped[name] = {label: r.model_dump(mode="json") for label, r in results.items()}
    if args.json is not None:
        args.json.write_text(json.dumps(dumped, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
