"""How well ``record.summary`` says what happened, on real customer-care dialogs.

TweetSumm (IBM, 2021; annotations CC0) has three human abstractive summaries per
Twitter customer-care dialog ("Customer … Agent …"). Each summary is scored with
ROUGE-1/2/L F1 (``rouge-score``, stemming on) against the best of the three
references, beside two trivial baselines in the same run: the first customer turn
(LEAD) and the first customer turn plus the last agent turn (LEAD+LAST).

Rows are split in two halves by a hash of their id (``split_halves``): tune on
one half, read the other, and both are printed so tuning on one shows.

    python bench/summary.py [--data ../shared/data] [--limit N] [--show N]

Needs the ``bench`` extra (``pip install -e '.[bench]'``) for ``rouge-score``.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from handoff_ai import summarize
from handoff_ai.evaluation import read_jsonl, split_halves
from handoff_ai.evaluation.datasets import conversation_from_row

try:
    from rouge_score import rouge_scorer
except ImportError:  # pragma: no cover - a bench-only dependency
    sys.exit("bench/summary.py needs rouge-score: pip install -e '.[bench]'")

Row = Mapping[str, Any]
REPO = Path(__file__).resolve().parent.parent
METRICS = ("rouge1", "rouge2", "rougeL")


def lead(row: Row) -> str:
    """The first customer turn."""
    return next((t["text"] for t in row["turns"] if t["speaker"] == "customer"), "")


def lead_last(row: Row) -> str:
    """The first customer turn and the last agent turn."""
    last = next((t["text"] for t in reversed(row["turns"]) if t["speaker"] == "agent"), "")
    return f"{lead(row)} {last}".strip()


def references(row: Row) -> list[str]:
    return [" ".join(summary) for summary in row["gold"]["abstractive_summaries"]]


def best_of(scorer: Any, candidate: str, refs: Sequence[str]) -> dict[str, float]:
    """Per metric, the best F1 over the references (0 for an empty candidate)."""
    best = dict.fromkeys(METRICS, 0.0)
    if not candidate.strip():
        return best
    for ref in refs:
        scores = scorer.score(ref, candidate)
        for metric in METRICS:
            best[metric] = max(best[metric], scores[metric].fmeasure)
    return best


def score(rows: Sequence[Row], systems: Mapping[str, Callable[[Row], str]]) -> dict[str, dict[str, float]]:
    """Mean best-of-3 F1 (x100) per system and metric, and the median length in words."""
    scorer = rouge_scorer.RougeScorer(list(METRICS), use_stemmer=True)
    table: dict[str, dict[str, float]] = {}
    for name, system in systems.items():
        totals = dict.fromkeys(METRICS, 0.0)
        lengths: list[int] = []
        for row in rows:
            text = system(row)
            lengths.append(len(text.split()))
            for metric, value in best_of(scorer, text, references(row)).items():
                totals[metric] += value
        table[name] = {m: 100 * totals[m] / max(len(rows), 1) for m in METRICS}
        table[name]["words"] = statistics.median(lengths) if lengths else 0
        table[name]["empty"] = sum(1 for n in lengths if n == 0)
    return table


def print_table(title: str, table: Mapping[str, Mapping[str, float]]) -> None:
    print(f"\n{title}")
    print(f"  {'system':<16}{'R1':>7}{'R2':>7}{'RL':>7}{'median words':>14}{'empty':>7}")
    for name, values in table.items():
        print(
            f"  {name:<16}{values['rouge1']:>7.1f}{values['rouge2']:>7.1f}{values['rougeL']:>7.1f}"
            f"{values['words']:>14g}{values['empty']:>7g}"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data", help="data directory")
    parser.add_argument("--limit", type=int, default=None, help="read at most N rows")
    parser.add_argument("--show", type=int, default=0, help="print N summaries beside a reference")
    args = parser.parse_args(argv)

    path = args.data / "tweetsumm" / "dev.jsonl"
    if not path.exists():
        print(f"missing {path} (use --data)")
        return 2
    rows = read_jsonl(path, limit=args.limit)
    summaries: dict[str, str] = {}
    start = time.perf_counter()
    for row in rows:
        summaries[row["id"]] = summarize(conversation_from_row(row)).summary
    seconds = time.perf_counter() - start
    systems: dict[str, Callable[[Row], str]] = {
        "record.summary": lambda row: summaries[row["id"]],
        "LEAD": lead,
        "LEAD+LAST": lead_last,
    }
    human = statistics.median(len(ref.split()) for row in rows for ref in references(row))
    print(
        f"TweetSumm dev: {len(rows)} dialogs, ROUGE F1 x100, best of 3 references, stemming; "
        f"{len(rows) / seconds:,.0f} dialogs/s; human summaries: median {human:g} words"
    )
    one, two = split_halves(rows)
    print_table(f"all ({len(rows)})", score(rows, systems))
    print_table(f"half A ({len(one)})", score(one, systems))
    print_table(f"half B ({len(two)})", score(two, systems))
    for row in rows[: args.show]:
        print(f"\n{row['id']}\n  summary: {summaries[row['id']]}\n  human:   {references(row)[0]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
