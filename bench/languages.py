"""Languages (issue 12): the rules engine on German, French, Spanish, Portuguese and others.

Scores the rules backend on ``tests/fixtures/languages/`` (hand-written conversations in
de/fr/es/pt and, under ``other/``, languages the rules do not cover; expectations written as
a careful human taking over would, see ``tests/languages.py``) per language group, beside a
trivial baseline in the same run: blocker = the last customer message, no tried steps, no
facts, ``language`` always ``en``, never a request for a human.

    python bench/languages.py [--misses] [--case NAME] [--json PATH] [--cost [--data DIR]]

``--cost``: what the other languages' data costs an English conversation — ABCD dev through
``summarize`` in fresh processes with every language file and with English alone
(``HANDOFF_AI_LANGUAGES=en``), CPU time, best of 3 rounds, the two alternated 3 times.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.languages import CASES, FIGURES, GROUPS, LanguageScore, baseline, figures, score_language  # noqa: E402

from handoff_ai import summarize  # noqa: E402

sys.path.insert(0, str(ROOT / "bench"))
from understanding import _cell, layout  # noqa: E402  (the understanding bench's table layout)

_SHORT = {
    "human_request": "human",
    "false_alarms": "f.alarm",
    "steps": "steps",
    "facts": "facts",
    "commitments": "commit",
    "records_leaking": "leaks",
    "language": "lang",
    "warning": "warning",
    "low_confidence": "conf<.5",
}
TARGETS = {
    "human_request": 0.95,
    "false_alarms": 0,
    "steps": 0.85,
    "facts": 0.95,
    "records_leaking": 0,
    "language": 1.0,
}
"""Issue 12's acceptance figures for de/fr/es/pt (``other``: warning and conf<.5 at 1.0)."""


def table(title: str, by_group: dict[str, LanguageScore]) -> str:
    """One row per language group plus ``all``; one column per figure."""
    names = list(FIGURES)
    rows = [["language", "n", *(_SHORT[n] for n in names)]]
    total = LanguageScore()
    for group in GROUPS:
        s = by_group.get(group, LanguageScore())
        total = total + s
        rows.append([group, str(s.cases), *(_cell(figures(s)[n]) for n in names)])
    rows.append(["all", str(total.cases), *(_cell(figures(total)[n]) for n in names)])
    return layout(title, rows)


def _totals(group: dict[str, LanguageScore]) -> dict[str, Any]:
    total = LanguageScore()
    for s in group.values():
        total = total + s
    out: dict[str, Any] = {g: {k: v[0] for k, v in figures(s).items()} for g, s in group.items()}
    out["all"] = {k: v[0] for k, v in figures(total).items()}
    return out


_TIMER = """
import gc, sys, time
from handoff_ai import summarize
from handoff_ai.evaluation import conversation_from_row, read_jsonl
from handoff_ai.rules.languages import supported_languages
conversations = [conversation_from_row(r) for r in read_jsonl(sys.argv[1])]
for c in conversations[:50]:
    summarize(c)
best = float("inf")
for _ in range(3):
    gc.collect()
    start = time.process_time()
    for c in conversations:
        summarize(c)
    best = min(best, time.process_time() - start)
print(",".join(supported_languages()), best / len(conversations) * 1e6)
"""


def cost(data: Path) -> None:
    """ABCD dev (English) with every language's data and with English alone, alternated."""
    source = data / "abcd" / "dev.jsonl"
    if not source.exists():
        print(f"  (no {source}: --data)")
        return
    runs: dict[str, list[float]] = {"all": [], "en": []}
    read = ""
    for _ in range(3):
        for setting in ("all", "en"):
            env = {k: v for k, v in os.environ.items() if k != "HANDOFF_AI_LANGUAGES"}
            if setting == "en":
                env["HANDOFF_AI_LANGUAGES"] = "en"
            command = [sys.executable, "-c", _TIMER, str(source)]
            out = subprocess.run(command, env=env, capture_output=True, text=True, check=True).stdout.split()
            runs[setting].append(float(out[-1]))
            if setting == "all":
                read = out[0]
    best_all, best_en = min(runs["all"]), min(runs["en"])
    print("Cost of the other languages on English chats (ABCD dev, 1,004 conversations, CPU time):")
    print(f"  rules reading {read}: {best_all:,.0f} us / conversation (rounds {_us(runs['all'])})")
    print(f"  rules reading en only: {best_en:,.0f} us / conversation (rounds {_us(runs['en'])})")
    print(f"  cost: {100 * (best_all / best_en - 1):+.1f} % (best against best)")


def _us(values: list[float]) -> str:
    return ", ".join(f"{v:,.0f}" for v in values)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--misses", action="store_true", help="list what each conversation missed (rules)")
    parser.add_argument("--case", help="only conversations whose name contains this")
    parser.add_argument("--json", type=Path, help="write the figures here")
    parser.add_argument(
        "--cost", action="store_true", help="also time ABCD dev with and without the other languages"
    )
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data", help="shared data")
    args = parser.parse_args(argv)

    cases = [c for c in CASES if not args.case or args.case in c.name]
    engine: dict[str, LanguageScore] = {}
    base: dict[str, LanguageScore] = {}
    spent = 0.0
    misses: list[tuple[str, list[str]]] = []
    for case in cases:
        conversation = case.conversation()
        started = time.perf_counter()
        record = summarize(conversation)
        spent += time.perf_counter() - started
        s = score_language(case, conversation, record)
        engine[case.group] = engine.get(case.group, LanguageScore()) + s
        trivial, language = baseline(conversation)
        base[case.group] = base.get(case.group, LanguageScore()) + score_language(
            case, conversation, trivial, language=language
        )
        if s.misses:
            misses.append((f"{case.group}/{case.name}", s.misses))

    formats = sorted({c.format for c in cases})
    rate = len(cases) / spent if spent else 0.0
    print(
        f"{len(cases)} conversations, {len(formats)} formats ({', '.join(formats)}); "
        f"rules: {spent * 1000 / max(1, len(cases)):.1f} ms / conversation, {rate:.0f} conversations/s"
    )
    print()
    print(table("rules backend", engine))
    print()
    print(table("baseline (blocker = last customer message, language = en, never a request)", base))
    print()
    for name, text in FIGURES.items():
        print(f"  {_SHORT[name]:>8}: {text}")
    goals = ", ".join(f"{_SHORT[k]} {v}" for k, v in TARGETS.items())
    print(f"  targets (de/fr/es/pt): {goals}; other: warning 1.0, conf<.5 1.0, facts 0.95")
    if args.misses:
        print()
        for name, items in misses:
            print(name)
            for item in items:
                print(f"    {item}")
    if args.cost:
        print()
        cost(args.data)
    if args.json:
        out = {"rules": _totals(engine), "baseline": _totals(base), "conversations_per_second": rate}
        args.json.write_text(json.dumps(out, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
