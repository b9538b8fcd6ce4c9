"""The blocker's candidates, each with its tier: a failed step or tool call, a refusal or a
finding said by a bot or an agent, the customer's problem line, the customer's open request.

Split from :mod:`.blocker`, which reads a conversation through these and chooses among what
they give (and when the customer says it is solved); the text readers they use are in
:mod:`.blocker_read` and the blocker's own phrases in :mod:`.blocker_text`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from ..models import Action, Blocker, Conversation, Message
from .blocker_read import (
    MAX_EVIDENCE,
    diagnosis,
    may_state_problem,
    note_finding,
    phrase_spans,
    problem_starts,
    tool_error,
)
from .blocker_text import BlockerPhrases, phrase_gate
from .dialogue import reply_outcome, unhandled
from .dialogue_data import DialoguePhrases, DialogueReader
from .identity_cache import by_identity
from .phrases import CueReader, char_offset, tokens
from .ruleset import RuleSet
from .sentences import sentence_at, sentence_spans, shorten

__all__ = [
    "OUTCOMES",
    "PROBLEM",
    "REQUEST",
    "STRONG",
    "WEAK",
    "Candidate",
    "failures",
    "may_be_said",
    "open_request",
    "outcome",
    "positions",
    "problem_line",
    "refusal_at",
    "said_keys",
    "staff_said",
    "thanks",
]

STRONG, PROBLEM, REQUEST, WEAK = 3, 2, 1, 0
"""Tiers: a failure, refusal or finding; a problem line; an open request; an outburst or thanks."""


@dataclass
class Candidate:
    """A possible blocker: the message index it stands at, its tier, and its kind (``failure``,
    ``steps``, ``refusal``, ``note``, ``problem``); ``reaction``: a line that only reacts."""

    position: int
    tier: int
    blocker: Blocker
    reaction: bool = False
    kind: str = "problem"


def positions(conversation: Conversation) -> dict[str, int]:
    return {m.id: i for i, m in enumerate(conversation.messages)}


def failures(actions: Sequence[Action], order: dict[str, int]) -> list[Candidate]:
    """Failed events, tool calls and bot/agent attempts; the customer's failed steps as one."""
    found: list[Candidate] = []
    steps: list[tuple[int, Action]] = []
    for action in actions:
        if not action.evidence or action.rule == "actions.rollup":
            continue
        if action.outcome != "failed" and (action.rule != "event" or not tool_error(action)):
            continue
        where = max(order.get(e, -1) for e in action.evidence)
        if where < 0:
            continue
        if action.actor == "customer":
            steps.append((where, action))
            continue
        found.append(
            Candidate(
                where,
                STRONG,
                Blocker(description=f"Failed: {action.description}", evidence=list(action.evidence)),
                kind="failure",
            )
        )
    if steps:
        steps.sort(key=lambda s: s[0])
        where, last = steps[-1]
        if len(steps) == 1:
            description = f"Customer tried: {last.description}"
            evidence = list(last.evidence)
        else:
            description = f"Still not working after {len(steps)} steps tried; latest: {last.description}"
            evidence = list(dict.fromkeys(a.evidence[-1] for _, a in steps))[-MAX_EVIDENCE:]
        found.append(
            Candidate(
                where,
                STRONG,
                Blocker(description=shorten(description, 240), evidence=evidence),
                kind="steps",
            )
        )
    return found


@by_identity
def said_keys(phrases: DialoguePhrases, found: BlockerPhrases) -> tuple[frozenset[str], frozenset[str]]:
    """The key words of a refusal or a finding in a reply, and of a note's finding (built once)."""
    return (
        phrases.keywords["dialogue.refusal"] | found.keywords["finding"],
        phrases.keywords["dialogue.note_finding"] | found.keywords["note_finding"],
    )


def may_be_said(words: Sequence[str], phrases: DialoguePhrases, found: BlockerPhrases) -> bool:
    """Whether a reply's words may hold a refusal or a finding: :func:`staff_said`'s own two word
    gates, without its call (one reply in nine holds a key word of one, one in eighty both of a
    phrase's)."""
    return phrase_gate(phrases.index, _REFUSALS).may_hold(words) or phrase_gate(
        found.index, _FINDING
    ).may_hold(words)


_REFUSAL = "dialogue.refusal"
_REFUSALS = (_REFUSAL,)
_FINDING = ("finding",)
_REQUEST = ("customer_request",)
OUTCOMES = ("dialogue.not_tried", "dialogue.succeeded", "dialogue.failed", "dialogue.partial")
"""The labels :func:`reply_outcome` reads."""


def refusal_at(reader: DialogueReader, text: str) -> int | None:
    """Token index of the first refusal phrase in a reply: ``reader.labels(text, "refusal")``'s
    entry, from the refusal phrases alone (a reply that may hold one, by its words, is scanned
    for them only; no later stage reads the reply's other dialogue labels)."""
    words = reader.words(text)
    index = reader.phrases.index
    if not phrase_gate(index, _REFUSALS).may_hold(words):
        return None
    return index.part(_REFUSALS).scan(words).get(_REFUSAL)


def outcome(reader: DialogueReader, text: str) -> str | None:
    """``reply_outcome`` of a customer line, from the outcome phrases alone (the line's other
    dialogue labels are read by no one after the blocker); not scanned when its words hold none."""
    words = reader.words(text)
    index = reader.phrases.index
    labels = index.part(OUTCOMES).scan(words) if phrase_gate(index, OUTCOMES).may_hold(words) else {}
    return reply_outcome(labels, words, reader.phrases)


def _sentence_with_reason(text: str, position: int, phrases: DialoguePhrases) -> str:
    """The sentence at ``position``, and the next one when it gives the reason."""
    spans = list(sentence_spans(text))
    for n, (start, end) in enumerate(spans):
        if start <= position < end:
            sentence = " ".join(text[start:end].split())
            if n + 1 < len(spans) and "dialogue.reason" not in phrases.index.scan(tokens(sentence)):
                following = " ".join(text[spans[n + 1][0] : spans[n + 1][1]].split())
                labels = phrases.index.scan(tokens(following))
                if labels.get("dialogue.reason") in (0, 1) or "policy" in following.lower():
                    sentence = f"{sentence} {following}"
            return sentence
    return " ".join(text.split())


def staff_said(message: Message, reader: DialogueReader, found: BlockerPhrases) -> Candidate | None:
    """A refusal by the bot or an agent, a diagnosis stated in a reply, or an internal note's finding."""
    phrases = reader.phrases
    if message.kind == "message":
        refusal = refusal_at(reader, message.text)
        if refusal is not None:
            at = char_offset(message.text.lower().replace("’", "'"), refusal)
            quote = shorten(unhandled(_sentence_with_reason(message.text, at, phrases)), 200)
            return Candidate(
                0,
                STRONG,
                Blocker(description=f"Declined by the {message.role}: “{quote}”", evidence=[message.id]),
                kind="refusal",
            )
        finding = diagnosis(message.text, reader.words(message.text), found)
        if finding is None:
            return None
        return Candidate(
            0,
            STRONG,
            Blocker(description=f"Found by the {message.role}: {finding}", evidence=[message.id]),
            kind="note",
        )
    if message.kind == "note" and message.role == "agent":
        if "openai_role" in message.metadata:  # a system prompt, not an agent's finding
            return None
        noted = note_finding(message.text, reader, found)
        if noted is None:
            return None
        return Candidate(
            0, STRONG, Blocker(description=f"Internal note: {noted}", evidence=[message.id]), kind="note"
        )
    return None


def _shouted(sentence: str) -> bool:
    letters = [c for c in sentence if c.isalpha()]
    upper = sum(1 for c in letters if c.isupper())
    return ("!!" in sentence) or (len(letters) >= 6 and upper / len(letters) > 0.7)


def problem_line(
    message: Message,
    index: int,
    answered_after: int,
    rules: RuleSet,
    cues: CueReader,
    phrases: DialoguePhrases,
    found: BlockerPhrases,
) -> Candidate | None:
    """The customer's problem line in ``message``: the first sentence that is one."""
    if not may_state_problem(message, cues, found):
        return None  # most lines: no problem cue, no word of the blocker's own, no error code
    text = message.text.replace("’", "'")
    positions = problem_starts(message, text, rules, cues, found)
    weak: Candidate | None = None
    figures: list[tuple[int, int]] | None = None  # "can't wait" spans, found once (not per match)
    for position in positions:
        if figures is None:
            figures = phrase_spans(phrases.not_problem, text, cues.words(message.text))
        if any(start <= position < end for start, end in figures):
            continue
        sentence = sentence_at(message.text, position)
        if sentence.rstrip().endswith("?") and answered_after > index:
            continue  # a question a bot or agent has since answered
        labels = phrases.index.scan(tokens(sentence))
        candidate = Candidate(
            index,
            PROBLEM,
            Blocker(description=sentence, evidence=[message.id]),
            reaction="dialogue.reaction" in labels,
        )
        if (
            _shouted(sentence)
            or cues.has("threat_to_leave", sentence)
            or cues.has("positive", sentence)
            or cues.has("negative", sentence)
        ):
            # an outburst, a threat, anger ("your service is absolute rubbish"), or thanks
            # ("thank you for taking my issue seriously"): a plainer statement says more
            candidate.tier = WEAK
            weak = weak or candidate
            continue
        return candidate
    return weak


def thanks(message: Message, cues: CueReader) -> bool:
    """A thank-you that opens the message ("Thank you for taking my issue seriously"), no question."""
    return _opens_with_thanks(cues.labels(message.text), message.text)


def _opens_with_thanks(labels: dict[str, int], text: str) -> bool:
    """:func:`thanks` from the message's cue ``labels`` and ``text``."""
    at = labels.get("positive")
    return at is not None and at <= 3 and "?" not in text


_PRAISE = re.compile(
    r"\b(?:like|want|wanted|need)\s+to\s+(?:thank|say\s+thanks?|compliment|praise)\b", re.IGNORECASE
)


def open_request(
    problems: list[tuple[int, Message]], resolved_at: int, answered_at: int, reader: DialogueReader
) -> Candidate | None:
    """The customer's latest request ("I need to pay my fee"), when no problem is stated.

    Work done after it (a "done" statement, a successful log) or a later thank-you from the
    customer ("Great, thanks!") says it was met.
    """
    cues = reader.cues  # the memos' bound lookups, read once (``reader.cues`` is a weak proxy)
    labels_of, words_of = cues.labels, cues.words
    request_words = reader.phrases.key_words(_REQUEST)
    for index, message in reversed(problems):
        if index <= resolved_at:
            return None
        text = message.text
        labels = labels_of(text)
        if _opens_with_thanks(labels, text) and "problem" not in labels:
            return None
        if request_words.isdisjoint(words_of(text)):
            continue  # no request phrase can be there (``reader.labels`` would say so, after a call)
        at = reader.labels(text, *_REQUEST).get("dialogue.customer_request")
        if at is None:
            continue
        sentence = sentence_at(message.text, char_offset(message.text.lower().replace("’", "'"), at))
        if (sentence.rstrip().endswith("?") and answered_at > index) or len(sentence.split()) < 5:
            continue  # answered, or too thin to act on ("I need help.")
        if _PRAISE.search(sentence):
            continue  # "I would like to thank your staff at Incheon": nothing to do

        return Candidate(
            index,
            REQUEST,
            Blocker(description=f"Open request: {unhandled(sentence)}", evidence=[message.id]),
        )
    return None
