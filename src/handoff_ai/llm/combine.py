"""Map-then-merge in code: one answer from the grounded answers of consecutive chunks.

The model's own merge step is tried first (``backends/_openai_base``); this is what a long
conversation falls back to when that step fails, so it lives apart from the exchange that asks.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..models.llm import LLMAction, LLMAnswer, LLMFact, LLMItem

__all__ = ["combine_answers"]


_URGENCY = ("low", "normal", "high", "urgent")


def combine_answers(answers: Sequence[LLMAnswer]) -> LLMAnswer:
    """One answer from grounded answers for consecutive chunks, merged in code.

    Facts (deduplicated by kind and value), actions, commitments (deduplicated by text
    and evidence), urgency reasons and intent evidence are pooled; urgency is the
    highest; summary, intent, sentiment, team, impact, blocker, open questions and next
    steps are the last chunk's that has one (later chunks are more recent).
    """
    if not answers:
        return LLMAnswer(summary="")

    def last(values: Sequence[Any]) -> Any:
        return next((v for v in reversed(values) if v), None)

    facts: list[LLMFact] = []
    seen: set[tuple[str, str | None]] = set()
    for answer in answers:
        for fact in answer.facts:
            key = (fact.kind, fact.value)
            if key not in seen:
                seen.add(key)
                facts.append(fact)
    actions: list[LLMAction] = [a for answer in answers for a in answer.actions_taken]
    intents = [a.intent for a in answers if a.intent and a.intent != "unknown"]
    intent = intents[-1] if intents else "unknown"
    intent_evidence = list(dict.fromkeys(e for a in answers if a.intent == intent for e in a.intent_evidence))
    blocker: LLMItem | None = last([a.blocker for a in answers])
    return LLMAnswer(
        summary=last([a.summary.strip() for a in answers]) or "",
        intent=intent,
        intent_evidence=intent_evidence,
        customer_impact=last([a.customer_impact for a in answers]),
        urgency=max((a.urgency for a in answers), key=_URGENCY.index),
        urgency_reasons=list(dict.fromkeys(r for a in answers for r in a.urgency_reasons)),
        sentiment=answers[-1].sentiment,
        actions_taken=actions,
        blocker=blocker,
        team=last([a.team for a in answers]),
        facts=facts,
        open_questions=last([a.open_questions for a in answers]) or [],
        next_steps=last([a.next_steps for a in answers]) or [],
        commitments=list({(c.text, tuple(c.evidence)): c for a in answers for c in a.commitments}.values()),
    )
