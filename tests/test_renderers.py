"""Renderer tests: exact golden output per record and format, plus the registry.

Regenerate the golden files after an intended change with::

    UPDATE_GOLDEN=1 pytest tests/test_renderers.py

then read the diff before committing it.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from rich.cells import cell_len
from rich.console import Console

from handoff_ai.exceptions import HandoffError, RenderError, UsageError
from handoff_ai.models.record import (
    Action,
    Blocker,
    Commitment,
    Expertise,
    Fact,
    Handoff,
    HandoffRecord,
    HistoryEvent,
    Intent,
    Item,
    Provenance,
    Sentiment,
    Signal,
    TokenUsage,
    Truncation,
    Urgency,
)
from handoff_ai.renderers import (
    register_renderer,
    render,
    renderer_descriptions,
    renderer_names,
)
from handoff_ai.renderers._note import clean
from handoff_ai.renderers.markdown import escape_markdown
from handoff_ai.renderers.registry import _REGISTRY
from handoff_ai.renderers.rich import to_rich
from handoff_ai.renderers.text import wrap

GOLDEN = Path(__file__).parent / "golden"
UPDATE = os.environ.get("UPDATE_GOLDEN") == "1"
EXTENSIONS = {"markdown": "md", "text": "txt", "html": "html", "json": "json", "rich": "rich.txt"}


# -- records ---------------------------------------------------------------------------


def full_record() -> HandoffRecord:
    """A double-charge refund escalated from a bot, with every section filled."""
    return HandoffRecord(
        conversation_id="zd-48213",
        message_count=14,
        summary=(
            "Customer was charged twice ($49.99 each) for order #A-1042 and wants the duplicate refunded."
        ),
        intent=Intent(
            label="refund", confidence=0.92, evidence=["m1", "m3"], alternatives=[("billing", 0.31)]
        ),
        customer_impact="Card is near its limit; customer cannot pay rent until the duplicate is returned.",
        urgency=Urgency(
            level="high",
            reasons=["double charge", "customer threatens to cancel"],
            evidence=["m3", "m9"],
        ),
        sentiment=Sentiment(
            label="negative",
            frustration_signals=[
                Signal(kind="as_i_said", evidence=["m7"], rule="frustration.as_i_said"),
                Signal(kind="threat_to_leave", evidence=["m9"]),
            ],
            repeat_contact=True,
        ),
        history=[
            HistoryEvent(
                kind="earlier_contact", description="Emailed support on 3 March; no reply", evidence=["m2"]
            ),
            HistoryEvent(
                kind="channel_switch", description="Moved from web chat to WhatsApp", evidence=["m6"]
            ),
        ],
        actions_taken=[
            Action(description="Looked up order A-1042", actor="bot", outcome="succeeded", evidence=["m4"]),
            Action(description="Offered an automatic refund", actor="bot", outcome="failed", evidence=["m5"]),
            Action(description="Contacted their bank", actor="customer", outcome="pending", evidence=["m8"]),
            Action(description="Card verification", actor="system", outcome="unknown"),
        ],
        blocker=Blocker(description="Refunds above $25 need a human in billing", evidence=["m5"]),
        needed_expertise=Expertise(
            team="billing",
            skills=["refunds", "payments"],
            reason="Duplicate charge above the bot's refund limit",
        ),
        facts=[
            Fact(kind="order_id", value="A-1042", evidence=["m1"], rule="order_id.hash"),
            Fact(kind="email", value="jane.doe@example.com", evidence=["m2"]),
            Fact(kind="amount", value="$49.99", evidence=["m1", "m3"]),
            Fact(kind="card_last4", value="4242", evidence=["m3"]),
            Fact(kind="cvv", value=None, withheld=True, evidence=["m3"]),
        ],
        open_questions=[
            Item(text="Is the second charge a pending authorization or settled?", evidence=["m3"]),
        ],
        next_steps=[
            Item(text="Check the payment processor for two captures on A-1042", evidence=["m1", "m3"]),
            Item(text="Refund the duplicate and confirm by email"),
        ],
        commitments=[
            Commitment(
                text="I'll call you back Tuesday at 10am.",
                due="Tuesday at 10am",
                due_iso="2026-03-10T10:00:00+00:00",
                actor="agent",
                evidence=["m11"],
                rule="commitment.contact",
            ),
            Commitment(
                text="Your refund will arrive in 5–7 business days.",
                due="in 5–7 business days",
                due_iso="2026-03-16",
                actor="bot",
                evidence=["m5"],
            ),
            Commitment(text="We'll email you the return label.", actor="agent", evidence=["m12"]),
        ],
        handoff=Handoff(type="ai_to_human", trigger="customer_request", evidence=["m10"]),
        provenance=Provenance(
            backend="fallback",
            model="gpt-4.1-mini",
            template="extract/v1",
            fields={"summary": "llm", "facts": "merged"},
            fallback_reason="primary timed out after 2 retries",
            tokens=TokenUsage(prompt=1830, completion=412),
            cost_usd=0.0012,
            latency_ms=843.0,
            truncation=Truncation(omitted=["m11", "m12", "m13"], reason="token budget"),
            warnings=["citation m99 not found in the conversation; dropped"],
        ),
    )


def minimal_record() -> HandoffRecord:
    """Only a summary: every other section must be left out, not printed empty."""
    return HandoffRecord(summary="Customer asks how to change the delivery address.")


LONG = "A" * 2500 + " " + "0123456789" * 250


def hostile_record() -> HandoffRecord:
    """Values a customer controls, trying to break out of every format."""
    return HandoffRecord(
        conversation_id='c-1"><img src=x onerror=alert(1)>',
        message_count=3,
        summary="<script>alert('xss')</script> **URGENT** [click](http://evil.example) # not a heading",
        intent=Intent(label="complaint", confidence=0.5, evidence=["m1"]),
        urgency=Urgency(level="urgent", reasons=["| table | injection |", "`code` & &amp; entity"]),
        needed_expertise=Expertise(team="customer_relations<b>", reason="$x$ and $y$ are not math"),
        facts=[
            Fact(kind="name", value="<script>document.location='http://evil'</script>", evidence=["m1"]),
            Fact(kind="address", value="شارع الملك فهد 12، الرياض", evidence=["m2"]),
            Fact(
                kind="note", value="line one\n# line two\n> quoted\n\n- list\u202eevil\u0007", evidence=["m2"]
            ),
            Fact(kind="mood", value="😡🔥 FIX IT 👨‍👩‍👧", evidence=["m3"]),
            Fact(kind="pasted_log", value=LONG, evidence=["m3"]),
        ],
        open_questions=[
            Item(text="![img](http://evil/x.png) <img src=x onerror=alert(1)>", evidence=["m_1*"])
        ],
        commitments=[
            Commitment(
                text="<b>We'll</b> call you **back** [now](http://evil) <!here>",
                due="Tue <i>10:00</i>",
                due_iso="<script>",
                actor="agent",
                evidence=["m2"],
            )
        ],
        provenance=Provenance(warnings=["_underscored_ warning <b>"]),
    )


RECORDS = {"full": full_record, "minimal": minimal_record, "hostile": hostile_record}


# -- golden files ----------------------------------------------------------------------


@pytest.mark.parametrize("fmt", sorted(EXTENSIONS))
@pytest.mark.parametrize("case", sorted(RECORDS))
def test_golden(case: str, fmt: str) -> None:
    record = RECORDS[case]()
    output = render(record, fmt)
    path = GOLDEN / f"{case}.{EXTENSIONS[fmt]}"
    if UPDATE:
        path.parent.mkdir(exist_ok=True)
        path.write_bytes((output + "\n").encode("utf-8"))
    assert path.exists(), f"missing golden file {path.name}; run with UPDATE_GOLDEN=1"
    assert output + "\n" == path.read_bytes().decode("utf-8")


@pytest.mark.parametrize("fmt", sorted(EXTENSIONS))
@pytest.mark.parametrize("case", sorted(RECORDS))
def test_deterministic(case: str, fmt: str) -> None:
    assert render(RECORDS[case](), fmt) == render(RECORDS[case](), fmt)


# -- format properties -----------------------------------------------------------------


def test_minimal_has_no_empty_sections() -> None:
    for fmt in ("markdown", "text", "html", "rich"):
        out = render(minimal_record(), fmt)
        for absent in ("None", "null", "Already", "Intent", "Urgency", "Blocker", "Handoff:", "[]"):
            assert absent not in out, (fmt, absent)


def test_full_markdown_shows_every_section() -> None:
    md = render(full_record(), "markdown")
    for title in (
        "Already given — do not ask again",
        "Already tried",
        "History",
        "Open questions",
        "Suggested next steps",
    ):
        assert f"#### {title}" in md
    assert "**Cvv:**" not in md and "**CVV:** _given (not stored)_ (m3)" in md
    assert "✓" in md and "✗" in md and "…" in md and "?" in md
    assert "(m1, m3)" in md
    assert "3 messages omitted from the model's view (token budget)" in md


def test_html_is_xss_safe() -> None:
    out = render(hostile_record(), "html")
    assert "<script" not in out
    assert "<img" not in out
    assert "<b>" not in out
    assert "&lt;script&gt;" in out
    assert "c-1&quot;&gt;&lt;img" in out
    assert "<bdi>شارع الملك فهد 12، الرياض</bdi>" in out
    assert "\u202e" not in out and "\u0007" not in out


def test_markdown_escapes_injection() -> None:
    md = render(hostile_record(), "markdown")
    assert re.search(r"(?<!\\)<", md) is None  # every < is escaped
    assert r"\<script\>" in md
    assert r"\*\*URGENT\*\*" in md
    assert r"\[click\]" in md
    assert r"\| table \| injection \|" in md
    assert r"\$x\$" in md
    assert r"\&amp;" in md and "`code` &" not in md
    # newlines in a value are collapsed, so no line begins with customer text
    for line in md.splitlines():
        assert not line.startswith(("# line", "> quoted", "- list"))


@pytest.mark.parametrize(
    ("raw", "escaped"),
    [
        ("plain text, 42.", "plain text, 42."),
        ("*a* _b_ `c`", r"\*a\* \_b\_ \`c\`"),
        ("[x](y) ![i](j)", r"\[x\](y) !\[i\](j)"),
        ("<b>&lt;</b>", r"\<b\>\&lt;\</b\>"),
        ("AT&T", "AT&T"),
        ("a|b ~c~ $5 #1 \\", r"a\|b \~c\~ \$5 \#1 \\"),
    ],
)
def test_escape_markdown(raw: str, escaped: str) -> None:
    assert escape_markdown(raw) == escaped


def test_markdown_parses_to_inert_html() -> None:
    """Through a real CommonMark parser (raw HTML allowed, GFM tables and strikethrough on),
    customer text yields no tags, links, code, tables, headings or quotes."""
    markdown_it = pytest.importorskip("markdown_it")
    parser = markdown_it.MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])
    out = parser.render(render(hostile_record(), "markdown"))
    for tag in ("<script", "<img", "<a ", "<b>", "<code", "<table", "<h1", "<blockquote", "<s>", "<ol"):
        assert tag not in out, tag
    assert out.count("<h4>") == 3  # our three section titles, nothing injected
    assert "<strong>urgent</strong>" in out and "<em>" in out  # our own markup still works


def test_text_wraps_at_80_cells_without_markup() -> None:
    for case in RECORDS:
        out = render(RECORDS[case](), "text")
        assert all(cell_len(line) <= 80 for line in out.splitlines()), case
    full = render(full_record(), "text")
    assert "**" not in full and "<" not in full and "#### " not in full


def test_wrap_splits_long_words_and_wide_characters() -> None:
    lines = wrap("x " + "😡" * 50, width=20, first="- ", rest="  ")
    assert lines[0] == "- x"
    assert all(cell_len(line) <= 20 for line in lines)
    assert "".join(line.strip() for line in lines[1:]) == "😡" * 50


def test_long_values_are_cut_with_a_marker() -> None:
    assert clean(LONG).endswith("… [+4,501 chars]")
    assert len(clean(LONG)) < 600
    assert LONG in render(hostile_record(), "json")  # JSON keeps the exact value


def test_rich_width_and_no_markup_parsing() -> None:
    out = render(hostile_record(), "rich")
    assert all(cell_len(line) <= 100 for line in out.splitlines())
    assert "**URGENT**" in out  # shown as typed, not styled
    assert "\x1b[" not in render(full_record(), "rich")


def test_to_rich_is_a_renderable() -> None:
    console = Console(width=60, file=None, color_system=None, record=True, _environ={})
    with console.capture() as capture:
        console.print(full_record())  # via HandoffRecord.__rich__
    assert "Handoff" in capture.get()
    assert to_rich(full_record()) is not None


def test_json_renderer_is_to_json() -> None:
    record = full_record()
    assert render(record, "json") == record.to_json()
    assert HandoffRecord.model_validate(json.loads(render(record, "json"))) == record


def test_record_conveniences() -> None:
    record = full_record()
    assert record.to_markdown() == render(record, "markdown")
    assert record._repr_markdown_() == record.to_markdown()
    assert record._repr_html_() == render(record, "html")
    assert record.to_text() == render(record, "text")
    assert record.to_html().startswith('<div class="handoff-note"')


# -- registry --------------------------------------------------------------------------


@pytest.fixture
def registry() -> Iterator[None]:
    saved = dict(_REGISTRY)
    yield
    _REGISTRY.clear()
    _REGISTRY.update(saved)


def test_registered_names_are_pinned() -> None:
    assert renderer_names() == [
        "chatwoot",
        "freshdesk",
        "html",
        "html_email",
        "intercom",
        "json",
        "markdown",
        "rich",
        "slack",
        "teams",
        "text",
        "zendesk",
    ]
    assert all(renderer_descriptions().values())


def test_unknown_renderer_is_a_usage_error() -> None:
    with pytest.raises(
        UsageError, match=r"unknown renderer 'pdf' \(known renderers: chatwoot, freshdesk, html"
    ):
        render(minimal_record(), "pdf")


def test_register_custom_renderer(registry: None) -> None:
    @register_renderer("summary_only", description="just the summary")
    def summary_only(record: HandoffRecord) -> str:
        return record.summary

    assert "summary_only" in renderer_names()
    assert render(minimal_record(), "summary_only") == minimal_record().summary
    register_renderer("summary_only", description="again")(summary_only)  # same function: fine
    with pytest.raises(UsageError, match="already registered"):
        register_renderer("summary_only", description="other")(lambda r: "")
    with pytest.raises(UsageError):
        register_renderer("", description="nameless")


def test_failing_renderer_raises_render_error_without_content(registry: None) -> None:
    @register_renderer("broken", description="always fails")
    def broken(record: HandoffRecord) -> str:
        raise ValueError(f"cannot render {record.summary}")

    with pytest.raises(RenderError) as info:
        render(minimal_record(), "broken")
    assert "delivery address" not in str(info.value)
    assert isinstance(info.value.__cause__, ValueError)

    @register_renderer("usage", description="raises a library error")
    def usage(record: HandoffRecord) -> str:
        raise UsageError("bad option")

    with pytest.raises(UsageError) as usage_info:
        render(minimal_record(), "usage")
    assert not isinstance(usage_info.value, RenderError)
    assert isinstance(usage_info.value, HandoffError)
