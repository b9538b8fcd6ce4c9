"""Evaluation results as a rich table (``handoff eval`` and the benches print this)."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from rich.console import Console
from rich.table import Table

from .metrics import EvalResult

__all__ = ["print_report", "report_table"]

_DASH = "–"
Cell = Callable[[EvalResult], str]


def _rate(value: float | None, num: int | None = None, den: int | None = None) -> str:
    if value is None:
        return _DASH
    return f"{value:.3f}" if num is None else f"{value:.3f} ({num}/{den})"


def _count(value: int | float | None) -> str:
    if value is None:
        return _DASH
    return f"{value:,}" if isinstance(value, int) else f"{value:,.2f}"


def _kind_cell(kind: str) -> Cell:
    def cell(r: EvalResult) -> str:
        if kind not in r.facts_gold_by_kind:
            return _DASH
        total = r.facts_gold_by_kind[kind]
        recall = r.facts_recall_by_kind[kind]
        return _rate(recall, round(recall * total), total)

    return cell


def _rows(results: Mapping[str, EvalResult]) -> list[tuple[str, Cell]]:
    kinds = sorted({k for r in results.values() for k in r.facts_gold_by_kind})
    rows: list[tuple[str, Cell]] = [
        ("Conversations", lambda r: _count(r.conversations)),
        ("Intent accuracy", lambda r: _rate(r.intent_accuracy, r.intent_correct, r.intent_total)),
        ("Facts recall", lambda r: _rate(r.facts_recall, r.facts_recalled, r.facts_gold)),
    ]
    rows += [(f"  recall · {kind}", _kind_cell(kind)) for kind in kinds]
    rows += [
        ("Gold values dropped (not supplied)", lambda r: _count(r.gold_dropped_not_supplied)),
        ("Facts per record", lambda r: _count(r.facts_per_record)),
        ("Withheld facts", lambda r: _count(r.withheld_facts)),
        ("Hallucinated facts", lambda r: _count(r.hallucinated_facts)),
        ("Evidence ids not in conversation", lambda r: _count(r.evidence_ids_not_in_conversation)),
        (
            "Action-turn citation",
            lambda r: _rate(r.action_turn_citation, r.action_turns_cited, r.action_turns_gold),
        ),
        ("Secrets checked", lambda r: _count(r.secrets_checked)),
        (
            "  skipped: < 3 chars / also a gold fact",
            lambda r: f"{r.secrets_skipped_short:,} / {r.secrets_skipped_also_fact:,}",
        ),
        ("Records with a secret leak", lambda r: _count(r.records_with_secret_leak)),
        ("Conversations / s", lambda r: _count(r.conversations_per_second)),
    ]
    return rows


def report_table(results: EvalResult | Mapping[str, EvalResult], *, title: str | None = None) -> Table:
    """One column per result (e.g. ``{"full": ..., "first half": ...}``), one row per metric."""
    columns = {"value": results} if isinstance(results, EvalResult) else dict(results)
    table = Table(title=title, title_justify="left")
    table.add_column("metric", style="bold")
    for name in columns:
        table.add_column(name, justify="right")
    for label, cell in _rows(columns):
        table.add_row(label, *(cell(r) for r in columns.values()))
    return table


def print_report(
    result: EvalResult | Mapping[str, EvalResult],
    console: Console | None = None,
    *,
    title: str | None = None,
) -> None:
    """Print ``result`` (or several side by side) as a table; misses are not printed."""
    (console or Console()).print(report_table(result, title=title))
