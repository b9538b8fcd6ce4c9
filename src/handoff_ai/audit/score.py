"""Scoring a handoff note against the handoff checklist, point by point, with evidence.

The checklist: issue summary, customer impact, actions taken (with outcome),
relevant history, needed expertise, next step/commitments — plus the facts the
customer gave that the note lacks ("the next person would have to ask for: order
id, email"). A note is free text a person or a bot wrote, or a ``HandoffRecord``.

Free text is read sentence by sentence with the cue lists of ``data/audit.toml``
(``[note]``); a part counts fully only when it is grounded — a message of the
conversation shares its words (issue, actions) or its cue (impact, history,
commitments) — and the messages are cited. Deterministic: no model, no randomness.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from ..models import Conversation, Fact, HandoffRecord
from ..parsers import load
from ..rules.facts import extract_facts
from ..rules.phrases import CueReader
from ..taxonomy import Taxonomy
from .cues import content_words, cues, normalize, sentences, tokens

__all__ = ["CHECKLIST", "MissingFact", "NotePart", "NoteScore", "score_note"]

CHECKLIST = (
    "issue_summary",
    "customer_impact",
    "actions_taken",
    "relevant_history",
    "needed_expertise",
    "next_steps",
)


class _Part(BaseModel):
    model_config = ConfigDict(extra="forbid")


class NotePart(_Part):
    """One checklist point: whether the note carries it, and why."""

    name: str
    score: float = Field(
        0.0, ge=0.0, le=1.0, description="1 carried and grounded, 0.5 carried only, 0 absent."
    )
    present: bool = False
    applicable: bool = Field(True, description="False when the conversation has nothing for it to carry.")
    detail: str = ""
    note_excerpt: str | None = Field(None, description="The sentence of the note that carries it.")
    evidence: list[str] = Field(default_factory=list, description="Conversation messages that support it.")


class MissingFact(_Part):
    """A fact the customer gave that the note does not carry (secrets are never listed)."""

    kind: str
    value: str
    evidence: list[str] = Field(default_factory=list)


class NoteScore(_Part):
    """How complete a handoff note is."""

    score: float = Field(0.0, description="Mean of the applicable checklist points, 0..1.")
    parts: list[NotePart] = Field(default_factory=list)
    missing_facts: list[MissingFact] = Field(default_factory=list)
    carried_facts: int = 0

    def part(self, name: str) -> NotePart:
        return next(p for p in self.parts if p.name == name)

    def ask_for(self) -> str:
        """ "the next person would have to ask for: order id, email" (empty when nothing is missing)."""
        kinds = list(dict.fromkeys(f.kind.replace("_", " ") for f in self.missing_facts))
        return f"the next person would have to ask for: {', '.join(kinds)}" if kinds else ""

    def explain(self) -> str:
        """One line per checklist point, then the missing facts."""
        lines = [f"note score {self.score:.2f}"]
        for p in self.parts:
            mark = "n/a" if not p.applicable else f"{p.score:.2f}"
            cite = f" [{', '.join(p.evidence)}]" if p.evidence else ""
            lines.append(f"  {p.name:<17} {mark:>4}  {p.detail}{cite}")
        if self.missing_facts:
            lines.append("  " + self.ask_for())
        return "\n".join(lines)


_NOT_ASKED = frozenset({"url"})
"""Kinds nobody asks a customer for again (a link they pasted)."""
_CLAUSE = re.compile(
    r"[,;]?\s+(?=(?:and|but|so|then|while|whereas)\s+(?:the\s+)?(?:agent|representative|rep|support|bot|assistant)\b)",
    re.IGNORECASE,
)
"""Where a sentence turns from the customer's side to the agent's ("..., and the agent offered ...")."""


def _first_actor(words: list[str], labels: dict[str, int]) -> str | None:
    """'customer' or 'agent': whoever the sentence names first (its subject, most often)."""
    customer = labels.get("customer_actor")
    agent = labels.get("agent_actor")
    if customer is None and agent is None:
        return None
    if agent is None or (customer is not None and customer < agent):
        return "customer"
    return "agent"


def _best(words: set[str], candidates: dict[str, set[str]], minimum: int = 1) -> list[str]:
    """Ids of the messages sharing the most content words with ``words`` (at least ``minimum``)."""
    scored = sorted(((len(words & theirs), mid) for mid, theirs in candidates.items()), key=lambda x: -x[0])
    top = scored[0][0] if scored else 0
    return [mid for shared, mid in scored[:2] if shared >= max(minimum, 1) and shared == top] if top else []


def _as_conversation(conversation: Any) -> Conversation:
    return conversation if isinstance(conversation, Conversation) else load(conversation)


def score_note(
    note: str | HandoffRecord, conversation: Any, *, taxonomy: Taxonomy | None = None
) -> NoteScore:
    """Score ``note`` (free text or a ``HandoffRecord``) against the handoff checklist.

    ``conversation``: the conversation the note hands off (a ``Conversation`` or anything
    :func:`handoff_ai.load` reads). Returns a :class:`NoteScore` whose parts cite messages.
    """
    conversation = _as_conversation(conversation)
    from .run import _recognizers

    table = cues()
    engine = CueReader(table.engine)
    facts = extract_facts(conversation, _recognizers(taxonomy), engine).facts
    if isinstance(note, HandoffRecord):
        parts = _record_parts(note, conversation)
        text = " ".join([note.summary, *(f.value or "" for f in note.facts)])
    else:
        text = str(note)
        parts = _text_parts(text, conversation, engine)
    missing, carried = _missing(facts, text)
    applicable = [p.score for p in parts if p.applicable]
    return NoteScore(
        score=round(sum(applicable) / len(applicable), 4) if applicable else 0.0,
        parts=parts,
        missing_facts=missing,
        carried_facts=carried,
    )


def _missing(facts: Sequence[Fact], text: str) -> tuple[list[MissingFact], int]:
    norm = normalize(text)
    digits = "".join(c for c in text if c.isdigit())
    missing: list[MissingFact] = []
    carried = 0
    for fact in facts:
        if fact.withheld or not fact.value or fact.kind in _NOT_ASKED:
            continue
        value_digits = "".join(c for c in fact.value if c.isdigit())
        if normalize(fact.value) in norm or (len(value_digits) >= 5 and value_digits in digits):
            carried += 1
        else:
            missing.append(MissingFact(kind=fact.kind, value=fact.value, evidence=list(fact.evidence)))
    return missing, carried


def _text_parts(text: str, conversation: Conversation, engine: CueReader) -> list[NotePart]:
    note_index = cues().note
    customer: dict[str, set[str]] = {}
    staff: dict[str, set[str]] = {}
    impact_ids: list[str] = []
    history_ids: list[str] = []
    commitment_ids: list[str] = []
    owners = {m.author for m in conversation.messages if m.role in ("bot", "agent") and m.author}
    for m in conversation.messages:
        if m.kind == "note" or not m.text:
            continue
        words = engine.words(m.text)
        labels = engine.labels(m.text)
        found = note_index.scan(words)
        if m.role == "customer":
            customer[m.id] = content_words(words)
            if "impact" in labels or "impact" in found:
                impact_ids.append(m.id)
            if "repeat_contact" in labels or "as_i_said" in labels:
                history_ids.append(m.id)
        elif m.role in ("bot", "agent"):
            staff[m.id] = content_words(words)
            if "next_step" in found:
                commitment_ids.append(m.id)
            if "transfer" in labels:
                history_ids.append(m.id)
        elif m.role == "system":
            history_ids.append(m.id) if "transfer" in labels or "escalat" in m.text.lower() else None
    has_history = bool(history_ids) or len(owners) > 1 or len(conversation.channels) > 1
    parts = {name: NotePart(name=name, detail="not in the note") for name in CHECKLIST}
    parts["customer_impact"].applicable = bool(impact_ids)
    parts["relevant_history"].applicable = has_history
    if not impact_ids:
        parts["customer_impact"].detail = "the conversation states no impact"
    if not has_history:
        parts["relevant_history"].detail = "no earlier contact or transfer in the conversation"
    pieces = [clause for sentence in sentences(text) for clause in _CLAUSE.split(sentence) if clause.strip()]
    for sentence in pieces:
        words = [
            w[:-2] if w.endswith("'s") else w for w in tokens(sentence)
        ]  # "customer's" names the customer
        labels = note_index.scan(words)
        mine = content_words(words)
        actor = _first_actor(words, labels)
        acts = (actor == "agent" and ("action" in labels or len(mine) >= 2)) or (
            actor is None and labels.get("action") == 0
        )
        if acts:
            evidence = _best(mine, staff)
            outcome = "outcome" in labels
            score = (0.5 + 0.5 * outcome) if evidence else (0.25 + 0.25 * outcome)
            _offer(
                parts["actions_taken"],
                score,
                sentence,
                evidence,
                "action with its outcome" if outcome else "action without an outcome",
            )
        elif actor != "agent":  # the customer's side: the problem
            evidence = _best(mine, customer)
            if evidence or actor == "customer":
                _offer(parts["issue_summary"], 1.0 if evidence else 0.5, sentence, evidence, "the problem")
        if "impact" in labels:
            evidence = [i for i in impact_ids if customer.get(i, set()) & mine][:2] or impact_ids[:1]
            _offer(parts["customer_impact"], 1.0 if evidence else 0.5, sentence, evidence, "customer impact")
        if "history" in labels:
            _offer(
                parts["relevant_history"], 1.0 if history_ids else 0.5, sentence, history_ids[:2], "history"
            )
        if "expertise" in labels:
            _offer(parts["needed_expertise"], 1.0, sentence, [], "who should take it")
        if "next_step" in labels and actor != "customer":
            evidence = _best(mine, {i: staff[i] for i in commitment_ids}) or commitment_ids[-1:]
            _offer(
                parts["next_steps"], 1.0 if evidence else 0.5, sentence, evidence, "next step or commitment"
            )
    return [parts[name] for name in CHECKLIST]


def _offer(part: NotePart, score: float, sentence: str, evidence: list[str], detail: str) -> None:
    """Keep the best-scoring sentence of the note for ``part``."""
    if score > part.score:
        part.score, part.present = score, True
        part.note_excerpt = sentence.strip()[:200]
        part.evidence = evidence
        part.detail = detail if evidence else f"{detail} (not found in the conversation)"


def _record_parts(record: HandoffRecord, conversation: Conversation) -> list[NotePart]:
    """A ``HandoffRecord`` carries each point in its own field, with its own evidence."""
    actions = record.actions_taken
    with_outcome = [a for a in actions if a.outcome != "unknown"]
    history = [e for e in record.history]
    parts = [
        NotePart(
            name="issue_summary",
            present=bool(record.summary),
            score=1.0 if record.summary else 0.0,
            detail="summary" if record.summary else "no summary",
            note_excerpt=record.summary or None,
            evidence=list(record.intent.evidence),
        ),
        NotePart(
            name="customer_impact",
            present=bool(record.customer_impact),
            score=1.0 if record.customer_impact else 0.0,
            note_excerpt=record.customer_impact,
            detail="customer_impact" if record.customer_impact else "no impact recorded",
        ),
        NotePart(
            name="actions_taken",
            present=bool(actions),
            score=1.0 if with_outcome else 0.5 if actions else 0.0,
            detail=f"{len(actions)} action(s), {len(with_outcome)} with an outcome",
            evidence=[e for a in actions for e in a.evidence][:4],
        ),
        NotePart(
            name="relevant_history",
            present=bool(history),
            score=1.0 if history else 0.0,
            applicable=bool(history) or len(conversation.channels) > 1,
            detail=f"{len(history)} history event(s)",
            evidence=[e for h in history for e in h.evidence][:4],
        ),
        NotePart(
            name="needed_expertise",
            present=bool(record.needed_expertise.team or record.needed_expertise.skills),
            score=1.0 if (record.needed_expertise.team or record.needed_expertise.skills) else 0.0,
            detail=record.needed_expertise.team or "no team",
        ),
        NotePart(
            name="next_steps",
            present=bool(record.next_steps),
            score=1.0 if record.next_steps else 0.0,
            detail=f"{len(record.next_steps)} next step(s)",
            evidence=[e for s in record.next_steps for e in s.evidence][:4],
        ),
    ]
    return parts
