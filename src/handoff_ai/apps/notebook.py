"""Jupyter helpers: compare two records side by side, show evaluation results.

A :class:`~handoff_ai.models.record.HandoffRecord` already renders as a card in
Jupyter (``_repr_html_``). This module adds what a notebook session needs next::

    from handoff_ai.apps.notebook import compare, eval_table, plot

    compare(rules_record, llm_record)          # side-by-side table, differences highlighted
    compare(rules_record, llm_record).differences  # [(field, a_value, b_value), ...]
    eval_table(result)                         # the metrics of an EvalResult
    plot(result)                               # per-kind fact recall (needs matplotlib)

Every object here has ``_repr_html_`` (Jupyter) and ``__rich__`` (``rich.print``
in a terminal). All text in the HTML goes through :func:`html.escape` (quotes
included) after the note renderers' cleaning (control and bidi-override
characters dropped, whitespace collapsed, long values cut), and the rich tables
are built from :class:`~rich.text.Text` objects, never parsed as markup, so a
``<script>`` or ``[bold]`` typed by a customer shows as typed. Styles are
inline, as in the ``html`` renderer, so the output survives notebook sanitizers.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from html import escape
from typing import Any

from rich.table import Table
from rich.text import Text

from ..evaluation.metrics import EvalResult
from ..evaluation.report import _rows as _metric_rows
from ..evaluation.report import report_table
from ..exceptions import UsageError
from ..models.record import Action, Fact, HandoffRecord
from ..renderers._clean import clean, humanize

__all__ = ["Comparison", "EvalTable", "Row", "compare", "eval_table", "plot"]

Value = str | float | None
"""A compared value: text, a confidence, or ``None`` when the side has none."""

_MISSING = "—"
_WITHHELD = "[withheld]"

_TABLE = (
    "border-collapse:collapse;font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;"
    "font-size:13px;line-height:1.4"
)
_TH = "text-align:left;vertical-align:top;padding:4px 10px;border-bottom:2px solid #d0d7de"
_TD = "text-align:left;vertical-align:top;padding:3px 10px;border-bottom:1px solid #eaeef2"
_FIELD = f"{_TD};font-weight:600;white-space:nowrap"
_CHANGED = "background:#fff8c5"
_ONLY = "background:#dafbe1"
_ABSENT = "color:#656d76"
_CAPTION = "caption-side:top;text-align:left;padding:0 0 6px;color:#656d76"


@dataclass(frozen=True)
class Row:
    """One line of a comparison.

    ``kind`` is ``"field"`` (a scalar such as the intent label), ``"fact"`` or
    ``"action"``; for facts and actions a side is ``None`` when that record
    lacks the item. ``differs`` is true when the two sides are not equal.
    """

    field: str
    label: str
    kind: str
    a: Value
    b: Value

    @property
    def differs(self) -> bool:
        return self.a != self.b


def _text(value: str | None) -> str | None:
    if value is None:
        return None
    text = clean(value)
    return text or None


_SCALARS: tuple[tuple[str, str, Callable[[HandoffRecord], Value]], ...] = (
    ("summary", "Summary", lambda r: _text(r.summary)),
    ("intent.label", "Intent", lambda r: clean(r.intent.label)),
    ("intent.confidence", "Intent confidence", lambda r: round(r.intent.confidence, 2)),
    ("urgency.level", "Urgency", lambda r: r.urgency.level),
    ("sentiment.label", "Sentiment", lambda r: r.sentiment.label),
    ("customer_impact", "Impact", lambda r: _text(r.customer_impact)),
    ("blocker", "Blocker", lambda r: _text(r.blocker.description) if r.blocker else None),
    ("needed_expertise.team", "Needed team", lambda r: _text(r.needed_expertise.team)),
    ("handoff.type", "Handoff type", lambda r: r.handoff.type),
    ("handoff.trigger", "Handoff trigger", lambda r: _text(r.handoff.trigger)),
)


def _fact_key(fact: Fact) -> tuple[str, str]:
    value = _WITHHELD if fact.withheld or fact.value is None else clean(fact.value)
    return fact.kind, value


def _action_key(action: Action) -> str:
    return f"{action.actor}: {clean(action.description)} — {action.outcome}"


def _match(keys_a: list[Any], keys_b: list[Any]) -> list[tuple[Any, bool, bool]]:
    """Union of two key lists in first-seen order (a's, then b's), with presence per side.

    Matching ignores case, so ``ORD-1`` and ``ord-1`` pair up.
    """

    def norm(key: Any) -> Any:
        return tuple(k.casefold() for k in key) if isinstance(key, tuple) else str(key).casefold()

    in_a = {norm(k) for k in keys_a}
    in_b = {norm(k) for k in keys_b}
    seen: set[Any] = set()
    out: list[tuple[Any, bool, bool]] = []
    for key in [*keys_a, *keys_b]:
        n = norm(key)
        if n in seen:
            continue
        seen.add(n)
        out.append((key, n in in_a, n in in_b))
    return out


def _rows(a: HandoffRecord, b: HandoffRecord) -> tuple[Row, ...]:
    rows: list[Row] = []
    for name, label, get in _SCALARS:
        va, vb = get(a), get(b)
        if va is None and vb is None:
            continue
        rows.append(Row(name, label, "field", va, vb))
    facts = _match([_fact_key(f) for f in a.facts], [_fact_key(f) for f in b.facts])
    for (kind, value), has_a, has_b in facts:
        rows.append(
            Row(
                f"facts.{kind}",
                f"Fact · {humanize(kind)}",
                "fact",
                value if has_a else None,
                value if has_b else None,
            )
        )
    actions = _match([_action_key(x) for x in a.actions_taken], [_action_key(x) for x in b.actions_taken])
    for key, has_a, has_b in actions:
        rows.append(Row("actions_taken", "Action", "action", key if has_a else None, key if has_b else None))
    return tuple(rows)


def _show(value: Value) -> str:
    if value is None:
        return _MISSING
    if isinstance(value, float):
        return f"{value:.2f}"
    return value


@dataclass(frozen=True)
class Comparison:
    """Two records side by side; display it in Jupyter or print it with rich.

    Attributes:
        a, b: the records compared.
        labels: the column headings for ``a`` and ``b``.
        rows: every compared line, differing or not.
    """

    a: HandoffRecord
    b: HandoffRecord
    labels: tuple[str, str] = ("rules", "llm")
    rows: tuple[Row, ...] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "rows", _rows(self.a, self.b))

    @property
    def differences(self) -> list[tuple[str, Value, Value]]:
        """``(field, a_value, b_value)`` for every line that differs.

        Scalars use their dotted field path (``intent.label``) and their value
        (confidences rounded to 2 places); a fact or an action present in one
        record only appears as ``("facts.<kind>", value, None)`` or
        ``("actions_taken", "<actor>: <description> — <outcome>", None)`` (or
        with ``None`` first when only ``b`` has it). A withheld fact's value is
        ``"[withheld]"``. Text values are cleaned for display.
        """
        return [(r.field, r.a, r.b) for r in self.rows if r.differs]

    def _cell(self, value: Value, row: Row) -> str:
        style = _TD
        if row.differs:
            if value is None:
                style += f";{_ABSENT}"
            else:
                style += f";{_CHANGED if row.kind == 'field' else _ONLY}"
        elif value is None:
            style += f";{_ABSENT}"
        return f'<td style="{style}">{escape(_show(value), quote=True)}</td>'

    def _repr_html_(self) -> str:
        la, lb = (escape(label, quote=True) for label in self.labels)
        count = len(self.differences)
        caption = f"{count} difference{'s' if count != 1 else ''}"
        parts = [
            f'<table class="handoff-compare" style="{_TABLE}">',
            f'<caption style="{_CAPTION}">{caption}</caption>',
            f'<thead><tr><th style="{_TH}"></th><th style="{_TH}">{la}</th>'
            f'<th style="{_TH}">{lb}</th></tr></thead>',
            "<tbody>",
        ]
        for row in self.rows:
            css = ' class="handoff-diff"' if row.differs else ""
            parts.append(
                f'<tr{css}><th scope="row" style="{_FIELD}">{escape(row.label, quote=True)}</th>'
                f"{self._cell(row.a, row)}{self._cell(row.b, row)}</tr>"
            )
        parts += ["</tbody>", "</table>"]
        return "\n".join(parts)

    def __rich__(self) -> Table:
        count = len(self.differences)
        table = Table(
            title=f"{count} difference{'s' if count != 1 else ''} (≠)",
            title_justify="left",
        )
        table.add_column("", width=1, no_wrap=True)
        table.add_column("field", style="bold", no_wrap=True)
        table.add_column(Text(self.labels[0]), ratio=1, overflow="fold")
        table.add_column(Text(self.labels[1]), ratio=1, overflow="fold")
        for row in self.rows:
            style = "yellow" if row.differs else ""
            table.add_row(
                Text("≠" if row.differs else "", style="bold yellow"),
                Text(row.label),
                Text(_show(row.a), style=style if row.a is not None else "dim"),
                Text(_show(row.b), style=style if row.b is not None else "dim"),
            )
        return table


def compare(a: HandoffRecord, b: HandoffRecord, *, labels: tuple[str, str] = ("rules", "llm")) -> Comparison:
    """Compare two records of one conversation (e.g. the rules and an LLM backend's).

    Returns a :class:`Comparison`: a side-by-side table in Jupyter, a rich table
    in a terminal, and ``.differences`` for code.

    Raises:
        UsageError: ``a`` or ``b`` is not a ``HandoffRecord``, or ``labels`` is not two strings.
    """
    for name, record in (("a", a), ("b", b)):
        if not isinstance(record, HandoffRecord):
            raise UsageError(f"compare() needs two HandoffRecord objects; {name} is {type(record).__name__}")
    if len(labels) != 2 or not all(isinstance(x, str) for x in labels):
        raise UsageError("labels must be two strings, e.g. ('rules', 'llm')")
    return Comparison(a, b, (labels[0], labels[1]))


# -- evaluation ------------------------------------------------------------------------


@dataclass(frozen=True)
class EvalTable:
    """The metrics of one or several :class:`EvalResult` (one column each), for display."""

    results: Mapping[str, EvalResult]
    title: str | None = None

    def _repr_html_(self) -> str:
        names = list(self.results)
        head = "".join(f'<th style="{_TH};text-align:right">{escape(n, quote=True)}</th>' for n in names)
        parts = [f'<table class="handoff-eval" style="{_TABLE}">']
        if self.title:
            parts.append(f'<caption style="{_CAPTION}">{escape(self.title, quote=True)}</caption>')
        parts += [f'<thead><tr><th style="{_TH}">metric</th>{head}</tr></thead>', "<tbody>"]
        for label, cell in _metric_rows(self.results):
            indent = ";padding-left:26px;font-weight:400" if label.startswith(" ") else ""
            cells = "".join(
                f'<td style="{_TD};text-align:right;font-variant-numeric:tabular-nums">'
                f"{escape(cell(r), quote=True)}</td>"
                for r in self.results.values()
            )
            parts.append(
                f'<tr><th scope="row" style="{_FIELD}{indent}">{escape(label.strip(), quote=True)}</th>'
                f"{cells}</tr>"
            )
        parts += ["</tbody>", "</table>"]
        return "\n".join(parts)

    def __rich__(self) -> Table:
        return report_table(self.results, title=self.title)


def _named(result: EvalResult | Mapping[str, EvalResult]) -> dict[str, EvalResult]:
    if isinstance(result, EvalResult):
        return {"value": result}
    if isinstance(result, Mapping) and all(isinstance(r, EvalResult) for r in result.values()):
        return dict(result)
    raise UsageError(f"expected an EvalResult or a mapping of them, not {type(result).__name__}")


def eval_table(result: EvalResult | Mapping[str, EvalResult], *, title: str | None = None) -> EvalTable:
    """The metrics of ``result`` as a table (one column per result when given a mapping,
    e.g. ``{"rules": r1, "llm": r2}``), shown as HTML in Jupyter and with rich in a terminal."""
    return EvalTable(_named(result), title)


def plot(result: EvalResult | Mapping[str, EvalResult], *, title: str = "Fact recall by kind") -> Any:
    """A bar chart of fact recall per kind (grouped bars when given several results).

    Returns a ``matplotlib.figure.Figure`` (built without ``pyplot``, so no
    global figure is left open); Jupyter displays it, ``fig.savefig(path)``
    writes it.

    Raises:
        UsageError: matplotlib is not installed (it is optional:
            ``pip install matplotlib``), or ``result`` is not an ``EvalResult``.
    """
    results = _named(result)
    try:
        figure_module = importlib.import_module("matplotlib.figure")
    except ImportError as exc:
        raise UsageError("plot() needs matplotlib, an optional dependency: pip install matplotlib") from exc
    kinds = sorted({k for r in results.values() for k in r.facts_gold_by_kind})
    fig = figure_module.Figure(figsize=(max(4.0, 0.9 * len(kinds) + 2.0), 3.2), layout="constrained")
    ax = fig.add_subplot()
    ax.set_title(title)
    ax.set_ylabel("recall")
    ax.set_ylim(0, 1.1)
    if not kinds:
        ax.text(0.5, 0.5, "no gold facts", ha="center", va="center", transform=ax.transAxes)
        ax.set_xticks([])
        return fig
    width = 0.8 / len(results)
    for i, (name, r) in enumerate(results.items()):
        xs = [k + (i - (len(results) - 1) / 2) * width for k in range(len(kinds))]
        ys = [r.facts_recall_by_kind.get(kind, 0.0) for kind in kinds]
        bars = ax.bar(xs, ys, width=width, label=name)
        counts = [f"n={r.facts_gold_by_kind.get(kind, 0)}" for kind in kinds]
        ax.bar_label(bars, labels=counts, fontsize=7, padding=2)
    ax.set_xticks(range(len(kinds)), kinds, rotation=30, ha="right")
    if len(results) > 1:
        ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False)
    return fig
