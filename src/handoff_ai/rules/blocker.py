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

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from ..models import Action, Blocker, Conversation, Message
from .blocker_read import (
    MAX_EVIDENCE,
    acknowledged,
    diagnosis,
    may_state_problem,
    note_finding,
    phrase_spans,
    problem_starts,
    says_what_still_fails,
    tool_error,
    with_problem,
    with_reported_error,
)
from .blocker_text import BlockerPhrases, blocker_phrases, error_token
from .dialogue import reply_outcome, unhandled
from .dialogue_data import DialoguePhrases, DialogueReader, dialogue_phrases, dialogue_reader
from .phrases import CueReader, PhraseIndex, char_offset, tokens
from .ruleset import RuleSet, load_rules
from .sentences import sentence_at, sentence_spans, shorten

__all__ = ["find_blocker"]

_STRONG, _PROBLEM, _REQUEST, _WEAK = 3, 2, 1, 0


# A tool call's logged result that is an error: "-> 409 CONFLICT: …", "→ HTTP 503", "=> RATE_LIMITED".
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
            evidence = list(dict.fromkeys(a.evidence[-1] for _, a in steps))[-MAX_EVIDENCE:]
        found.append(
            _Candidate(
                where,
                _STRONG,
                Blocker(description=shorten(description, 240), evidence=evidence),
                kind="steps",
            )
        )
    return found


_SAID_WORDS: dict[tuple[int, int], tuple[frozenset[str], frozenset[str]]] = {}


def _said_words(phrases: DialoguePhrases, found: BlockerPhrases) -> tuple[frozenset[str], frozenset[str]]:
    """The key words of a refusal or a finding in a reply, and of a note's finding (built once)."""
    key = (id(phrases), id(found))
    words = _SAID_WORDS.get(key)
    if words is None:
        words = _SAID_WORDS[key] = (
            phrases.keywords["dialogue.refusal"] | found.keywords["finding"],
            phrases.keywords["dialogue.note_finding"] | found.keywords["note_finding"],
        )
    return words


_PARTS: dict[tuple[int, tuple[str, ...]], tuple[DialoguePhrases, PhraseIndex]] = {}


def _part_index(phrases: DialoguePhrases, labels: tuple[str, ...]) -> PhraseIndex:
    """The phrases of ``labels`` alone, in an index of their own (built once per phrase set): the
    first match of a label is the same in it as in the whole dialogue index, and a message is
    scanned for far fewer first words."""
    key = (id(phrases), labels)
    known = _PARTS.get(key)
    if known is None or known[0] is not phrases:
        if len(_PARTS) >= 16:
            _PARTS.clear()
        wanted: dict[str, list[str]] = {label: [] for label in labels}
        for label, words in phrases.index.phrase_words():
            if label in wanted:
                wanted[label].append(" ".join(words))
        known = _PARTS[key] = (phrases, PhraseIndex(wanted))
    return known[1]


_REFUSAL = "dialogue.refusal"
_OUTCOMES = ("dialogue.not_tried", "dialogue.succeeded", "dialogue.failed", "dialogue.partial")
"""The labels :func:`reply_outcome` reads."""


def _refusal_at(reader: DialogueReader, text: str) -> int | None:
    """Token index of the first refusal phrase in a reply: ``reader.labels(text, "refusal")``'s
    entry, from the refusal phrases alone (a reply with a refusal's key word is scanned for
    them only; no later stage reads the reply's other dialogue labels)."""
    words = reader.words(text)
    if reader.phrases.keywords[_REFUSAL].isdisjoint(words):
        return None
    return _part_index(reader.phrases, (_REFUSAL,)).scan(words).get(_REFUSAL)


def _outcome(reader: DialogueReader, text: str) -> str | None:
    """``reply_outcome`` of a customer line, from the outcome phrases alone (the line's other
    dialogue labels are read by no one after the blocker)."""
    words = reader.words(text)
    return reply_outcome(_part_index(reader.phrases, _OUTCOMES).scan(words), words, reader.phrases)


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


def _said(message: Message, reader: DialogueReader, found: BlockerPhrases) -> _Candidate | None:
    """A refusal by the bot or an agent, a diagnosis stated in a reply, or an internal note's finding."""
    phrases = reader.phrases
    if message.kind == "message":
        refusal = _refusal_at(reader, message.text)
        if refusal is not None:
            at = char_offset(message.text.lower().replace("’", "'"), refusal)
            quote = shorten(unhandled(_sentence_with_reason(message.text, at, phrases)), 200)
            return _Candidate(
                0,
                _STRONG,
                Blocker(description=f"Declined by the {message.role}: “{quote}”", evidence=[message.id]),
                kind="refusal",
            )
        finding = diagnosis(message.text, reader.words(message.text), found)
        if finding is None:
            return None
        return _Candidate(
            0,
            _STRONG,
            Blocker(description=f"Found by the {message.role}: {finding}", evidence=[message.id]),
            kind="note",
        )
    if message.kind == "note" and message.role == "agent":
        if "openai_role" in message.metadata:  # a system prompt, not an agent's finding
            return None
        noted = note_finding(message.text, reader, found)
        if noted is None:
            return None
        return _Candidate(
            0, _STRONG, Blocker(description=f"Internal note: {noted}", evidence=[message.id]), kind="note"
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
    found: BlockerPhrases,
) -> _Candidate | None:
    """The customer's problem line in ``message``: the first sentence that is one."""
    if not may_state_problem(message, cues, found):
        return None  # most lines: no problem cue, no word of the blocker's own, no error code
    text = message.text.replace("’", "'")
    positions = problem_starts(message, text, rules, cues, found)
    weak: _Candidate | None = None
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
        candidate = _Candidate(
            index,
            _PROBLEM,
            Blocker(description=sentence, evidence=[message.id]),
            reaction="dialogue.reaction" in labels,
        )
        if _shouted(sentence) or cues.has("threat_to_leave", sentence) or cues.has("positive", sentence):
            # an outburst, a threat, or thanks ("thank you for taking my issue seriously")
            candidate.tier = _WEAK
            weak = weak or candidate
            continue
        return candidate
    return weak


_NOT_A_FIX = re.compile(
    r"escalat|transfer|forward|notif|pulled up|passed|noted|recorded|verif", re.IGNORECASE
)


_HANDED_ON = re.compile(r"escalat|transfer|forward|pass(?:ed|ing)\s+(?:you|this|it)", re.IGNORECASE)
_NOT_A_FIX_LOW = re.compile(_NOT_A_FIX.pattern)
_HANDED_ON_LOW = re.compile(_HANDED_ON.pattern)


def _says(pattern: re.Pattern[str], lowered: re.Pattern[str], text: str) -> bool:
    """``pattern`` (case ignored) in ``text``; in ASCII text, ``lowered`` (the same, case-sensitive)
    in the lower-cased text: several times cheaper, as it can skip ahead to a first letter."""
    if text.isascii():
        return lowered.search(text.lower()) is not None
    return pattern.search(text) is not None


def _solved_by_step(actions: Sequence[Action], order: dict[str, int], clean: Callable[[int], bool]) -> int:
    """Where a step the customer took worked, when that was the end of it: a check that passed
    ("ran it, all tests passed") is no fix when its message says what still fails (``clean``
    is false there), a step fails at or after it, or the case is then handed on."""
    solved = -1
    for action in actions:
        if action.actor == "customer" and action.outcome == "succeeded" and action.evidence:
            at = max(order.get(e, -1) for e in action.evidence)
            if at >= 0 and clean(at):
                solved = max(solved, at)
    if solved < 0:
        return solved
    for action in actions:
        where = max((order.get(e, -1) for e in action.evidence), default=-1)
        if where < solved:
            continue
        if (action.outcome == "failed" and action.actor == "customer") or (
            action.actor in ("agent", "bot") and _says(_HANDED_ON, _HANDED_ON_LOW, action.description)
        ):
            return -1
    return solved


def _work_done(actions: Sequence[Action], conversation: Conversation) -> list[int]:
    """Where a bot or agent says, or a log shows, work done (not an escalation or a lookup)."""
    ids = {
        action.evidence[0]
        for action in actions
        if action.outcome == "succeeded"
        and action.evidence
        and (action.rule == "statement.done" or (action.rule == "event" and action.actor != "customer"))
        and not _says(_NOT_A_FIX, _NOT_A_FIX_LOW, action.description)
    }
    return [i for i, m in enumerate(conversation.messages) if m.id in ids] if ids else []


def _thanks(message: Message, cues: CueReader) -> bool:
    """A thank-you that opens the message ("Thank you for taking my issue seriously"), no question."""
    return _opens_with_thanks(cues.labels(message.text), message.text)


def _opens_with_thanks(labels: dict[str, int], text: str) -> bool:
    """:func:`_thanks` from the message's cue ``labels`` and ``text``."""
    at = labels.get("positive")
    return at is not None and at <= 3 and "?" not in text


def _request(
    problems: list[tuple[int, Message]], resolved_at: int, answered_at: int, reader: DialogueReader
) -> _Candidate | None:
    """The customer's latest request ("I need to pay my fee"), when no problem is stated.

    Work done after it (a "done" statement, a successful log) or a later thank-you from the
    customer ("Great, thanks!") says it was met.
    """
    for index, message in reversed(problems):
        if index <= resolved_at:
            return None
        if _thanks(message, reader.cues) and not reader.cues.has("problem", message.text):
            return None
        at = reader.labels(message.text, "customer_request").get("dialogue.customer_request")
        if at is None:
            continue
        sentence = sentence_at(message.text, char_offset(message.text.lower().replace("’", "'"), at))
        if (sentence.rstrip().endswith("?") and answered_at > index) or len(sentence.split()) < 5:
            continue  # answered, or too thin to act on ("I need help.")
        return _Candidate(
            index,
            _REQUEST,
            Blocker(description=f"Open request: {unhandled(sentence)}", evidence=[message.id]),
        )
    return None


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
    reader = dialogue_reader(cues, phrases)
    messages = conversation.messages
    bp = blocker_phrases()
    candidates: list[_Candidate] = []
    resolved_at = accepted_at = -1
    if any(
        a.outcome == "failed"
        or (a.actor == "customer" and a.outcome == "succeeded")
        or (a.rule == "event" and tool_error(a))
        for a in actions
    ):
        order = _positions(conversation)
        candidates = _failures(actions, order)
        resolved_at = _solved_by_step(
            actions, order, lambda at: not says_what_still_fails(messages[at], reader, bp)
        )
    done: list[int] | None = None  # found on first need: most conversations never ask
    problems: list[tuple[int, Message]] = []
    replies: list[int] = []
    said_words, note_words = _said_words(phrases, bp)
    # An acknowledgment ("ok.") is read in the customer's last message only.
    last_said = next(
        (
            i
            for i in range(len(messages) - 1, -1, -1)
            if messages[i].role == "customer" and messages[i].kind == "message"
        ),
        -1,
    )
    words_of, labels_of = cues.words, cues.labels  # memoized per text: bound lookups, no method calls
    for index, message in enumerate(messages):
        role, kind = message.role, message.kind
        if role == "bot" or role == "agent":
            if kind == "message":
                replies.append(index)
            if (kind == "message" and not said_words.isdisjoint(words_of(message.text))) or (
                kind == "note" and not note_words.isdisjoint(words_of(message.text))
            ):
                said = _said(message, reader, bp)
                if said is not None:
                    said.position = index
                    candidates.append(said)
        elif role == "customer" and kind == "message":
            text = message.text
            labels = labels_of(text)
            # "that worked for the login but not the export" solves nothing
            if "resolved" in labels and _outcome(reader, text) not in ("failed", "partial"):
                resolved_at = index
            elif (
                # :func:`_opens_with_thanks`, inline (every customer line)
                ((thanks := labels.get("positive")) is not None and thanks <= 3 and "?" not in text)
                or (index == last_said and acknowledged(message, cues, bp))
            ):
                if done is None:
                    done = _work_done(actions, conversation)
                if done and done[0] < index:
                    resolved_at = index  # "the bonus has been added" ... "Thank you!" / "ok."
            problems.append((index, message))
    if any(c.kind == "refusal" for c in candidates):  # did the customer accept it?
        for index, message in problems:
            accepts = "dialogue.accepted" in reader.labels(message.text, "accepted")
            if accepts and not cues.has("problem", message.text):
                accepted_at = index
    answered_at = next((i for i in reversed(replies) if not cues.has("bot_failure", messages[i].text)), -1)
    # Only the latest problem line counts (and, failing one, the latest reaction or outburst):
    # read from the end, and stop at the first plain problem or at the last resolution.
    for index, message in reversed(problems):
        if index <= resolved_at:
            break
        found = _problem(message, index, answered_at, rules, cues, phrases, bp)
        if found is not None:
            candidates.append(found)
            if found.tier == _PROBLEM and not found.reaction:
                break
    if not any(c.tier == _PROBLEM and not c.reaction for c in candidates):
        if done is None:
            done = _work_done(actions, conversation)
        request = _request(problems, max(resolved_at, done[-1] if done else -1), answered_at, reader)
        if request is not None:
            candidates.append(request)
    open_ = [
        c
        for c in candidates
        if c.position > resolved_at and not (c.kind == "refusal" and c.position < accepted_at)
    ]
    chosen = _choose(open_)
    if chosen is None:
        return None
    if chosen.description.startswith(("Customer tried:", "Still not working")):
        chosen, lead = with_problem(chosen, problems, rules, cues, phrases, bp)
        return with_reported_error(chosen, problems, lead)
    if chosen.description.startswith("Failed: ") and not error_token(chosen.description):
        # a bot's "your API key may be invalid": the error the customer reported says which
        said_by = next((m.role for m in messages if chosen.evidence and m.id == chosen.evidence[0]), None)
        if said_by in ("bot", "agent"):
            return with_reported_error(chosen, problems)
    own = next((p for p in problems if chosen.evidence and p[1].id == chosen.evidence[0]), None)
    if own is not None and not error_token(chosen.description):
        return with_reported_error(chosen, [own])  # "export job fails since Tuesday:" + "ERROR 1213 …"
    return chosen


_STICKY = ("refusal", "note")
_RANK = {"refusal": 3, "note": 2, "failure": 1, "steps": 1, "problem": 0}


def _choose(candidates: list[_Candidate]) -> Blocker | None:
    """The latest strong candidate, unless a plain problem line came after a failure.

    At one position a refusal or a note beats a bare failure. A customer line that
    only reacts ("still crashes") or shouts is used only when nothing else is open.
    """
    best: dict[str, _Candidate] = {}
    for c in candidates:
        kind = (
            "strong"
            if c.tier == _STRONG
            else "weak"
            if c.tier == _WEAK
            else "request"
            if c.tier == _REQUEST
            else "reaction"
            if c.reaction
            else "plain"
        )
        held = best.get(kind)
        if held is None or (c.position, _RANK[c.kind]) > (held.position, _RANK[held.kind]):
            best[kind] = c
    strong, plain = best.get("strong"), best.get("plain")
    # A refusal or a note's finding stands until solved or accepted; a failure until a new problem.
    if strong is not None and (plain is None or plain.position <= strong.position or strong.kind in _STICKY):
        return strong.blocker
    reaction = best.get("reaction")
    if strong is None and reaction is not None and (plain is None or reaction.position > plain.position):
        plain = reaction  # "still missing" restates the problem when no failure is on record
    chosen = plain or reaction or strong or best.get("request") or best.get("weak")
    return chosen.blocker if chosen is not None else None
