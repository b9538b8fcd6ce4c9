"""The format-neutral internal note that every text renderer draws.

Deciding *what* a human sees (which sections, in which order, what is omitted
because it is empty, how a confidence or an outcome reads) happens once, here;
the Markdown, plain-text, HTML and rich renderers only decide *how* it looks.
That keeps the formats in step and puts escaping in one place per format:
every string in a :class:`Note` is raw text, and each renderer escapes every
span it emits, whatever its origin.

Values from the conversation are cleaned for display (:func:`clean`, in
:mod:`._clean`): control
and bidi-override characters dropped, whitespace runs (newlines included)
collapsed to one space, and anything longer than :data:`MAX_VALUE_CHARS` cut
with a visible marker. The JSON rendering keeps the exact values.

Long conversations: each section shows at most :data:`MAX_SECTION_ITEMS` entries
(facts :data:`MAX_FACT_ITEMS`) and then says how many more there are ("+12 more");
exact repeats (same line, evidence aside) are collapsed into one entry marked
``×3`` that cites every message. Writers with a size limit rebuild the note with
smaller caps (``build_note(record, max_items=...)``) until it fits.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from ..models.record import Action, Commitment, HandoffRecord, Intent, Sentiment, Urgency
from ._clean import MAX_VALUE_CHARS, clean, has_rtl, humanize, percent
from ._labels import Labels, labels

__all__ = [
    "MAX_EVIDENCE_IDS",
    "MAX_FACT_ITEMS",
    "MAX_SECTION_ITEMS",
    "MAX_VALUE_CHARS",
    "MAX_WARNINGS",
    "OUTCOME_MARKS",
    "Entry",
    "Note",
    "Section",
    "Span",
    "build_note",
    "clean",
    "has_rtl",
    "joined_footer",
    "plain_text",
]

MAX_EVIDENCE_IDS = 8
"""Most evidence ids listed after an item; the rest are counted (``+3 more``)."""

MAX_SECTION_ITEMS = 8
"""Most entries shown per section (after repeats are collapsed); the rest are counted."""

MAX_WARNINGS = 10
"""Most provenance warnings shown; the rest are counted."""

MAX_FACT_ITEMS = 12
"""Most facts shown: the "do not ask again" list gets more room than the other sections."""

OUTCOME_MARKS = {"succeeded": "✓", "failed": "✗", "pending": "…", "unknown": "?"}

Style = Literal["plain", "strong", "em", "value", "evidence", "mark"]
"""How a span reads. ``value`` marks text taken from the conversation or a model
(HTML isolates its direction); ``evidence`` is a ``(m3, m5)`` citation."""


@dataclass(frozen=True)
class Span:
    """A run of raw (unescaped) text with one style."""

    text: str
    style: Style = "plain"


Spans = tuple[Span, ...]


@dataclass(frozen=True)
class Entry:
    """One line of the note: an optional label and its content."""

    label: str | None
    body: Spans


@dataclass(frozen=True)
class Section:
    """A titled list of entries. ``key`` is stable (HTML class, tests)."""

    key: str
    title: str
    entries: tuple[Entry, ...]


@dataclass(frozen=True)
class Note:
    """Everything a renderer needs, already ordered and with empty parts left out."""

    summary: str
    headline: Spans
    overview: tuple[Entry, ...]
    sections: tuple[Section, ...]
    closing: tuple[Entry, ...]
    footer: tuple[str, ...]
    warnings: tuple[str, ...]
    summary_label: str = "Summary"
    title: str = "Handoff"
    """The note's name in its language (subject lines, notification text)."""


def plain_text(spans: Iterable[Span]) -> str:
    """The spans' text, concatenated (for formats without markup)."""
    return "".join(span.text for span in spans)


# -- span helpers ----------------------------------------------------------------


def _evidence(ids: Sequence[str]) -> list[Span]:  # ids and "+N more": the same in every language
    """`` (m3, m5)`` as spans, or nothing when there is no evidence."""
    unique = list(dict.fromkeys(clean(i, limit=40) for i in ids if i.strip()))
    if not unique:
        return []
    shown = unique[:MAX_EVIDENCE_IDS]
    more = len(unique) - len(shown)
    text = ", ".join(shown) + (f", +{more} more" if more else "")
    return [Span(" "), Span(f"({text})", "evidence")]


def _join(parts: Iterable[list[Span]], sep: str = " · ") -> list[Span]:
    out: list[Span] = []
    for part in parts:
        if not part:
            continue
        if out:
            out.append(Span(sep))
        out.extend(part)
    return out


def _value(text: str) -> Span:
    return Span(clean(text), "value")


# -- sections ------------------------------------------------------------------------


def _intent(intent: Intent, words: Labels) -> Entry | None:
    default = Intent()
    if intent == default:
        return None
    body = [_value(intent.label), Span(f" {percent(intent.confidence)}"), *_evidence(intent.evidence)]
    if intent.alternatives:
        alts = ", ".join(f"{clean(label)} {percent(conf)}" for label, conf in intent.alternatives[:3])
        body.append(Span(f" · {words['runner_up']}: {alts}"))
    return Entry(words["intent"], tuple(body))


def _urgency(urgency: Urgency, words: Labels) -> Entry | None:
    if urgency == Urgency():
        return None
    body = [Span(urgency.level, "strong" if urgency.level in ("high", "urgent") else "plain")]
    reasons = list(dict.fromkeys(clean(r) for r in urgency.reasons if r.strip()))
    if reasons:
        body += [Span(" — "), Span(clean("; ".join(reasons)), "value")]
    return Entry(words["urgency"], (*body, *_evidence(urgency.evidence)))


def _sentiment(sentiment: Sentiment, words: Labels) -> Entry | None:
    if sentiment == Sentiment():
        return None
    cues = [[Span(words.signal(s.kind)), *_evidence(s.evidence)] for s in sentiment.frustration_signals]
    parts = [
        [Span(sentiment.label)],
        [Span(words["repeat_contact"], "strong")] if sentiment.repeat_contact else [],
        [Span(f"{words['cues']}: "), *_join(cues, ", ")] if cues else [],
    ]
    return Entry(words["sentiment"], tuple(_join(parts)))


def _team(record: HandoffRecord, words: Labels) -> Entry | None:
    need = record.needed_expertise
    body: list[Span] = []
    if need.team:
        body.append(Span(clean(need.team), "strong"))
    if need.reason.strip():
        if body:
            body.append(Span(" — "))
        body.append(_value(need.reason))
    skills = [clean(s) for s in need.skills if s.strip()]
    if skills:
        body.append(Span((" " if body else "") + f"({words['skills']}: {', '.join(skills)})"))
    return Entry(words["team"], tuple(body)) if body else None


Row = tuple[str | None, tuple[Span, ...], list[str]]
"""A section line before collapsing: label, body without evidence, evidence ids."""


def _action(action: Action, words: Labels) -> Row:
    mark = OUTCOME_MARKS[action.outcome]
    body = (
        Span(mark, "mark"),
        Span(" "),
        Span(f"{words.actor(action.actor)}:", "strong"),
        Span(" "),
        _value(action.description),
        Span(f" — {words.outcome(action.outcome)}"),
    )
    return None, body, list(action.evidence)


def _due(commitment: Commitment, words: Labels) -> list[Span]:
    """`` — due Tuesday at 10am (2026-03-10 10:00 UTC)``: as written, then resolved."""
    written = clean(commitment.due or "", limit=80)
    iso = clean(commitment.due_iso or "", limit=40)
    if iso:
        iso = iso.replace("T", " ", 1).replace(":00+00:00", " UTC").replace("+00:00", " UTC")
        if len(iso) > 16 and iso[16:19] == ":00" and iso[19:20] in "+-":
            iso = iso[:16] + iso[19:]
    if written and iso:
        return [Span(f" — {words['due']} "), Span(written, "value"), Span(f" ({iso})")]
    if written or iso:
        return [Span(f" — {words['due']} "), Span(written or iso, "value")]
    return []


def _commitment(commitment: Commitment, words: Labels) -> Row:
    body = (
        Span(f"{words.actor(commitment.actor)}:", "strong"),
        Span(" "),
        _value(commitment.text),
        *_due(commitment, words),
    )
    return None, body, list(commitment.evidence)


def _collapse(rows: Sequence[Row], limit: int, words: Labels) -> tuple[Entry, ...]:
    """Rows as entries: exact repeats merged (``×3``, every message cited), then capped at ``limit``."""
    merged: dict[tuple[str | None, str], list[Any]] = {}
    for label, body, evidence in rows:
        key = (label, plain_text(body))
        seen = merged.get(key)
        if seen is None:
            merged[key] = [label, body, list(evidence), 1]
        else:
            seen[2].extend(e for e in evidence if e not in seen[2])
            seen[3] += 1
    entries = [
        Entry(
            label,
            (*body, *([Span(" "), Span(f"×{count}", "strong")] if count > 1 else []), *_evidence(evidence)),
        )
        for label, body, evidence, count in merged.values()
    ]
    if len(entries) > limit:
        more = len(entries) - limit
        entries = [*entries[:limit], Entry(None, (Span(words.more(more), "em"),))]
    return tuple(entries)


def _sections(record: HandoffRecord, max_items: int, words: Labels) -> tuple[Section, ...]:
    facts: list[Row] = [
        (
            words.kind(f.kind),
            (_value(f.value) if f.value is not None and not f.withheld else Span(words["not_stored"], "em"),),
            list(f.evidence),
        )
        for f in record.facts
    ]
    history: list[Row] = [
        (words.event(h.kind), (_value(h.description),), list(h.evidence)) for h in record.history
    ]
    questions: list[Row] = [(None, (_value(q.text),), list(q.evidence)) for q in record.open_questions]
    steps: list[Row] = [(None, (_value(s.text),), list(s.evidence)) for s in record.next_steps]
    fact_items = max(1, max_items * MAX_FACT_ITEMS // MAX_SECTION_ITEMS)
    actions = [_action(a, words) for a in record.actions_taken]
    commitments = [_commitment(c, words) for c in record.commitments]
    candidates = (
        Section("facts", words["facts"], _collapse(facts, fact_items, words)),
        Section("actions", words["actions"], _collapse(actions, max_items, words)),
        Section("commitments", words["commitments"], _collapse(commitments, max_items, words)),
        Section("history", words["history"], _collapse(history, max_items, words)),
        Section("open_questions", words["open_questions"], _collapse(questions, max_items, words)),
        Section("next_steps", words["next_steps"], _collapse(steps, max_items, words)),
    )
    return tuple(s for s in candidates if s.entries)


def _headline(record: HandoffRecord) -> Spans:
    parts: list[list[Span]] = []
    if record.intent != Intent():
        parts.append(
            [Span(clean(record.intent.label), "strong"), Span(f" {percent(record.intent.confidence)}")]
        )
    if record.urgency != Urgency():
        style: Style = "strong" if record.urgency.level in ("high", "urgent") else "plain"
        parts.append([Span("urgency "), Span(record.urgency.level, style)])
    if record.needed_expertise.team:
        parts.append([Span("→ "), Span(clean(record.needed_expertise.team), "strong")])
    return tuple(_join(parts))


def _footer(record: HandoffRecord) -> tuple[str, ...]:
    prov = record.provenance
    parts: list[str] = []
    if record.conversation_id:
        parts.append(f"conversation {clean(record.conversation_id)}")
    if record.message_count:
        parts.append(f"{record.message_count} message{'s' if record.message_count != 1 else ''}")
    backend = f"backend {clean(prov.backend)}"
    if prov.model:
        backend += f" ({clean(prov.model)})"
    parts.append(backend)
    if prov.template:
        parts.append(f"template {clean(prov.template)}")
    if prov.fallback_reason:
        parts.append(f"fallback: {clean(prov.fallback_reason)}")
    if prov.truncation is not None:
        count = len(prov.truncation.omitted)
        text = f"{count} message{'s' if count != 1 else ''} omitted from the model's view"
        if prov.truncation.reason.strip():
            text += f" ({clean(prov.truncation.reason)})"
        parts.append(text)
    parts.append(f"schema {clean(record.schema_version)}")
    return tuple(parts)


def build_note(record: HandoffRecord, *, max_items: int = MAX_SECTION_ITEMS) -> Note:
    """Lay ``record`` out as a note: summary, overview, sections, handoff, footer.

    ``max_items`` caps each section (facts get half as much again); see the module docstring.
    """
    words = labels(record.note_language)
    impact = (record.customer_impact or "").strip()
    overview = (
        _intent(record.intent, words),
        _urgency(record.urgency, words),
        Entry(words["impact"], (_value(impact),)) if impact else None,
        _sentiment(record.sentiment, words),
        _team(record, words),
        Entry(words["blocker"], (_value(record.blocker.description), *_evidence(record.blocker.evidence)))
        if record.blocker is not None
        else None,
    )
    handoff = record.handoff
    closing: list[Entry] = []
    if handoff.type or handoff.trigger:
        parts = [
            [Span(words.handoff_type(handoff.type))] if handoff.type else [],
            [Span(f"{words['trigger']}: "), Span(humanize(handoff.trigger), "value")]
            if handoff.trigger
            else [],
        ]
        closing.append(Entry(words["handoff"], (*_join(parts), *_evidence(handoff.evidence))))
    decision = handoff.decision
    if decision is not None:  # only when summarize was asked for it (escalation=)
        verdict = [Span(words["hand_off_now" if decision.escalate else "bot_can_continue"], "strong")]
        reasons = [[Span(clean(r.description)), *_evidence(r.evidence)] for r in decision.reasons]
        asks = ", ".join(words.kind(k, capitalize=False) for k in decision.missing)
        missing = [[Span(f"{words['still_to_ask']}: "), Span(asks, "value")]]
        parts = [verdict, *reasons, *(missing if decision.missing else [])]
        closing.append(Entry(words["escalation"], tuple(_join(parts))))
    return Note(
        summary=clean(record.summary),
        headline=_headline(record),
        overview=tuple(e for e in overview if e is not None),
        sections=_sections(record, max(1, max_items), words),
        closing=tuple(closing),
        footer=_footer(record),
        warnings=_warnings(record.provenance.warnings),
        summary_label=words["summary"],
        title=words["title"],
    )


def _warnings(warnings: Sequence[str]) -> tuple[str, ...]:
    shown = list(dict.fromkeys(clean(w) for w in warnings if w.strip()))
    if len(shown) > MAX_WARNINGS:
        more = len(shown) - (MAX_WARNINGS - 1)
        shown = [*shown[: MAX_WARNINGS - 1], f"+{more} more warnings (see provenance.warnings)"]
    return tuple(shown)


def joined_footer(note: Note) -> str:
    """The footer parts on one line."""
    return " · ".join(note.footer)
