"""Actions already taken, and the blocker that remains.

Three kinds of evidence make an action:

* logged events (``kind="event"``: tool calls, button clicks, system logs);
* bot/agent statements of work ("I've reset your password", "the refund has
  been issued"), or of failure ("I'm unable to verify your account");
* what the customer says they tried ("I restarted it twice").

The blocker is the latest unresolved problem: a failed action, an error
event, or the customer's latest statement of what is wrong, unless the
customer has since said it is solved.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from ..models import Action, Blocker, Conversation, Message
from ..models.record import Actor, Outcome
from .phrases import CueReader
from .prechecks import GuardedPattern
from .ruleset import RuleSet

__all__ = ["extract_actions", "find_blocker", "first_sentence", "sentence_at"]

_MAX_DESCRIPTION = 160
_EVENT_FAILED = GuardedPattern(
    re.compile(
        r"\b(?:fail(?:ed|ure|s)?|error|denied|declined|rejected|unable|invalid|not\s+found|timed?\s*out|"
        r"exception|unsuccessful|could\s+not|couldn't|refused)\b",
        re.IGNORECASE,
    ),
    "fail error denied declined rejected unable invalid not time exception unsuccessful could refused",
)
_EVENT_PENDING = GuardedPattern(
    re.compile(
        r"\b(?:in\s+progr?ess|pending|processing|querying|searching|looking\s+for|waiting)\b|\.\.\.\s*$",
        re.IGNORECASE,
    ),
    "prog pending processing querying searching looking waiting ...",
)
_EVENT_DONE = GuardedPattern(
    re.compile(
        r"\b(?:has\s+been|have\s+been|was|were|is\s+now|completed?|succe(?:ss|eded|ssful(?:ly)?)|done|ok|created|"
        r"updated|sent|made|issued|selected|entered|noted|recorded|pulled\s+up|generated|notified|returned|found|"
        r"captured|confirmed|approved|booked|scheduled|success|true)\b",
        re.IGNORECASE,
    ),
    "been was were now complete succe done ok created updated sent made issued selected entered noted "
    "recorded pulled generated notified returned found captured confirmed approved booked scheduled true",
)
_SENTENCE = re.compile(r"[^.!?\n]+(?:[.!?]+|\n|$)")


def _shorten(text: str, limit: int = _MAX_DESCRIPTION) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def sentence_at(text: str, position: int) -> str:
    """The sentence of ``text`` that contains ``position``, trimmed."""
    for match in _SENTENCE.finditer(text):
        if match.start() <= position < match.end():
            return _shorten(match.group().strip())
    return _shorten(text)


_GREETING_ONLY = re.compile(
    r"^\s*(?:hi|hello|hey|hiya|good\s+(?:morning|afternoon|evening|day)|greetings|ok(?:ay)?|yes|no|thanks?|"
    r"thank\s+you|sure|hola|bonjour|hallo)(?:\s+(?:there|team|all|guys|folks))?[\s!.,]*$",
    re.IGNORECASE,
)


def first_sentence(text: str) -> str:
    """The first sentence that says something (a lone "Hi!" is skipped)."""
    first: str | None = None
    for match in _SENTENCE.finditer(text):
        sentence = match.group().strip()
        if not sentence:
            continue
        if first is None:
            first = sentence
        if not _GREETING_ONLY.match(sentence):
            return _shorten(sentence)
    return _shorten(first if first is not None else text)


def _event_outcome(text: str) -> Outcome:
    if _EVENT_FAILED.search(text):
        return "failed"
    if _EVENT_PENDING.search(text):
        return "pending"
    if _EVENT_DONE.search(text):
        return "succeeded"
    return "unknown"


_STATEMENT_OUTCOMES: tuple[tuple[str, Outcome], ...] = (
    ("failed", "failed"),
    ("done", "succeeded"),
    ("pending", "pending"),
)


def _may_match(rules: RuleSet, name: str, words: list[str]) -> bool:
    """False when the pattern's words (see ``[pattern_words]``) are all absent."""
    needed = rules.pattern_words.get(name)
    return needed is None or not needed.isdisjoint(words)


def _statement(message: Message, rules: RuleSet, cues: CueReader) -> Action | None:
    """A bot/agent sentence saying work was done, failed, or is on its way."""
    text = message.text
    actor: Actor = "bot" if message.role == "bot" else "agent"
    words = cues.words(text)
    outcomes: tuple[tuple[str, Outcome], ...] = (
        ("failed", "failed"),
        ("done", "succeeded"),
        ("pending", "pending"),
    )
    for name, outcome in outcomes:
        if not _may_match(rules, name, words):
            continue
        match = rules.patterns[name].search(text)
        if match:
            return Action(
                description=sentence_at(text, match.start()),
                actor=actor,
                outcome=outcome,
                evidence=[message.id],
                rule=f"statement.{name}",
            )
    return None


def _customer_tried(
    message: Message, following: Sequence[Message], rules: RuleSet, cues: CueReader
) -> Action | None:
    """'I already restarted it' -> a customer action; failed if they say it did not help."""
    text = message.text
    if not _may_match(rules, "tried", cues.words(text)):
        return None
    match = rules.patterns["tried"].search(text)
    if not match:
        return None
    evidence = [message.id]
    outcome: Outcome = "unknown"
    if rules.patterns["tried_failed"].search(text, match.start()):
        outcome = "failed"
    else:
        # The customer's next message may say it did not help ("still nothing").
        nxt = next((m for m in following if m.role == "customer"), None)
        if nxt is not None and rules.patterns["tried_failed"].search(nxt.text):
            outcome = "failed"
            evidence.append(nxt.id)
    return Action(
        description=sentence_at(text, match.start()),
        actor="customer",
        outcome=outcome,
        evidence=evidence,
        rule="customer.tried",
    )


def extract_actions(conversation: Conversation, rules: RuleSet, cues: CueReader) -> list[Action]:
    """Every action evidenced in the conversation, in order.

    A tool call and its result (linked by ``metadata["tool_call_id"]``) become
    one action: the call's description with the result's outcome.
    """
    actions: list[Action] = []
    calls: dict[str, Action] = {}
    messages = conversation.messages
    for index, message in enumerate(messages):
        if message.kind == "event":
            if message.metadata.get("channel_switch") or message.metadata.get("notice"):
                continue  # timeline markers and platform notices are not actions
            if message.metadata.get("bookkeeping"):
                continue  # bot-framework housekeeping (parsers mark it); listed in provenance instead
            call_id = message.metadata.get("tool_call_id")
            if isinstance(call_id, str) and call_id in calls and message.role == "system":
                call = calls.pop(call_id)
                call.outcome = _event_outcome(message.text)
                call.evidence.append(message.id)
                continue
            actor: Actor = message.role
            action = Action(
                description=_shorten(message.text) or "(event with no text)",
                actor=actor,
                outcome=_event_outcome(message.text),
                evidence=[message.id],
                rule="event",
            )
            if isinstance(call_id, str) and message.role != "system":
                calls[call_id] = action
                action.outcome = "pending"  # until its result says otherwise
            actions.append(action)
        elif message.role in ("bot", "agent") and message.kind == "message":
            statement = _statement(message, rules, cues)
            if statement is not None:
                actions.append(statement)
        elif message.role == "customer" and message.kind == "message":
            tried = _customer_tried(message, messages[index + 1 : index + 4], rules, cues)
            if tried is not None:
                actions.append(tried)
    return actions


def find_blocker(conversation: Conversation, actions: Sequence[Action], cues: CueReader) -> Blocker | None:
    """The latest unresolved problem, or ``None`` if there is none or it was solved."""
    order = {m.id: i for i, m in enumerate(conversation.messages)}
    best: tuple[int, Blocker] | None = None
    for action in actions:
        if action.outcome == "failed" and action.evidence:
            where = order[action.evidence[0]]
            label = {"customer": "Customer tried", "system": "Failed"}.get(action.actor, "Failed")
            candidate = Blocker(description=f"{label}: {action.description}", evidence=list(action.evidence))
            if best is None or where >= best[0]:
                best = (where, candidate)
    last_problem: tuple[int, Message, int] | None = None  # the Blocker is built for the last one only
    resolved_at = -1
    for index, message in enumerate(conversation.messages):
        if message.role != "customer" or message.kind != "message":
            continue
        if cues.has("resolved", message.text):
            resolved_at = index
        at = cues.find("problem", message.text)
        if at is not None:
            last_problem = (index, message, at)
    if last_problem and (best is None or last_problem[0] > best[0]):
        index, message, at = last_problem
        best = (index, Blocker(description=sentence_at(message.text, at), evidence=[message.id]))
    if best is None or resolved_at > best[0]:
        return None
    return best[1]
