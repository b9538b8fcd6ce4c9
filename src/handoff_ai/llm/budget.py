"""Fitting a conversation into a model's token budget: selection and chunking.

Built on the counts of :mod:`handoff_ai.llm.tokens`: what a
model sees when the transcript does not fit, chosen by what matters for a
handoff, with every omitted or shortened message reported so nothing is cut
silently.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from ..exceptions import UsageError
from ..models import Conversation, Message, Truncation
from ..rules.compose import problem_statement
from ..rules.phrases import CueReader
from ..rules.ruleset import load_rules
from .prompting import gap_line, transcript_line
from .tokens import TokenCounter

__all__ = ["LATEST_TURNS", "Selection", "chunk_messages", "omitted_ids", "select_messages"]

LATEST_TURNS = 6
"""How many of the newest messages a budget selection always keeps."""
_LINE_OVERHEAD = 1  # the newline joining transcript lines
_ACTION_SHARE = 0.5  # action messages may take at most half the room left after the facts
_MIN_TRUNCATED = 16  # a must-keep message is cut to at least this many tokens, or dropped


@dataclass
class Selection:
    """The messages a model will see, and what was left out.

    Attributes:
        messages: the kept messages in conversation order (a truncated message is a copy
            with shortened text).
        omitted: ids of every message not shown, in conversation order.
        reason: why, in words and counts (never transcript text); empty when all fit.
        truncated: ids of messages shown with shortened text.
        tokens: transcript tokens of the kept messages and the gap lines between them.
    """

    messages: list[Message]
    omitted: list[str] = field(default_factory=list)
    reason: str = ""
    truncated: list[str] = field(default_factory=list)
    tokens: int = 0

    def truncation(self) -> Truncation | None:
        """For ``provenance.truncation``: ``None`` when nothing was omitted or cut."""
        if not self.omitted and not self.truncated:
            return None
        return Truncation(omitted=list(self.omitted), reason=self.reason)


def _cost(counter: TokenCounter, message: Message) -> int:
    return counter.count(transcript_line(message)) + _LINE_OVERHEAD


def _truncated(counter: TokenCounter, message: Message, room: int) -> Message | None:
    """A copy of ``message`` cut to at most half of ``room`` tokens (so one message cannot
    take all that is left), or ``None`` when too little room is left."""
    frame = _cost(counter, message.model_copy(update={"text": ""}))
    if room < frame + _MIN_TRUNCATED:
        return None
    room = max(room // 2, frame + _MIN_TRUNCATED)
    short = message.model_copy(update={"text": counter.truncate(message.text, room - frame)})
    return short if _cost(counter, short) <= room else None  # an estimated cut can overshoot


def _handoff_triggers(conversation: Conversation) -> list[str]:
    """Customer messages asking for a human or an escalation, and bot/agent transfers."""
    cues = CueReader(load_rules().phrases)
    found: list[str] = []
    for message in conversation.messages:
        if message.kind != "message":
            continue
        labels = cues.labels(message.text)
        asks = message.role == "customer" and ("handoff_request" in labels or "escalation_request" in labels)
        if asks or (message.role in ("bot", "agent") and "transfer" in labels):
            found.append(message.id)
    return found


def _problem_statement(conversation: Conversation) -> str | None:
    found = problem_statement(conversation, CueReader(load_rules().phrases))
    if found is None:
        found = next((m for m in conversation.messages if m.role == "customer"), None)
    return None if found is None else found.id


def select_messages(
    conversation: Conversation,
    counter: TokenCounter,
    budget: int,
    *,
    fixed_overhead: int = 0,
    fact_message_ids: Iterable[str] = frozenset(),
    action_message_ids: Iterable[str] = frozenset(),
) -> Selection:
    """The messages to show a model within ``budget`` prompt tokens.

    ``budget`` covers the whole prompt; ``fixed_overhead`` is what the prompt costs
    without transcript lines (system message, framing, message overhead). When the
    transcript does not fit, messages are kept in this priority order, each group
    in the order given:

    1. the customer's first statement of the problem (``rules.compose.problem_statement``,
       else the first customer message);
    2. messages carrying facts (``fact_message_ids``), oldest first;
    3. messages carrying actions (``action_message_ids``), newest first, using at most
       half of the room left — so a long run of logged events cannot crowd out 4 and 5
       (the merge re-adds rules actions on system events anyway);
    4. handoff triggers (a customer asking for a human or an escalation, found with the
       rules' ``handoff_request``/``escalation_request`` cues; a bot/agent ``transfer``), newest first;
    5. the ``LATEST_TURNS`` newest messages, newest first;
    6. every other message, newest first, skipping those that do not fit.

    A message of groups 1, 2, 4 or 5 too big for the room left is truncated (head and
    tail kept, listed in ``truncated`` and ``reason``). Every message not shown is
    listed in ``omitted``.

    Raises:
        UsageError: the budget does not even cover ``fixed_overhead``.
    """
    room = budget - fixed_overhead
    if room <= 0:
        raise UsageError(f"token budget {budget} does not cover the fixed prompt overhead {fixed_overhead}")
    messages = conversation.messages
    costs = [_cost(counter, m) for m in messages]
    total = sum(costs)
    if total <= room:
        return Selection(messages=list(messages), tokens=total)

    position = {m.id: i for i, m in enumerate(messages)}
    facts = set(fact_message_ids)
    actions = set(action_message_ids)
    first = _problem_statement(conversation)
    newest = list(range(len(messages) - 1, -1, -1))
    # (label, message indexes in the order tried, share of the room left it may use, may truncate)
    groups: list[tuple[str, list[int], float, bool]] = [
        ("first problem statement", [position[first]] if first in position else [], 1.0, True),
        ("facts", [i for i, m in enumerate(messages) if m.id in facts], 1.0, True),
        ("actions", [i for i in newest if messages[i].id in actions], _ACTION_SHARE, False),
        (
            "handoff trigger",
            sorted((position[i] for i in _handoff_triggers(conversation)), reverse=True),
            1.0,
            True,
        ),
        ("latest turns", newest[:LATEST_TURNS], 1.0, True),
    ]
    kept: dict[int, Message] = {}
    truncated: list[str] = []
    counts: dict[str, int] = {}
    # Each run of omitted messages shows as one gap line; keeping a message can split a run
    # (one more gap line), shorten it (no change) or join two kept stretches (one fewer).
    gap_cost = counter.count(gap_line(len(messages))) + _LINE_OVERHEAD
    last = len(messages) - 1

    def gaps_added(index: int) -> int:
        left_run = index > 0 and index - 1 not in kept
        right_run = index < last and index + 1 not in kept
        return (int(left_run) + int(right_run) - 1) * gap_cost

    left = room - gap_cost  # one gap line at least, since not everything fits
    for label, indexes, share, may_truncate in groups:
        allowance = int(left * share)
        for index in indexes:
            if index in kept:
                continue
            message = messages[index]
            extra = gaps_added(index)
            if costs[index] + extra <= min(left, allowance):
                kept[index] = message
                cost = costs[index] + extra
            elif may_truncate and (short := _truncated(counter, message, left - extra)) is not None:
                kept[index] = short
                cost = _cost(counter, short) + extra
                truncated.append(message.id)
            else:
                continue
            left -= cost
            allowance -= cost
            counts[label] = counts.get(label, 0) + 1
    for index in newest:
        if index not in kept and costs[index] + (extra := gaps_added(index)) <= left:
            kept[index] = messages[index]
            left -= costs[index] + extra
            counts["newest"] = counts.get("newest", 0) + 1

    order = sorted(kept)
    omitted = [m.id for i, m in enumerate(messages) if i not in kept]
    parts = ", ".join(f"{n} {label}" for label, n in counts.items())
    reason = (
        f"transcript of {len(messages)} messages needs ~{total} tokens but {room} are available "
        f"(budget {budget}, fixed overhead {fixed_overhead}); kept {len(order)} ({parts}), "
        f"omitted {len(omitted)}"
    )
    if truncated:
        reason += f"; truncated {', '.join(truncated)}"
    if counter.estimated:
        reason += "; token counts estimated"
    return Selection(
        messages=[kept[i] for i in order],
        omitted=omitted,
        reason=reason,
        truncated=truncated,
        tokens=room - left,
    )


def chunk_messages(
    conversation: Conversation,
    counter: TokenCounter,
    budget: int,
    *,
    max_chunks: int,
    fact_message_ids: Iterable[str] = frozenset(),
    action_message_ids: Iterable[str] = frozenset(),
) -> list[list[Message]]:
    """Consecutive chunks of at most ``budget`` transcript tokens each, for map-then-merge.

    ``budget`` is per chunk and covers the transcript block only — message lines and
    the gap lines standing for the rest of the conversation (subtract the prompt's
    fixed overhead first). A single message larger than ``budget`` is truncated.
    When more than ``max_chunks`` chunks would be needed, the conversation is first
    reduced with ``select_messages`` (same priorities; ``fact_message_ids`` and
    ``action_message_ids`` as there) to about ``max_chunks * budget`` tokens, so at
    most ``max_chunks`` chunks come back; the caller finds the omitted ids with
    ``omitted_ids(conversation, chunks)``.

    Raises:
        UsageError: ``budget`` or ``max_chunks`` is not positive.
    """
    if budget <= 0 or max_chunks <= 0:
        raise UsageError("chunk budget and max_chunks must be positive")
    chunks = _pack(conversation, conversation.messages, counter, budget)
    target = budget * max_chunks
    for _ in range(8):  # packing leaves slack at chunk ends: shrink the selection until it fits
        if len(chunks) <= max_chunks:
            break
        selection = select_messages(
            conversation,
            counter,
            target,
            fact_message_ids=fact_message_ids,
            action_message_ids=action_message_ids,
        )
        chunks = _pack(conversation, selection.messages, counter, budget)
        target = max(int(target * 0.85), 1 + _MIN_TRUNCATED)
    return chunks[:max_chunks]


def _pack(
    conversation: Conversation, messages: Sequence[Message], counter: TokenCounter, budget: int
) -> list[list[Message]]:
    """Greedy consecutive packing. Each chunk's prompt shows the rest of the conversation
    as gap lines: two around the chunk, one per hole inside it (after a selection)."""
    position = {m.id: i for i, m in enumerate(conversation.messages)}
    gap_cost = counter.count(gap_line(len(conversation.messages))) + _LINE_OVERHEAD
    room = max(budget - 2 * gap_cost, 1)
    chunks: list[list[Message]] = []
    current: list[Message] = []
    used = 0
    for message in messages:
        cost = _cost(counter, message)
        if cost > room:
            empty = _cost(counter, message.model_copy(update={"text": ""}))
            message = message.model_copy(
                update={"text": counter.truncate(message.text, max(room - empty, 1))}
            )
            cost = _cost(counter, message)
        if current and position[message.id] != position[current[-1].id] + 1:
            cost += gap_cost
        if current and used + cost > room:
            chunks.append(current)
            current, used = [], 0
            cost = _cost(counter, message)
        current.append(message)
        used += cost
    if current:
        chunks.append(current)
    return chunks


def omitted_ids(
    conversation: Conversation, shown: Iterable[Message] | Iterable[Sequence[Message]]
) -> list[str]:
    """Ids of ``conversation`` not among ``shown`` (messages, or chunks of messages)."""
    seen: set[str] = set()
    for item in shown:
        if isinstance(item, Message):
            seen.add(item.id)
        else:
            seen.update(m.id for m in item)
    return [m.id for m in conversation.messages if m.id not in seen]
