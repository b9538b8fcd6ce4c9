"""Merging a model's commitments with the rules': every rules promise kept, a model's
only where the messages it cites say it.

A model commitment is kept when

* it cites at least one message of the conversation said by the bot or an agent (a
  promise is not the customer's; an internal note counts);
* its words are there: at least half of its content words (stemmed, stopwords
  aside), and two or more, occur in the cited bot/agent messages — a paraphrase
  passes, an invented promise does not;
* it is not one the rules already hold (a rules commitment citing the same message).

Its ``due`` is kept only when it occurs, as written, in a cited message; the ISO
date is then computed in code from that message's timestamp
(:mod:`handoff_ai.rules.due`), never taken from a model. Each drop is a warning
naming the item's position and the reason, never its text.
"""

from __future__ import annotations

from ..models import Commitment, Conversation, HandoffRecord
from ..models.llm import LLMAnswer
from ..models.record import FieldSource
from ..rules._text import STOPWORDS, words
from ..rules.commitments import languages, short
from .grounding_check import MAX_ITEMS, norm_value

__all__ = ["merge_commitments"]

_ID_WRAP = " \t\n[]()<>\"'`"


def _content(text: str) -> set[str]:
    return {w for w in words(text) if w not in STOPWORDS and w != "0" and len(w) > 2}


def merge_commitments(
    answer: LLMAnswer, rules: HandoffRecord, conversation: Conversation, warnings: list[str]
) -> tuple[list[Commitment], FieldSource]:
    """The rules' commitments, then the model's grounded ones (see the module docstring)."""
    merged = [c.model_copy(deep=True) for c in rules.commitments]
    covered = {i for c in merged for i in c.evidence}
    by_id = {m.id: m for m in conversation.messages}
    added = 0
    for index, item in enumerate(answer.commitments[:MAX_ITEMS]):
        where = f"commitments[{index}]"
        text = " ".join(item.text.split())
        found = (by_id.get(raw) or by_id.get(raw.strip(_ID_WRAP)) for raw in item.evidence)
        unique = {m.id: m for m in found if m is not None}
        cited = [m for m in unique.values() if m.role in ("bot", "agent")]
        if not text or not cited:
            warnings.append(f"{where}: no bot or agent message cited, dropped")
            continue
        if covered.intersection(m.id for m in cited):
            continue  # the rules already hold the promise made there
        said = set().union(*(_content(m.text) for m in cited))
        mine = _content(text)
        shared = mine & said
        if len(shared) < 2 or len(shared) * 2 < len(mine):
            warnings.append(f"{where}: not said in the cited messages, dropped")
            continue
        due = " ".join((item.due or "").split()) or None
        due_iso = None
        if due is not None:
            holder = next((m for m in cited if norm_value(due) in " ".join(m.text.casefold().split())), None)
            if holder is None:
                warnings.append(f"{where}: due not found in the cited messages, dropped")
                due = None
            else:
                when = holder.timestamp
                parsed = next((d for lang in languages() if (d := lang.due.find(due, when))), None)
                due_iso = parsed.iso if parsed else None
        merged.append(
            Commitment(
                text=short(text),
                due=due,
                due_iso=due_iso,
                actor=item.actor,
                evidence=[m.id for m in cited],
            )
        )
        covered.update(m.id for m in cited)
        added += 1
    if len(answer.commitments) > MAX_ITEMS:
        extra = len(answer.commitments) - MAX_ITEMS
        warnings.append(f"commitments: {extra} item(s) beyond the first {MAX_ITEMS} dropped")
    if not added:
        return merged, "rules"
    return merged, "merged" if rules.commitments else "llm"
