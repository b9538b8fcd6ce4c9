"""Notebook helpers: record comparison (HTML, rich, differences) and evaluation tables/plots."""

from __future__ import annotations

import importlib.util
import io
import re
import subprocess
import sys
from pathlib import Path

import pytest
from rich.console import Console

from handoff_ai.apps.notebook import Comparison, compare, eval_table, plot
from handoff_ai.evaluation import EvalResult
from handoff_ai.exceptions import UsageError
from handoff_ai.models.record import Action, Blocker, Fact, HandoffRecord, Intent

ROOT = Path(__file__).resolve().parents[1]
HAS_MATPLOTLIB = importlib.util.find_spec("matplotlib") is not None

# The inline styles, spelled out so the expected HTML below is exact.
TABLE = (
    "border-collapse:collapse;font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;"
    "font-size:13px;line-height:1.4"
)
CAPTION = "caption-side:top;text-align:left;padding:0 0 6px;color:#656d76"
TH = "text-align:left;vertical-align:top;padding:4px 10px;border-bottom:2px solid #d0d7de"
TD = "text-align:left;vertical-align:top;padding:3px 10px;border-bottom:1px solid #eaeef2"
FIELD = f"{TD};font-weight:600;white-space:nowrap"
CHANGED = f"{TD};background:#fff8c5"
ONLY = f"{TD};background:#dafbe1"
ABSENT = f"{TD};color:#656d76"


def pair() -> tuple[HandoffRecord, HandoffRecord]:
    a = HandoffRecord(
        summary="Charged twice",
        intent=Intent(label="billing", confidence=0.9),
        facts=[
            Fact(kind="order_id", value="A-1", evidence=["m1"]),
            Fact(kind="email", value="x@y.z", evidence=["m2"]),
        ],
        actions_taken=[Action(description="refund", actor="bot", outcome="failed")],
    )
    b = HandoffRecord(
        summary="Charged twice",
        intent=Intent(label="refund", confidence=0.9),
        facts=[
            Fact(kind="order_id", value="a-1", evidence=["m1"]),  # case differs: same fact
            Fact(kind="pin", value=None, withheld=True, evidence=["m3"]),
        ],
        actions_taken=[
            Action(description="refund", actor="bot", outcome="failed"),
            Action(description="escalate", actor="agent"),
        ],
    )
    return a, b


# -- compare ---------------------------------------------------------------------------


def test_differences_list_fields_and_one_sided_items() -> None:
    a, b = pair()
    assert compare(a, b).differences == [
        ("intent.label", "billing", "refund"),
        ("facts.email", "x@y.z", None),
        ("facts.pin", None, "[withheld]"),
        ("actions_taken", None, "agent: escalate — unknown"),
    ]


def test_identical_records_have_no_differences() -> None:
    a, _ = pair()
    comparison = compare(a, a.model_copy(deep=True))
    assert comparison.differences == []
    assert "0 differences" in comparison._repr_html_()
    assert 'class="handoff-diff"' not in comparison._repr_html_()


def test_scalar_differences_use_field_paths_and_values() -> None:
    a = HandoffRecord(intent=Intent(label="billing", confidence=0.5))
    b = a.model_copy(
        update={
            "intent": Intent(label="billing", confidence=0.75),
            "blocker": Blocker(description="gateway timeout"),
            "customer_impact": "cannot pay",
        }
    )
    assert compare(a, b).differences == [
        ("intent.confidence", 0.5, 0.75),
        ("customer_impact", None, "cannot pay"),
        ("blocker", None, "gateway timeout"),
    ]


def test_exact_html_for_a_small_pair() -> None:
    a = HandoffRecord(summary="Hi", facts=[Fact(kind="order_id", value="A-1", evidence=["m1"])])
    b = HandoffRecord(summary="Hello")
    html = compare(a, b, labels=("before", "after"))._repr_html_()

    def row(label: str, left: str, right: str, *, diff: bool = False, ls: str = TD, rs: str = TD) -> str:
        css = ' class="handoff-diff"' if diff else ""
        return (
            f'<tr{css}><th scope="row" style="{FIELD}">{label}</th>'
            f'<td style="{ls}">{left}</td><td style="{rs}">{right}</td></tr>'
        )

    expected = "\n".join(
        [
            f'<table class="handoff-compare" style="{TABLE}">',
            f'<caption style="{CAPTION}">2 differences</caption>',
            f'<thead><tr><th style="{TH}"></th><th style="{TH}">before</th><th style="{TH}">after</th></tr></thead>',
            "<tbody>",
            row("Summary", "Hi", "Hello", diff=True, ls=CHANGED, rs=CHANGED),
            row("Intent", "unknown", "unknown"),
            row("Intent confidence", "0.00", "0.00"),
            row("Urgency", "normal", "normal"),
            row("Sentiment", "neutral", "neutral"),
            row("Fact · order ID", "A-1", "—", diff=True, ls=ONLY, rs=ABSENT),
            "</tbody>",
            "</table>",
        ]
    )
    assert html == expected


def test_hostile_values_are_escaped() -> None:
    evil = '<script>alert("x")</script>'
    a = HandoffRecord(
        summary=evil,
        intent=Intent(label='"><img src=x onerror=alert(1)>'),
        facts=[Fact(kind="<b>kind</b>", value="<i>v</i>&amp;", evidence=["m1"])],
        actions_taken=[Action(description="<svg onload=alert(1)>", actor="bot")],
    )
    b = HandoffRecord(summary="fine")
    html = compare(a, b, labels=("<u>a</u>", "b & c"))._repr_html_()
    for raw in ("<script", "<img", "<i>", "<b>", "<svg", "<u>"):
        assert raw not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
    assert "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;" in html
    assert "&lt;i&gt;v&lt;/i&gt;&amp;amp;" in html
    assert "&lt;u&gt;a&lt;/u&gt;" in html and "b &amp; c" in html
    # the only tags are the table's own
    tags = set(re.findall(r"<\s*/?\s*([a-zA-Z]+)", html))
    assert tags <= {"table", "caption", "thead", "tbody", "tr", "th", "td"}


def test_control_and_bidi_characters_are_cleaned() -> None:
    a = HandoffRecord(summary="pay\u202eevil\x07 now\n\nplease")
    b = HandoffRecord(summary="x")
    assert compare(a, b).differences[0] == ("summary", "payevil now please", "x")


def test_rich_rendering_at_fixed_width() -> None:
    a, b = pair()
    out = io.StringIO()
    Console(file=out, width=72, color_system=None, legacy_windows=False).print(compare(a, b))
    assert out.getvalue() == (
        "4 differences (≠)                                                       \n"
        "┏━━━┳━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━┓\n"
        "┃   ┃ field             ┃ rules                ┃ llm                   ┃\n"
        "┡━━━╇━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━┩\n"
        "│   │ Summary           │ Charged twice        │ Charged twice         │\n"
        "│ ≠ │ Intent            │ billing              │ refund                │\n"
        "│   │ Intent confidence │ 0.90                 │ 0.90                  │\n"
        "│   │ Urgency           │ normal               │ normal                │\n"
        "│   │ Sentiment         │ neutral              │ neutral               │\n"
        "│   │ Fact · order ID   │ A-1                  │ A-1                   │\n"
        "│ ≠ │ Fact · email      │ x@y.z                │ —                     │\n"
        "│ ≠ │ Fact · PIN        │ —                    │ [withheld]            │\n"
        "│   │ Action            │ bot: refund — failed │ bot: refund — failed  │\n"
        "│ ≠ │ Action            │ —                    │ agent: escalate —     │\n"
        "│   │                   │                      │ unknown               │\n"
        "└───┴───────────────────┴──────────────────────┴───────────────────────┘\n"
    )


def test_rich_does_not_parse_markup_in_values() -> None:
    a = HandoffRecord(summary="[bold red]boom[/] :smile:")
    out = io.StringIO()
    Console(file=out, width=100, color_system=None).print(compare(a, HandoffRecord(), labels=("[x]", "y")))
    assert "[bold red]boom[/] :smile:" in out.getvalue()
    assert "[x]" in out.getvalue()


def test_compare_rejects_non_records() -> None:
    a, _ = pair()
    with pytest.raises(UsageError, match="HandoffRecord"):
        compare(a, {"summary": "x"})  # type: ignore[arg-type]
    with pytest.raises(UsageError, match="two strings"):
        compare(a, a, labels=("only one",))  # type: ignore[arg-type]


def test_comparison_built_directly_has_rows() -> None:
    a, b = pair()
    assert Comparison(a, b).differences == compare(a, b).differences


def test_record_renders_as_card_in_jupyter() -> None:
    a, _ = pair()
    assert a._repr_html_().startswith('<div class="handoff-note"')


# -- evaluation ------------------------------------------------------------------------


def result() -> EvalResult:
    return EvalResult(
        conversations=3,
        intent_total=3,
        intent_correct=2,
        intent_accuracy=2 / 3,
        facts_gold=4,
        facts_recalled=3,
        facts_recall=0.75,
        facts_recall_by_kind={"email": 1.0, "order_id": 0.5},
        facts_gold_by_kind={"email": 2, "order_id": 2},
    )


def test_eval_table_html() -> None:
    html = eval_table(result(), title="dev <set>")._repr_html_()
    assert html.startswith('<table class="handoff-eval"')
    assert "dev &lt;set&gt;" in html
    assert ">Intent accuracy</th>" in html and ">0.667 (2/3)</td>" in html
    assert ">recall · order_id</th>" in html and ">0.500 (1/2)</td>" in html
    assert ">Conversations / s</th>" in html and ">–</td>" in html


def test_eval_table_several_results_and_rich() -> None:
    table = eval_table({"rules": result(), "llm": result()})
    html = table._repr_html_()
    assert ">rules</th>" in html and ">llm</th>" in html
    out = io.StringIO()
    Console(file=out, width=100, color_system=None).print(table)
    assert "Facts recall" in out.getvalue() and "rules" in out.getvalue()
    with pytest.raises(UsageError):
        eval_table({"x": 1})  # type: ignore[dict-item]


def test_plot_without_matplotlib_says_how_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    monkeypatch.setitem(sys.modules, "matplotlib.figure", None)
    with pytest.raises(UsageError, match="pip install matplotlib"):
        plot(result())


@pytest.mark.skipif(not HAS_MATPLOTLIB, reason="matplotlib is not installed (optional)")
def test_plot_recall_bars() -> None:
    fig = plot({"rules": result(), "llm": result()})
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["email", "order_id"]
    assert sorted(round(p.get_height(), 2) for p in ax.patches) == [0.5, 0.5, 1.0, 1.0]


# -- example ---------------------------------------------------------------------------


def test_notebook_example_runs() -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "examples" / "notebook_compare.py")],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr
    assert "differences" in done.stdout
