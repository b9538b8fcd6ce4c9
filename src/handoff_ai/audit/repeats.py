"""Repeats: the customer restating what they had already said.

Four ways a customer repeats, all read from the conversation alone:

* ``cue``: they say so ("as I said", "I already gave it to the bot", the engine's
  ``as_i_said`` list plus the audit's ``repeat`` list);
* ``fact``: a value they gave before appears again in their message (the fact's
  evidence cites both messages);
* ``reanswer``: that message answers a re-ask;
* ``issue``: they describe the problem again (most of the words of an earlier
  message of theirs, or the same text sent again).
"""

from __future__ import annotations

from collections.abc import Sequence

from ..models import Conversation, Fact
from .cues import normalize
from .models import Reask, Repeat

__all__ = ["find_repeats"]

_CONTEXT_KINDS = frozenset(
    {"place", "city", "amount", "date", "day", "time", "url", "membership", "error_code"}
)
"""Values a customer names again while talking ("still at JFK", "the $40 charge"): a repeat only
when they give it again because they were asked for it again."""
_LOOKBACK = 40
"""Earlier customer descriptions compared with each message (bounds the work on huge threads)."""
_MIN_WORDS = 4
"""Content words a message needs to count as a description of the problem."""
_MIN_SHARED = 3
_SHARE = 0.5


def find_repeats(
    conversation: Conversation,
    facts: Sequence[Fact],
    reasks: Sequence[Reask],
    said: dict[int, bool],
    words: dict[int, set[str]],
) -> list[Repeat]:
    """Every customer message that repeats an earlier one.

    ``said``: customer positions where they say they repeat themselves (a cue);
    ``words``: content words of each customer message by position.
    """
    messages = conversation.messages
    position = {m.id: i for i, m in enumerate(messages)}
    first_of: dict[int, list[tuple[int, str]]] = {}  # later position -> (first position, kind)
    for fact in facts:
        places = sorted(position[e] for e in fact.evidence if e in position)
        for later in places[1:]:
            first_of.setdefault(later, []).append((places[0], fact.kind))
    answering: dict[int, Reask] = {}  # the customer's first message after each re-ask
    for reask in reasks:
        start = position.get(reask.asked)
        if start is None:
            continue
        for i in range(start + 1, len(messages)):
            if messages[i].role == "customer" and messages[i].kind == "message":
                answering.setdefault(i, reask)
                break
    found: list[Repeat] = []
    earlier: list[tuple[int, set[str], str]] = []
    for i, message in enumerate(messages):
        if message.role != "customer" or message.kind != "message":
            continue
        reasons: list[str] = []
        of: list[str] = []
        kinds: list[str] = []
        if said.get(i):
            reasons.append("cue")
        answered = answering.get(i)
        for first, kind in first_of.get(i, ()):
            if kind in _CONTEXT_KINDS and answered is None:
                continue
            if "fact" not in reasons:
                reasons.append("fact")
            of.append(messages[first].id)
            kinds.append(kind)
        mine = words.get(i, set())
        if answered is not None and (reasons or (answered.kind == "issue" and len(mine) >= _MIN_WORDS - 1)):
            reasons.append("reanswer")
            of.append(answered.given)
        norm = normalize(message.text)
        for j, theirs, their_norm in earlier[-_LOOKBACK:]:
            shared = len(mine & theirs)
            same = len(norm) >= 12 and norm == their_norm
            if same or (
                len(mine) >= _MIN_WORDS
                and shared >= _MIN_SHARED
                and shared >= _SHARE * min(len(mine), len(theirs))
            ):
                if "issue" not in reasons:
                    reasons.append("issue")
                of.append(messages[j].id)
                break
        if len(mine) >= _MIN_WORDS or len(norm) >= 12:
            earlier.append((i, mine, norm))
        if reasons:
            found.append(
                Repeat(
                    message=message.id,
                    of=list(dict.fromkeys(of)),
                    reasons=reasons,
                    kinds=list(dict.fromkeys(kinds)),
                )
            )
    return found
