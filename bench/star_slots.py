"""STAR slot recall: every gold slot value said anywhere in the conversation, is it a fact?

``bench/quality.py`` counts only the gold values a *customer* turn contains. A
human taking over also must not re-ask what the agent proposed and the customer
accepted ("Dr. Alexis has an opening Friday at 8 am" / "yes"), what the agent
booked ("your meeting ... scheduled for Monday, 9 am-11 am") or the day the agent
resolved "tomorrow" to. This bench counts, for each STAR dev conversation, each
gold ``api_queries`` constraint value of the fact keys (``STAR_FACT_KEYS``:
names, account, dates, days, times, cities, locations; secrets excluded) that
occurs (normalized, on word boundaries) in *any* turn, and whether some record
fact value matches it (``evaluation.metrics.match_value``).

Printed in the same run, each with facts per record (the noise it costs):

- **customer-typed facts**: the record's facts minus agent-sourced (``agent.*``)
  and agent-echoed (``echo.*``) ones — roughly the engine before these existed;
- **customer-given facts only**: minus ``agent.*`` only (echoes are the
  customer's own words, found because the agent repeated them);
- **this engine**: all facts;
- **trivial: every span in every message**: all recognizer spans of every turn
  (customer and agent), as if each were a fact — an upper bound with its noise.

    python bench/star_slots.py [--data ../shared/data] [--limit N] [--misses N]
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path

from rich.console import Console
from rich.table import Table

from handoff_ai import summarize
from handoff_ai.evaluation import read_jsonl
from handoff_ai.evaluation.datasets import STAR_FACT_KEYS, _constraint_value, conversation_from_row
from handoff_ai.evaluation.metrics import match_value, normalize, occurs_in
from handoff_ai.models import Conversation, HandoffRecord
from handoff_ai.rules.catalog import default_recognizers
from handoff_ai.rules.recognizer_set import RecognizerSet
from handoff_ai.taxonomy import Taxonomy

REPO = Path(__file__).resolve().parent.parent
_SPANS = RecognizerSet(default_recognizers())

Values = Callable[[HandoffRecord, Conversation], list[str]]


def typed_only(record: HandoffRecord, conversation: Conversation) -> list[str]:
    return [
        f.value
        for f in record.facts
        if f.value is not None and not (f.rule or "").startswith(("agent.", "echo."))
    ]


def customer_only(record: HandoffRecord, conversation: Conversation) -> list[str]:
    return [f.value for f in record.facts if f.value is not None and not (f.rule or "").startswith("agent.")]


def engine(record: HandoffRecord, conversation: Conversation) -> list[str]:
    return [f.value for f in record.facts if f.value is not None]


def every_span(record: HandoffRecord, conversation: Conversation) -> list[str]:
    return [s.value for m in conversation.messages for s in _SPANS.find(m.text) if s.value and not s.withheld]


METHODS: dict[str, Values] = {
    "customer-typed facts (no agent.*, echo.*)": typed_only,
    "customer-given facts only": customer_only,
    "this engine": engine,
    "trivial: every span in every message": every_span,
}


def gold_slots(row: dict) -> list[tuple[str, str, bool]]:
    """(key, value, said by the customer) for each fact-key value some turn contains."""
    turns = row.get("turns", [])
    seen: set[tuple[str, str]] = set()
    out: list[tuple[str, str, bool]] = []
    for query in row["gold"].get("api_queries") or []:
        for key, raw in (query.get("constraints") or {}).items():
            value = _constraint_value(raw)
            if value is None or key not in STAR_FACT_KEYS or (key, normalize(value)) in seen:
                continue
            seen.add((key, normalize(value)))
            where = [t for t in turns if occurs_in(value, str(t.get("text", "")))]
            if where:
                out.append((key, value, any(t.get("speaker") == "customer" for t in where)))
    return out


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data", help="data directory")
    parser.add_argument("--limit", type=int, default=None, help="read at most N rows")
    parser.add_argument("--misses", type=int, default=0, help="print up to N misses of this engine")
    args = parser.parse_args(argv)
    console = Console(width=120)
    path = args.data / "star" / "dev.jsonl"
    if not path.exists():
        console.print(f"[red]missing {path}[/red] (use --data)")
        return 2
    rows = read_jsonl(path, limit=args.limit)
    taxonomy = Taxonomy.default()
    hits = {name: Counter[str]() for name in METHODS}
    values_n = Counter[str]()
    gold = Counter[str]()
    misses: list[str] = []
    for row in rows:
        conversation = conversation_from_row(row)
        record = summarize(conversation, taxonomy=taxonomy)
        slots = gold_slots(row)
        for name, method in METHODS.items():
            values = method(record, conversation)
            values_n[name] += len(values)
            for key, value, by_customer in slots:
                if any(match_value(value, v) for v in values):
                    hits[name]["all"] += 1
                    hits[name]["customer" if by_customer else "agent"] += 1
                elif name == "this engine" and len(misses) < args.misses:
                    misses.append(f"{conversation.id} {key}: {value!r}")
        for _, _, by_customer in slots:
            gold["all"] += 1
            gold["customer" if by_customer else "agent"] += 1

    table = Table(title=f"STAR dev — {len(rows):,} conversations: gold slot values said anywhere")
    table.add_column("")
    for name in METHODS:
        table.add_column(name, justify="right")

    def rate(name: str, part: str) -> str:
        if not gold[part]:
            return "–"
        return f"{hits[name][part] / gold[part]:.3f} ({hits[name][part]:,}/{gold[part]:,})"

    table.add_row("recall, every value said anywhere", *(rate(n, "all") for n in METHODS))
    table.add_row("  said by the customer", *(rate(n, "customer") for n in METHODS))
    table.add_row("  said only by the agent", *(rate(n, "agent") for n in METHODS))
    table.add_row("fact values per record", *(f"{values_n[n] / max(1, len(rows)):.1f}" for n in METHODS))
    console.print(table)
    for miss in misses:
        console.print(f"  miss {miss}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
