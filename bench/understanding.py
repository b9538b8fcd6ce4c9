"""Dialogue understanding (issue 11): tried steps, blocker, facts, commitments, handoff type.

Scores the rules backend on ``tests/fixtures/understanding/`` (46 hand-written conversations
in 10 input formats; expectations written as a careful human taking over would, see
``tests/understanding.py``) per category and overall, beside a trivial baseline in the same
run: blocker = the last customer message, no tried steps, no facts, no commitments, handoff
type ``ai_to_human``. Then the same tables on the held-out set
``tests/fixtures/understanding_holdout/`` (written after the engine work began, never used
for tuning), under its own title: the gap between the two says how far the engine's gains
generalise. ``--holdout`` prints only the held-out set.

    python bench/understanding.py [--holdout] [--misses] [--case NAME] [--json PATH]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.understanding import (  # noqa: E402
    CASES,
    CATEGORIES,
    FIGURES,
    HOLDOUT_CASES,
    Case,
    Score,
    baseline_record,
    figures,
    score,
)

from handoff_ai import summarize  # noqa: E402

_SHORT = {
    "steps": "steps",
    "steps_actor": "+actor",
    "blocker": "blocker",
    "facts": "facts",
    "facts_value": "f.value",
    "commitments": "commit",
    "due_iso": "due_iso",
    "handoff": "handoff",
    "withheld": "withheld",
    "records_leaking": "leaks",
    "hallucinated": "halluc",
    "junk": "junk",
    "repeated": "repeat",
}


def _cell(value: tuple[float | int | None, int, int]) -> str:
    v, num, den = value
    if den == 0 and isinstance(v, int):
        return str(v)
    return "–" if v is None else f"{v:.2f} {num}/{den}"


def table(title: str, by_category: dict[str, Score]) -> str:
    """One row per category plus ``all``; one column per figure."""
    names = list(FIGURES)
    rows = [["category", "n", *(_SHORT[n] for n in names)]]
    total = Score()
    for category in CATEGORIES:
        s = by_category.get(category, Score())
        total = total + s
        rows.append([category, str(s.cases), *(_cell(figures(s)[n]) for n in names)])
    rows.append(["all", str(total.cases), *(_cell(figures(total)[n]) for n in names)])
    return layout(title, rows)


def layout(title: str, rows: list[list[str]]) -> str:
    """``rows`` (a header first, a total last) as aligned text columns under ``title``."""
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = [title]
    for i, row in enumerate(rows):
        lines.append(
            "  ".join(
                c.ljust(w) if j == 0 else c.rjust(w) for j, (c, w) in enumerate(zip(row, widths, strict=True))
            )
        )
        if i == 0 or i == len(rows) - 2:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def run(cases: list[Case]) -> tuple[dict[str, Score], dict[str, Score], float, list[tuple[str, list[str]]]]:
    """Rules and baseline scores per category, seconds spent in ``summarize``, misses per case."""
    engine: dict[str, Score] = {}
    base: dict[str, Score] = {}
    spent = 0.0
    misses: list[tuple[str, list[str]]] = []
    for case in cases:
        conversation = case.conversation()
        started = time.perf_counter()
        record = summarize(conversation)
        spent += time.perf_counter() - started
        s = score(case, conversation, record)
        engine[case.category] = engine.get(case.category, Score()) + s
        base[case.category] = base.get(case.category, Score()) + score(
            case, conversation, baseline_record(conversation)
        )
        if s.misses:
            misses.append((case.name, s.misses))
    return engine, base, spent, misses


def report(title: str, cases: list[Case], show_misses: bool) -> dict[str, Any]:
    """Print one set's rules and baseline tables (and misses); return its figures."""
    engine, base, spent, misses = run(cases)
    formats = sorted({c.format for c in cases})
    print(f"== {title}")
    print(
        f"{len(cases)} conversations, {len(formats)} formats ({', '.join(formats)}); "
        f"rules: {spent * 1000 / max(1, len(cases)):.1f} ms / conversation"
    )
    print()
    print(table("rules backend", engine))
    print()
    print(table("baseline (blocker = last customer message, handoff = ai_to_human, nothing else)", base))
    if show_misses:
        print()
        for name, items in misses:
            print(name)
            for item in items:
                print(f"    {item}")
    out: dict[str, Any] = {}
    for label, group in (("rules", engine), ("baseline", base)):
        total = Score()
        for s in group.values():
            total = total + s
        out[label] = {c: {k: v[0] for k, v in figures(s).items()} for c, s in group.items()}
        out[label]["all"] = {k: v[0] for k, v in figures(total).items()}
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--misses", action="store_true", help="list what each conversation missed (rules)")
    parser.add_argument("--holdout", action="store_true", help="only the held-out set")
    parser.add_argument("--case", help="only conversations whose name contains this")
    parser.add_argument("--json", type=Path, help="write the figures here")
    args = parser.parse_args(argv)

    def pick(cases: list[Case]) -> list[Case]:
        return [c for c in cases if not args.case or args.case in c.name]

    sets = [] if args.holdout else [("fixture set (tests/fixtures/understanding)", "fixtures", pick(CASES))]
    sets.append(
        (
            "HELD-OUT set (tests/fixtures/understanding_holdout, never tuned on)",
            "holdout",
            pick(HOLDOUT_CASES),
        ),
    )
    out: dict[str, Any] = {}
    for title, key, cases in sets:
        if not cases:  # --case matched nothing in this set
            continue
        if out:
            print()
        out[key] = report(title, cases, args.misses)
    print()
    for name, text in FIGURES.items():
        print(f"  {_SHORT[name]:>8}: {text}")
    if args.json:
        args.json.write_text(json.dumps(out, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
