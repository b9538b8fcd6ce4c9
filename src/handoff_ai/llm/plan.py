"""Budget and chunk planning for the OpenAI backends: what one extraction sends (pure).

The prompt is counted; within ``budget_tokens`` the whole conversation goes in one
call. Over it, the conversation is chunked for map-then-merge (at most ``max_chunks``
chunk calls) when the chunks can hold all of it, otherwise reduced to the messages
that matter in one call. The rules record says which messages carry facts and
actions; what was left out is listed in the plan's ``truncation``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from ..exceptions import ConfigError
from ..models import Conversation, HandoffRecord, Message
from ..models.record import Truncation
from .budget import chunk_messages, omitted_ids, select_messages
from .tokens import TokenCounter

__all__ = ["CHUNK_SLACK", "Plan", "part_of", "plan_parts"]

CHUNK_SLACK = 0.9  # chunk packing leaves room unused at chunk ends


def part_of(conversation: Conversation, messages: Sequence[Message]) -> Conversation:
    """The conversation restricted to ``messages`` (what the model saw)."""
    return Conversation(
        id=conversation.id,
        messages=list(messages),
        channels=list(conversation.channels),
        participants=list(conversation.participants),
        metadata=dict(conversation.metadata),
    )


@dataclass
class Plan:
    """What will be sent: one part (one call) or several chunks (map-then-merge)."""

    parts: list[list[Message]]
    truncation: Truncation | None = None
    fixed_overhead: int = 0
    prompt_tokens: int = 0
    warnings: list[str] = field(default_factory=list)


def plan_parts(
    conversation: Conversation,
    rules: HandoffRecord,
    *,
    prompt: Callable[[Sequence[Message] | None], list[dict[str, str]]],
    counter: TokenCounter,
    budget: int,
    max_chunks: int,
) -> Plan:
    """The plan for ``conversation`` under ``budget`` prompt tokens.

    Args:
        prompt: the chat messages for some of the conversation's messages (``None``: all).
        counter: counts the prompt's tokens for the model.

    Raises:
        ConfigError: the budget does not even cover the prompt's fixed overhead.
    """
    fixed = counter.count_messages(prompt([]))
    total = counter.count_messages(prompt(None))
    everything = list(conversation.messages)
    if total <= budget:
        return Plan(parts=[everything], fixed_overhead=fixed, prompt_tokens=total)
    room = budget - fixed
    if room <= 0:
        raise ConfigError(f"budget_tokens={budget} does not cover the prompt's fixed overhead of {fixed}")
    fact_ids = {e for f in rules.facts for e in f.evidence}
    action_ids = {e for a in rules.actions_taken for e in a.evidence}
    if max_chunks > 1 and total - fixed <= room * max_chunks * CHUNK_SLACK:
        chunks = chunk_messages(
            conversation,
            counter,
            room,
            max_chunks=max_chunks,
            fact_message_ids=fact_ids,
            action_message_ids=action_ids,
        )
        omitted = omitted_ids(conversation, chunks)
        truncation = None
        if omitted:
            truncation = Truncation(
                omitted=omitted, reason=f"{len(omitted)} messages did not fit in {max_chunks} chunks"
            )
        return Plan(
            parts=[list(c) for c in chunks],
            truncation=truncation,
            fixed_overhead=fixed,
            prompt_tokens=total,
        )
    selection = select_messages(
        conversation,
        counter,
        budget,
        fixed_overhead=fixed,
        fact_message_ids=fact_ids,
        action_message_ids=action_ids,
    )
    return Plan(
        parts=[selection.messages],
        truncation=selection.truncation(),
        fixed_overhead=fixed,
        prompt_tokens=fixed + selection.tokens,
    )
