"""The blocker: the latest unresolved thing standing between the customer and a fix.

Candidates, strongest first:

* a failed tool call, event or bot/agent attempt, with its reason (error code,
  HTTP status, exception, message); a refused request with the stated reason
  ("not eligible for a refund because ..."); an internal note's finding; the
  steps the customer tried that did not help;
* the customer's latest problem or open request.

A customer line that only reacts to the last failure ("still crashes") does
not replace it, and the customer's line is never an emotional outburst (all
capitals, "!!"), a figure of speech ("can't wait"), or a question a bot or
agent has since answered. Anything the customer later says is solved (or, for
a refusal, accepts) is no blocker.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ..models import Action, Blocker, Conversation, Message
from .dialogue import reply_outcome
from .dialogue_data import DialoguePhrases, dialogue_phrases
from .phrases import CueReader, char_offset, tokens
from .ruleset import RuleSet, load_rules
from .sentences import sentence_at, sentence_spans, shorten

__all__ = ["find_blocker"]

_STRONG, _PROBLEM, _WEAK = 3, 2, 1
_MAX_EVIDENCE = 5


@dataclass
class _Candidate:
    position: int
    tier: int
    blocker: Blocker
    reaction: bool = False
    kind: str = "problem"


def _positions(conversation: Conversation) -> dict[str, int]:
    return {m.id: i for i, m in enumerate(conversation.messages)}


def _failures(actions: Sequence[Action], order: dict[str, int]) -> list[_Candidate]:
    """Failed events, tool calls and bot/agent attempts; the customer's failed steps as one."""
    found: list[_Candidate] = []
    steps: list[tuple[int, Action]] = []
    for action in actions:
        if action.outcome != "failed" or not action.evidence or action.rule == "actions.rollup":
            continue
        where = max(order.get(e, -1) for e in action.evidence)
        if where < 0:
            continue
        if action.actor == "customer":
            steps.append((where, action))
            continue
        found.append(
            _Candidate(
                where,
                _STRONG,
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
            evidence = list(dict.fromkeys(a.evidence[-1] for _, a in steps))[-_MAX_EVIDENCE:]
        found.append(
            _Candidate(
                where,
                _STRONG,
                Blocker(description=shorten(description, 240), evidence=evidence),
                kind="steps",
            )
        )
    return found


def _sentence_with_reason(text: str, position: int, phrases: DialoguePhrases) -> str:
    """The sentence at ``position``, and the next one when it gives the reason."""
    spans = list(sentence_spans(text))
    for n, (start, end) in enumerate(spans):
        if start <= position < end:
            sentence = " ".join(text[start:end].split())
            if n + 1 < len(spans) and "reason" not in phrases.blocker.scan(tokens(sentence)):
                following = " ".join(text[spans[n + 1][0] : spans[n + 1][1]].split())
                labels = phrases.blocker.scan(tokens(following))
                if labels.get("reason") in (0, 1) or "policy" in following.lower():
                    sentence = f"{sentence} {following}"
            return sentence
    return " ".join(text.split())


def _said(message: Message, cues: CueReader, phrases: DialoguePhrases) -> _Candidate | None:
    """A refusal by the bot or an agent, or an internal note's finding."""
    words = cues.words(message.text)
    labels = phrases.blocker.scan(words)
    lowered = message.text.lower().replace("’", "'")
    if message.kind == "message" and "refusal" in labels:
        at = char_offset(lowered, labels["refusal"])
        quote = shorten(_sentence_with_reason(message.text, at, phrases), 200)
        return _Candidate(
            0,
            _STRONG,
            Blocker(description=f"Declined by the {message.role}: “{quote}”", evidence=[message.id]),
            kind="refusal",
        )
    if message.kind == "note" and message.role == "agent" and "note_finding" in labels:
        if "openai_role" in message.metadata:  # a system prompt, not an agent's finding
            return None
        at = char_offset(lowered, labels["note_finding"])
        quote = shorten(sentence_at(message.text, at), 200)
        return _Candidate(
            0, _STRONG, Blocker(description=f"Internal note: {quote}", evidence=[message.id]), kind="note"
        )
    return None


def _shouted(sentence: str) -> bool:
    letters = [c for c in sentence if c.isalpha()]
    upper = sum(1 for c in letters if c.isupper())
    return ("!!" in sentence) or (len(letters) >= 6 and upper / len(letters) > 0.7)


def _problem(
    message: Message,
    index: int,
    answered_after: int,
    rules: RuleSet,
    cues: CueReader,
    phrases: DialoguePhrases,
) -> _Candidate | None:
    """The customer's problem line in ``message``: the first sentence that is one."""
    if not cues.has("problem", message.text):
        return None
    text = message.text.replace("’", "'")
    weak: _Candidate | None = None
    for match in rules.cues["problem"].finditer(text):
        if any(m.start() <= match.start() < m.end() for m in phrases.not_problem.finditer(text)):
            continue
        sentence = sentence_at(message.text, match.start())
        if sentence.rstrip().endswith("?") and answered_after > index:
            continue  # a question a bot or agent has since answered
        labels = phrases.blocker.scan(tokens(sentence))
        candidate = _Candidate(
            index,
            _PROBLEM,
            Blocker(description=sentence, evidence=[message.id]),
            reaction="reaction" in labels,
        )
        if _shouted(sentence) or cues.has("threat_to_leave", sentence):
            candidate.tier = _WEAK
            weak = weak or candidate
            continue
        return candidate
    return weak


def find_blocker(
    conversation: Conversation,
    actions: Sequence[Action],
    cues: CueReader,
    phrases: DialoguePhrases | None = None,
    rules: RuleSet | None = None,
) -> Blocker | None:
    """The latest unresolved problem, or ``None`` if there is none or it was solved."""
    phrases = phrases or dialogue_phrases()
    rules = rules or load_rules()
    messages = conversation.messages
    order = _positions(conversation)
    candidates = _failures(actions, order)
    resolved_at = accepted_at = answered_at = -1
    for action in actions:
        if action.actor == "customer" and action.outcome == "succeeded" and action.evidence:
            resolved_at = max(resolved_at, max(order.get(e, -1) for e in action.evidence))
    problems: list[tuple[int, Message]] = []
    for index, message in enumerate(messages):
        if message.role in ("bot", "agent") and message.kind in ("message", "note"):
            said = _said(message, cues, phrases)
            if said is not None:
                said.position = index
                candidates.append(said)
            if message.kind == "message" and not cues.has("bot_failure", message.text):
                answered_at = index
        elif message.role == "customer" and message.kind == "message":
            if cues.has("resolved", message.text) and reply_outcome(
                cues.words(message.text), phrases
            ) not in (
                "failed",
                "partial",
            ):  # "that worked for the login but not the export" solves nothing
                resolved_at = index
            accepts = "accepted" in phrases.blocker.scan(cues.words(message.text))
            if accepts and not cues.has("problem", message.text):
                accepted_at = index
            problems.append((index, message))
    last_answer = answered_at
    for index, message in problems:
        found = _problem(message, index, last_answer, rules, cues, phrases)
        if found is not None:
            candidates.append(found)
    open_ = [
        c
        for c in candidates
        if c.position > resolved_at and not (c.kind == "refusal" and c.position < accepted_at)
    ]
    return _choose(open_)


def _latest(candidates: list[_Candidate]) -> _Candidate | None:
    """The latest candidate; at one position a refusal or note beats a bare failure."""
    rank = {"refusal": 3, "note": 2, "failure": 1, "steps": 1, "problem": 0}
    return max(candidates, key=lambda c: (c.position, rank[c.kind]), default=None)


def _choose(candidates: list[_Candidate]) -> Blocker | None:
    strong = _latest([c for c in candidates if c.tier == _STRONG])
    problem = _latest([c for c in candidates if c.tier == _PROBLEM and not c.reaction])
    if strong is not None and (problem is None or problem.position <= strong.position):
        return strong.blocker
    if problem is not None:
        return problem.blocker
    reaction = _latest([c for c in candidates if c.tier == _PROBLEM])
    if reaction is not None:
        return reaction.blocker
    weak = _latest([c for c in candidates if c.tier == _WEAK])
    return weak.blocker if weak is not None else None
