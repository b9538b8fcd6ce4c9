"""Token counting, budget selection, chunking and cost estimates for model backends.

Counting uses tiktoken: the model's own encoding when tiktoken knows the model,
``cl100k_base`` for ``gpt-4``/``gpt-3.5`` names it does not, and ``o200k_base``
otherwise (gpt-4o, gpt-4.1, o-series and the default for other servers, whose
tokenizers we cannot know). tiktoken downloads encodings on first use; set
``TIKTOKEN_CACHE_DIR`` to a folder holding them to work offline.

When no encoding can be loaded, counts are an **estimate** —
the larger of ``ceil(ascii_characters / 4) + non_ascii_characters`` and the number of
pieces (letter runs, digit runs cut every 3 digits, punctuation marks). It errs high:
about 4 characters per token is typical of English with these encodings, every
non-ASCII character counted as a token covers scripts (CJK, Thai) that use one or more
tokens per character, and the piece count covers ids, numbers and punctuation, which
tokenize far denser than prose. ``TokenCounter.estimated`` is then ``True`` and one ``RuntimeWarning``
is emitted per process.

A conversation over budget is reduced by ``select_messages`` to the messages that
matter, and every omitted id is reported; nothing is cut silently.
"""

from __future__ import annotations

import logging
import math
import re
import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .exceptions import UsageError
from .models import Conversation, Message, Truncation
from .prompting import gap_line, transcript_line
from .rules.compose import problem_statement
from .rules.phrases import CueReader
from .rules.ruleset import load_rules

__all__ = [
    "DEFAULT_ENCODING",
    "LATEST_TURNS",
    "Selection",
    "TokenCounter",
    "chunk_messages",
    "estimate_cost",
    "estimate_tokens",
    "omitted_ids",
    "select_messages",
]

if TYPE_CHECKING:
    from tiktoken import Encoding

logger = logging.getLogger("handoff_ai")

DEFAULT_ENCODING = "o200k_base"
LATEST_TURNS = 6
"""How many of the newest messages a budget selection always keeps."""
_TOKENS_PER_MESSAGE = 3  # OpenAI cookbook: <|start|>{role/name}\n{content}<|end|>\n
_TOKENS_PER_NAME = 1
_REPLY_PRIMING = 3  # every reply is primed with <|start|>assistant<|message|>
_LINE_OVERHEAD = 1  # the newline joining transcript lines
_ACTION_SHARE = 0.5  # action messages may take at most half the room left after the facts
_MIN_TRUNCATED = 16  # a must-keep message is cut to at least this many tokens, or dropped
_ELLIPSIS = " [...] "

_PIECES = re.compile(r"[^\W\d_]+|\d{1,3}|[^\w\s]")
_encodings: dict[str, Encoding | None] = {}  # name -> encoding, or None when it failed to load
_warned = False


def _load_encoding(name: str) -> Encoding | None:
    """The tiktoken encoding ``name``, or ``None`` when it cannot be loaded (tried once per process)."""
    if name not in _encodings:
        try:
            import tiktoken

            _encodings[name] = tiktoken.get_encoding(name)
        except Exception as exc:  # offline, no cache, corrupt file: estimate instead of failing
            logger.debug("tiktoken encoding %s unavailable: %s", name, type(exc).__name__)
            _encodings[name] = None
    return _encodings[name]


def _encoding_name(model: str | None) -> str:
    if not model:
        return DEFAULT_ENCODING
    try:
        import tiktoken

        return str(tiktoken.encoding_name_for_model(model))
    except Exception:  # unknown model (KeyError) or tiktoken unusable
        base = model.rsplit("/", 1)[-1].lower()  # "openai/gpt-4" -> "gpt-4"
        legacy = base.startswith(("gpt-3.5", "gpt-35")) or (
            base.startswith("gpt-4") and not base.startswith(("gpt-4o", "gpt-4.1", "gpt-4.5"))
        )
        return "cl100k_base" if legacy else DEFAULT_ENCODING


def estimate_tokens(text: str) -> int:
    """The documented estimate used when no encoding is available (errs high).

    The larger of ``ceil(ascii_chars / 4) + non_ascii_chars`` and the number of
    pieces (letter runs, digit runs split every 3 digits, punctuation marks): ids,
    numbers and punctuation tokenize far denser than prose.
    """
    ascii_chars = sum(1 for c in text if c < "\x80")
    by_chars = math.ceil(ascii_chars / 4) + (len(text) - ascii_chars)
    return max(by_chars, len(_PIECES.findall(text)))


class TokenCounter:
    """Counts tokens the way a model's tokenizer would, or estimates when it cannot.

    Args:
        model: the model name (``gpt-4.1-mini``); ``None`` counts with ``o200k_base``.

    Attributes:
        encoding_name: the tiktoken encoding used, or ``None`` when estimating.
        estimated: counts are the documented estimate, not real tokens.
    """

    def __init__(self, model: str | None = None) -> None:
        global _warned
        self.model = model
        name = _encoding_name(model)
        self._encoding = _load_encoding(name)
        self.encoding_name: str | None = name if self._encoding is not None else None
        self.estimated = self._encoding is None
        if self.estimated and not _warned:
            _warned = True
            warnings.warn(
                f"tiktoken encoding {name!r} could not be loaded (offline? set TIKTOKEN_CACHE_DIR); "
                "token counts are estimated (see handoff_ai.tokens.estimate_tokens)",
                RuntimeWarning,
                stacklevel=2,
            )

    def __repr__(self) -> str:
        return (
            f"TokenCounter(model={self.model!r}, encoding={self.encoding_name!r}, estimated={self.estimated})"
        )

    def count(self, text: str) -> int:
        """Tokens in ``text`` (special-token text such as ``<|endoftext|>`` counts as plain text)."""
        if self._encoding is None:
            return estimate_tokens(text)
        return len(self._encoding.encode_ordinary(text))

    def count_messages(self, messages: Iterable[Mapping[str, Any]]) -> int:
        """Prompt tokens of chat messages, with OpenAI's per-message overhead (cookbook rule:
        3 per message, 1 more per ``name``, 3 to prime the reply). Non-string values are skipped."""
        total = _REPLY_PRIMING
        for message in messages:
            total += _TOKENS_PER_MESSAGE
            for key, value in message.items():
                if isinstance(value, str):
                    total += self.count(value)
                    if key == "name":
                        total += _TOKENS_PER_NAME
        return total

    def truncate(self, text: str, max_tokens: int) -> str:
        """``text`` cut to about ``max_tokens``, keeping its head and tail around ``" [...] "``."""
        if self.count(text) <= max_tokens:
            return text
        keep = max(max_tokens - self.count(_ELLIPSIS), 2)
        head, tail = keep - keep // 3, keep // 3
        if self._encoding is None:
            chars = len(text) * keep // max(self.count(text), 1)
            while True:  # the estimate is not linear in characters: shrink until it fits
                head_chars, tail_chars = chars - chars // 3, chars // 3
                cut = text[:head_chars] + _ELLIPSIS + (text[-tail_chars:] if tail_chars else "")
                if chars <= 1 or self.count(cut) <= max_tokens:
                    return cut
                chars = chars * 9 // 10
        ids = self._encoding.encode_ordinary(text)
        start = self._encoding.decode(ids[:head])
        end = self._encoding.decode(ids[-tail:]) if tail else ""
        return start + _ELLIPSIS + end


# -- budget selection --------------------------------------------------------------------


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


# -- cost ----------------------------------------------------------------------------------


def estimate_cost(
    prompt_tokens: int,
    completion_tokens: int,
    model: str | None,
    prices: Mapping[str, tuple[float, float]] | None,
) -> float | None:
    """Cost in USD from a user-supplied price table, or ``None`` when no price is known.

    ``prices`` maps a model name to ``(input, output)`` USD per 1M tokens. The exact
    model name is looked up first, then the longest key the name starts with, so a
    ``"gpt-4.1-mini"`` entry prices ``"gpt-4.1-mini-2025-04-14"``. No prices are
    packaged: they change, and a wrong built-in number is worse than none.
    """
    if not prices or not model:
        return None
    price = prices.get(model)
    if price is None:
        prefixes = sorted((key for key in prices if key and model.startswith(key)), key=len, reverse=True)
        if not prefixes:
            return None
        price = prices[prefixes[0]]
    per_input, per_output = price
    return (prompt_tokens * per_input + completion_tokens * per_output) / 1_000_000
