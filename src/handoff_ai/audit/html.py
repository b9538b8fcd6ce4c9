"""The audit as a self-contained HTML page that opens offline (and a notebook fragment).

Layout is a Jinja2 template (``templates/audit.html.j2``; jinja2 is a dependency,
autoescaping on, so customer text is shown, never run). Charts — re-asks by fact
kind, transfers per conversation, wait after transfer, mood before/after — are
drawn by matplotlib as inline SVG when the optional extra is installed
(``pip install 'handoff-ai[audit]'``): a well-kept library with no network or
JavaScript at view time, so the file is one page with nothing to fetch. Without
matplotlib the template draws the same series as plain CSS bars.
"""

from __future__ import annotations

import io
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

AuditReport = Any
"""An ``audit.report.AuditReport`` (not imported: the report imports this module)."""

__all__ = ["charts_available", "render_html"]

_ENV = Environment(
    loader=PackageLoader("handoff_ai.audit", "templates"),
    autoescape=select_autoescape(default=True, default_for_string=True),
    trim_blocks=True,
    lstrip_blocks=True,
)
_COLORS = {"negative": "#cf222e", "neutral": "#8c959f", "positive": "#1a7f37"}


def charts_available() -> bool:
    """Whether matplotlib (the ``audit`` extra) can draw the charts."""
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        return False
    return True


def _series(report: AuditReport) -> list[dict[str, Any]]:
    """The four charts as data: title, labels, one or two value series."""
    s = report.summary()
    moods = ["negative", "neutral", "positive"]
    return [
        {
            "id": "reasks",
            "title": "Re-asks by fact kind",
            "unit": "re-asks",
            "labels": list(s.reasks_by_kind),
            "series": {"re-asks": list(s.reasks_by_kind.values())},
        },
        {
            "id": "transfers",
            "title": "Transfers per conversation",
            "unit": "conversations",
            "labels": list(s.transfer_histogram),
            "series": {"conversations": list(s.transfer_histogram.values())},
        },
        {
            "id": "waits",
            "title": "Wait after transfer",
            "unit": "transfers",
            "labels": list(s.wait_histogram),
            "series": {"transfers": list(s.wait_histogram.values())},
        },
        {
            "id": "sentiment",
            "title": "Customer mood before / after a transfer",
            "unit": "transfers",
            "labels": moods,
            "series": {
                "before": [s.sentiment_before.get(m, 0) for m in moods],
                "after": [s.sentiment_after.get(m, 0) for m in moods],
            },
        },
    ]


def _svg(chart: dict[str, Any]) -> Markup:
    """One chart as inline SVG, drawn by matplotlib (deterministic: no dates, fixed ids)."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    from matplotlib import pyplot as plt
    from matplotlib.figure import Figure

    with plt.rc_context(
        {"svg.hashsalt": f"handoff-audit-{chart['id']}", "svg.fonttype": "none", "font.size": 9}
    ):
        figure = Figure(figsize=(4.6, 2.6), dpi=100)
        axes = figure.subplots()
        labels = chart["labels"] or ["(none)"]
        series = chart["series"]
        width = 0.8 / max(1, len(series))
        for number, (name, values) in enumerate(series.items()):
            values = values or [0]
            offsets = [i + (number - (len(series) - 1) / 2) * width for i in range(len(labels))]
            color = "#0969da" if len(series) == 1 else ["#8c959f", "#cf222e"][number % 2]
            bars = axes.bar(offsets, values, width=width, label=name, color=color)
            axes.bar_label(bars, fontsize=8)
        axes.set_xticks(
            range(len(labels)),
            labels,
            rotation=30 if len(labels) > 4 else 0,
            ha="right" if len(labels) > 4 else "center",
        )
        axes.set_ylabel(chart["unit"])
        axes.set_title(chart["title"])
        axes.spines[["top", "right"]].set_visible(False)
        if len(series) > 1:
            axes.legend(frameon=False)
        figure.tight_layout()
        buffer = io.StringIO()
        figure.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    text = buffer.getvalue()
    return Markup(text[text.index("<svg") :])  # drop the XML prolog and doctype: inline in HTML


def render_html(
    report: AuditReport, *, title: str = "Handoff audit", charts: bool | None = None, fragment: bool = False
) -> str:
    """The report as HTML: a full page, or a ``fragment`` for notebooks (``_repr_html_``).

    ``charts``: draw matplotlib SVG charts (default: when matplotlib is installed);
    ``False`` uses CSS bars.
    """
    use_svg = charts_available() if charts is None else charts
    series = _series(report)
    for chart in series:
        chart["max"] = max([1, *(v for values in chart["series"].values() for v in values)])
        chart["svg"] = _svg(chart) if use_svg else None
    summary = report.summary()
    template = _ENV.get_template("audit.html.j2")
    return template.render(
        title=title,
        fragment=fragment,
        summary=summary,
        charts=series,
        worst=report.worst_excerpts(),
        kept_all=report.keep_all,
    )
