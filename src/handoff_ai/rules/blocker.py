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

The candidates are read in :mod:`.blocker_candidates`; this module reads the conversation
through them, finds where the case was solved, and chooses.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from itertools import compress
from operator import attrgetter

from ..models import Action, Blocker, Conversation, Message
from .blocker_candidates import (
    PROBLEM,
    REQUEST,
    STRONG,
    WEAK,
    Candidate,
    failures,
    may_be_said,
    open_request,
    outcome,
    positions,
    problem_line,
    said_keys,
    staff_said,
)
from .blocker_read import (
    acknowledged,
    says_what_still_fails,
    tool_error,
    with_problem,
    with_reported_error,
)
from .blocker_text import blocker_phrases, error_token, search_error_name
from .dialogue_data import DialoguePhrases, dialogue_phrases, dialogue_reader
from .handoff_cues import key_words
from .phrases import CueReader
from .ruleset import RuleSet, load_rules

__all__ = ["find_blocker"]

_BOT_FAILURE = frozenset({"bot_failure"})
_ID = attrgetter("id")
_DIGIT = re.compile(r"[\d_]")
_NOT_A_FIX = re.compile(
    r"escalat|transfer|forward|notif|pulled up|passed|noted|recorded|verif", re.IGNORECASE
)
_HANDED_ON = re.compile(r"escalat|transfer|forward|pass(?:ed|ing)\s+(?:you|this|it)", re.IGNORECASE)
_HANDED_ON_LOW = re.compile(_HANDED_ON.pattern)
_NOT_A_FIX_LOW = re.compile(_NOT_A_FIX.pattern)  # for :func:`_says` (tests compare the two forms)


def _says(pattern: re.Pattern[str], lowered: re.Pattern[str], text: str) -> bool:
    """``pattern`` (case ignored) in ``text``; in ASCII text, ``lowered`` (the same, case-sensitive)
    in the lower-cased text: several times cheaper, as it can skip ahead to a first letter."""
    if text.isascii():
        return lowered.search(text.lower()) is not None
    return pattern.search(text) is not None


def _not_a_fix(text: str) -> bool:
    """``_NOT_A_FIX`` (case ignored) in ``text``: in ASCII text, substring tests of its words on the
    lower-cased text (half the regex's time on a line without one; every logged success is read)."""
    if not text.isascii():
        return _NOT_A_FIX.search(text) is not None
    low = text.lower()
    return (
        "escalat" in low or "transfer" in low or "forward" in low or "notif" in low or "pulled up" in low
        or "passed" in low or "noted" in low or "recorded" in low or "verif" in low
    )  # fmt: skip


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
    ids = set()
    for action in actions:
        fields = action.__dict__  # a dict's item read: a pydantic model's attribute goes through a hook
        if (
            fields["outcome"] == "succeeded"
            and fields["evidence"]
            and (
                fields["rule"] == "statement.done"
                or (fields["rule"] == "event" and fields["actor"] != "customer")
            )
            and not _not_a_fix(fields["description"])
        ):
            ids.add(fields["evidence"][0])
    if not ids:
        return []
    messages = conversation.messages
    return list(compress(range(len(messages)), map(ids.__contains__, map(_ID, messages))))


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
    candidates: list[Candidate] = []
    resolved_at = accepted_at = -1
    for a in actions:  # any failure or step that worked: a loop, not a generator's calls
        fields = a.__dict__  # a dict's item read: a pydantic model's attribute goes through a hook
        if (
            fields["outcome"] == "failed"
            or (fields["outcome"] == "succeeded" and fields["actor"] == "customer")
            or (fields["rule"] == "event" and tool_error(a))
        ):
            order = positions(conversation)
            candidates = failures(actions, order)
            resolved_at = _solved_by_step(
                actions, order, lambda at: not says_what_still_fails(messages[at], reader, bp)
            )
            break
    done: list[int] | None = None  # found on first need: most conversations never ask
    problems: list[tuple[int, Message]] = []
    replies: list[int] = []
    said_words, note_words = said_keys(phrases, bp)
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
        # A model's fields from its ``__dict__``: a pydantic model's attribute read goes through its
        # ``__getattr__`` hook, a dict's item read does not (most messages need two or three fields).
        fields = message.__dict__
        role = fields["role"]
        if role == "customer":
            if fields["kind"] != "message":
                continue
            text = fields["text"]
            labels = labels_of(text)
            # "that worked for the login but not the export" solves nothing
            if "resolved" in labels and outcome(reader, text) not in ("failed", "partial"):
                resolved_at = index
            elif (
                # :func:`_opens_with_thanks`, inline (every customer line)
                ((opens := labels.get("positive")) is not None and opens <= 3 and "?" not in text)
                or (index == last_said and acknowledged(message, cues, bp))
            ):
                if done is None:
                    done = _work_done(actions, conversation)
                if done and done[0] < index:
                    resolved_at = index  # "the bonus has been added" ... "Thank you!" / "ok."
            problems.append((index, message))
        elif role == "agent" or role == "bot":
            kind = fields["kind"]
            if kind == "message":
                replies.append(index)
                words = words_of(fields["text"])
                if said_words.isdisjoint(words) or not may_be_said(words, phrases, bp):
                    continue
            elif kind != "note" or note_words.isdisjoint(words_of(fields["text"])):
                continue
            said = staff_said(message, reader, bp)
            if said is not None:
                said.position = index
                candidates.append(said)
    if any(c.kind == "refusal" for c in candidates):  # did the customer accept it?
        for index, message in problems:
            accepts = "dialogue.accepted" in reader.labels(message.text, "accepted")
            if accepts and not cues.has("problem", message.text):
                accepted_at = index
    # The last reply that is no bot failure ("I didn't get that"): a reply without a key word of one
    # is not scanned for every cue list (no later stage reads a reply's other cue labels).
    failure_words = key_words(cues._index, _BOT_FAILURE)
    answered_at = next(
        (
            i
            for i in reversed(replies)
            if failure_words.isdisjoint(words_of(messages[i].text))
            or "bot_failure" not in labels_of(messages[i].text)
        ),
        -1,
    )
    # Only the latest problem line counts (and, failing one, the latest reaction or outburst):
    # read from the end, and stop at the first plain problem or at the last resolution.
    # (Most lines state no problem: :func:`.blocker_read.may_state_problem`'s word tests inline.)
    open_words = bp.keywords["open_problem"]
    plain = False  # a plain problem line found (no other candidate is one)
    for index, message in reversed(problems):
        if index <= resolved_at:
            break
        text = message.text
        if (
            "problem" not in labels_of(text)
            and open_words.isdisjoint(words_of(text))
            and (_DIGIT.search(text) is None or search_error_name(text) is None)
        ):
            continue
        found = problem_line(message, index, answered_at, rules, cues, phrases, bp)
        if found is not None:
            candidates.append(found)
            if found.tier == PROBLEM and not found.reaction:
                plain = True
                break
    if not plain:
        # Work done after a request met it. Read from the end, the request found with the earlier
        # bound is the one the later would give, or one at or before the later (which gives none):
        # the work done is looked for only when a request is open (most conversations have none).
        request = open_request(problems, resolved_at, answered_at, reader)
        if request is not None:
            if done is None:
                done = _work_done(actions, conversation)
            if not done or request.position > done[-1]:
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
    evidence = chosen.evidence
    first = evidence[0] if evidence else None
    own = next((p for p in problems if p[1].__dict__["id"] == first), None) if first is not None else None
    if own is not None and not error_token(chosen.description):
        return with_reported_error(chosen, [own])  # "export job fails since Tuesday:" + "ERROR 1213 …"
    return chosen


_STICKY = ("refusal", "note")
_RANK = {"refusal": 3, "note": 2, "failure": 1, "steps": 1, "problem": 0}


def _choose(candidates: list[Candidate]) -> Blocker | None:
    """The latest strong candidate, unless a plain problem line came after a failure.

    At one position a refusal or a note beats a bare failure. A customer line that
    only reacts ("still crashes") or shouts is used only when nothing else is open.
    """
    best: dict[str, Candidate] = {}
    for c in candidates:
        kind = (
            "strong"
            if c.tier == STRONG
            else "weak"
            if c.tier == WEAK
            else "request"
            if c.tier == REQUEST
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
