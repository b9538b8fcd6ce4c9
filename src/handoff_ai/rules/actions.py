"""Actions already taken: what was tried, by whom, and how it went.

Four kinds of evidence make an action:

* logged events (``kind="event"``: tool calls joined to their results, button
  clicks, system logs), with the reason a failing result gives;
* bot/agent statements of work ("I've reset your password"), or of failure;
* turn pairs: a bot/agent suggestion and the customer's reply
  (:mod:`.dialogue`);
* what the customer says they tried ("I restarted it twice").

Repeats of the same step are one item citing every mention, and a very long
conversation gives at most :data:`MAX_ACTIONS` items (the oldest are rolled up
into one, evidence kept). The blocker lives in :mod:`.blocker`;
``find_blocker``, ``first_sentence`` and ``sentence_at`` are re-exported here
for existing callers.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Collection, Hashable, Sequence
from functools import lru_cache
from operator import itemgetter
from typing import NamedTuple

from ..models import Action, Conversation, Message
from ..models.record import Actor, Outcome
from .blocker import find_blocker
from .dialogue import Step, StepKey, pair_steps, step_gates, suggested
from .dialogue_data import DialoguePhrases, dialogue_reader
from .dialogue_reading import DialogueReader
from .events import SPINNER_ENDS, read_event
from .identity_cache import by_identity
from .phrases import CueReader, tokens
from .restate import CLOSING
from .ruleset import RuleSet
from .sentences import MAX_DESCRIPTION, first_sentence, sentence_at, shorten
from .step_text import offset, same_step, stem_of
from .work import Work, work_statements

__all__ = ["MAX_ACTIONS", "extract_actions", "find_blocker", "first_sentence", "sentence_at"]

MAX_ACTIONS = 25
"""Most items in ``actions_taken``; older ones beyond it are rolled up into one."""

_STATEMENTS = (("failed", "failed"), ("done", "succeeded"), ("pending", "pending"))


_ASKS = ("please ", "kindly ", "can you", "could you")
_IF = re.compile(r"\b(?:if|once|unless|when|until)\s+\S*$", re.IGNORECASE)


def _settle_spinners(found: _Found, count: int) -> None:
    """A logged progress line that trails off ("Purchase validation in progress ...", "Looking up
    your order…") is a spinner: once the conversation goes on past it, nothing is waiting on it any
    more, and as nothing says how it ended, its outcome is ``unknown``, not ``pending``.

    ``read_event`` settles a plain event as it reads it; this settles the tool calls that trail
    off, whose results may have come later (the plain events it passes again are settled)."""
    for index, _, action in found:
        if (
            action.outcome == "pending"
            and action.rule == "event"
            and index < count - 1
            and action.description.endswith(SPINNER_ENDS)
        ):
            action.outcome = "unknown"


def _statement(
    message: Message, rules: RuleSet, words: list[str], reader: DialogueReader, present: Collection[str]
) -> Action | None:
    """A bot/agent sentence saying work was done, failed, or is on its way.

    ``present``: the message's ``words`` that its word tests look for (or all of them)."""
    text = message.text
    actor: Actor = "bot" if message.role == "bot" else "agent"
    needed = rules.pattern_words
    for name, outcome in _STATEMENTS:
        words_of_name = needed.get(name)
        if words_of_name is not None and words_of_name.isdisjoint(present):
            continue  # none of the pattern's words (see ``[pattern_words]``)
        match = rules.patterns[name].search(text)
        if match:
            sentence = reader.sentence_at(text, match.start())
            if sentence.endswith("?"):  # "Could you tell us where the pending images are?" did nothing
                cut = max(sentence.rfind(","), sentence.rfind(";"), sentence.rfind(". "))
                if cut < sentence.find(match.group()) + len(match.group()) or not CLOSING.search(
                    sentence[cut:]
                ):
                    continue
                sentence = sentence[:cut] + "."  # "Your ride has been booked, anything else?"
            if sentence[:8].lower().startswith(_ASKS):
                continue  # "Please add the DKIM record we sent you" asks the customer
            if _IF.search(text[max(0, match.start() - 12) : match.start() + 1]):
                continue  # "If we reset the modem …" is no work done
            return Action(
                description=sentence,
                actor=actor,
                outcome=outcome,
                evidence=[message.id],
                rule=f"statement.{name}",
            )
    if not reader.phrases.statement_words.isdisjoint(present):
        return _inflected_statement(message, words, reader, actor)
    return None


def _inflected_statement(
    message: Message, words: list[str], reader: DialogueReader, actor: Actor
) -> Action | None:
    """The same, in a language that says it by verb ending ("desbloqueamos", "foi enviado")."""
    found: list[tuple[int, str]] = []
    forms, aux = reader.phrases.done_forms, reader.phrases.done_aux
    if not forms.keys().isdisjoint(words):
        for i, word in enumerate(words):
            needs = forms.get(word)
            if needs is None or (needs and aux.isdisjoint(words[max(0, i - 2) : i])):
                continue  # a participle counts after an auxiliary: "ha sido desbloqueada", "foi enviado"
            found.append((i, "done"))
            break
    labels = reader.labels(message.text, "work_failed", "work_pending")  # memoized, shared
    for label in ("work_failed", "work_pending"):
        at = labels.get(f"dialogue.{label}")
        if at is not None:
            found.append((at, label))
    for at, label in sorted(found, key=lambda item: (item[1] != "work_failed", item[0])):
        sentence = sentence_at(message.text, offset(message.text, at) or 0)
        if sentence.endswith("?"):
            continue
        outcome: Outcome = (
            "failed" if label == "work_failed" else "pending" if label == "work_pending" else "succeeded"
        )
        name = "failed" if label == "work_failed" else "pending" if label == "work_pending" else "done"
        return Action(
            description=sentence,
            actor=actor,
            outcome=outcome,
            evidence=[message.id],
            rule=f"statement.{name}",
        )
    return None


def _normal(text: str) -> str:
    return " ".join(text.lower().split())


_Found = list[tuple[int, Hashable, Action]]
"""Events and bot/agent statements as ``(position, key, action)``."""


class _Gates:
    """The word sets the stage's first tests read, one of whose words a message needs to be read
    further (``None``: any message may be). Built once per rule set and phrase set: assembling them
    per conversation cost about 3 us."""

    __slots__ = ("reports", "said", "statement", "suggest", "work")

    def __init__(self, rules: RuleSet, phrases: DialoguePhrases) -> None:
        needed = rules.pattern_words
        patterns = [needed.get(name) for name, _ in _STATEMENTS]
        self.statement = _said_gate(*patterns, phrases.statement_words)
        self.said = _said_gate(*patterns, phrases.work_gate, phrases.statement_words)
        self.work = phrases.work_gate
        self.reports, self.suggest = step_gates(rules, phrases)


def _said_gate(*families: frozenset[str] | None) -> frozenset[str] | None:
    """Every word that may start a statement of work: the patterns' words, the work verbs (``None``
    when a pattern has no word list: no message can be ruled out)."""
    if any(family is None for family in families):
        return None
    return frozenset().union(*families)  # type: ignore[arg-type]


_gates = by_identity(_Gates)
"""The gates of a rule set and phrase set, built once for the pair."""


class _Reading(NamedTuple):
    """What the one pass over the messages (``_read_messages``) found."""

    found: _Found
    works: list[Work]
    suggestions: dict[int, list[tuple[int, bool, str]]]
    customers: list[int]
    """The customer messages that may report a step of their own."""
    open_calls: bool
    """A tool call was logged: its result may have come later, so its spinner is settled at the end."""
    stated: bool
    """A bot/agent stated work (a statement or a work clause): only then can one be a tool call's."""


def _read_messages(conversation: Conversation, rules: RuleSet, reader: DialogueReader) -> _Reading:
    """One pass over the messages for every reader of the stage: logged events, bot/agent statements
    of work, bot/agent suggestions (:func:`.dialogue.suggested`) and the customer messages that may
    report a step of their own; a bot/agent message with no word that a statement or a suggestion
    needs is passed over after one set test.

    A tool call and its result (linked by ``metadata["tool_call_id"]``) become
    one action: the call's description with the result's outcome and reason.
    """
    found: _Found = []
    works: list[Work] = []
    suggestions: dict[int, list[tuple[int, bool, str]]] = {}
    customers: list[int] = []
    calls: dict[str, Action] = {}
    open_calls = stated = False
    phrases, words_of, messages = reader.phrases, reader.cues.words, conversation.messages
    gates = _gates(rules, phrases)
    said_gate, statement_gate, work_gate = gates.said, gates.statement, gates.work
    reports, suggest_gate = gates.reports, gates.suggest
    staff_gate = None if said_gate is None else _union(said_gate, suggest_gate)
    last = len(messages) - 1
    for index, message in enumerate(messages):
        kind = message.kind
        if kind == "event":
            if read_event(index, message, found, calls, index < last):
                open_calls = True
            continue
        role = message.role
        if role == "customer":
            if kind == "message" and (reports is None or not reports.isdisjoint(words_of(message.text))):
                customers.append(index)
            continue
        if role == "system":
            continue
        words = words_of(message.text)
        # The message's words that any reader's first test looks for, picked in one pass: each test
        # below reads a gate inside ``staff_gate``, so it reads this handful, not the message again.
        present: Collection[str] = words
        if staff_gate is not None:
            present = staff_gate.intersection(words)
            if not present:
                continue  # no word any statement of work or suggestion needs
        if kind == "message" and not suggest_gate.isdisjoint(present):
            suggested_here = suggested(message, words, phrases, present)
            if suggested_here:
                suggestions[index] = suggested_here
        if said_gate is not None and said_gate.isdisjoint(present):
            continue
        if kind == "note" and "openai_role" in message.metadata:
            continue  # a system prompt
        # Each reader's own first test, here: most messages pass only one of them.
        if work_gate.isdisjoint(present):
            said = []
        else:
            said = work_statements(message, index, reader, messages, present)
            works.extend(said)
        if kind != "message" or (statement_gate is not None and statement_gate.isdisjoint(present)):
            continue
        statement = _statement(message, rules, words, reader, present)
        if statement is not None and not any(_covers(statement, w.action) for w in said):
            found.append((index, ("said", statement.outcome, _normal(statement.description)), statement))
            stated = True
    return _Reading(found, works, suggestions, customers, open_calls, stated or bool(works))


@lru_cache(maxsize=8)
def _union(*gates: frozenset[str]) -> frozenset[str]:
    return frozenset().union(*gates)


def _covers(statement: Action, work: Action) -> bool:
    """A sentence-level statement that a clause-level one already says."""
    clause = _normal(work.description.split(" (customer:", 1)[0]).rstrip(".!")
    return bool(clause) and clause in _normal(statement.description)


def _merge(into: Action, other: Action) -> None:
    """Fold a repeat into the first mention: every id cited, the latest clear outcome kept."""
    into.evidence.extend(e for e in other.evidence if e not in into.evidence)
    decisive = other.outcome in ("failed", "succeeded") or into.outcome in ("unknown", "pending")
    if decisive and other.outcome not in ("unknown", into.outcome):
        into.outcome = other.outcome
        if other.rule and other.rule.startswith("dialogue"):
            into.description, into.actor, into.rule = other.description, other.actor, other.rule


def _dedupe(
    items: list[tuple[int, Hashable, Action]], steps: Sequence[Step], works: Sequence[Work]
) -> list[tuple[int, Action, int]]:
    """One item per step or repeated event: ``(position, action, mentions)``.

    Each list comes in message order; at one position, items come before steps, steps before works."""
    merged: list[tuple[int, Action, int]] = []
    by_key: dict[Hashable, int] = {}
    by_verb: dict[str, list[tuple[StepKey, int]]] = {}
    everything: list[tuple[int, Hashable, Action]] = [
        *items,
        *((s.position, ("step", s.key), s.action) for s in steps),
        *((w.position, ("step", w.key), w.action) for w in works),
    ]
    everything.sort(key=itemgetter(0))
    counts: list[int] = []
    for position, key, action in everything:
        slot: int | None
        if key[0] == "step":  # type: ignore[index]
            step: StepKey = key[1]  # type: ignore[index]
            slot = next((i for k, i in by_verb.get(step[0], ()) if same_step(k, step)), None)
            if slot is None:
                by_verb.setdefault(step[0], []).append((step, len(merged)))
        else:
            slot = by_key.get(key)
            if slot is None:
                by_key[key] = len(merged)
        if slot is None:
            merged.append((position, action, 1))
            counts.append(1)
        else:
            _merge(merged[slot][1], action)
            counts[slot] += 1
    return [(position, action, count) for (position, action, _), count in zip(merged, counts, strict=True)]


_GENERIC = frozenset(
    """get call create update check send set add make do run lookup look fetch post put list find search
    your the for and with from this that have has now you our tool result request""".split()
)
_CALL = re.compile(r"(?:called\s+|ran\s+)?([a-z][a-z0-9]*(?:_[a-z0-9]+)+)\b")
"""A logged tool call: its snake_case name first ("called resend_activation_email(…)")."""


def _event_words(name: str) -> frozenset[str]:
    """The stems of a tool call's name ("resend_activation_email" -> resend, activation, email)."""
    found: set[str] = set()
    for word in name.split("_"):
        if len(word) > 2 and word not in _GENERIC:
            found.add(stem_of(word))
            if word.startswith("re") and len(word) > 5:
                found.add(stem_of(word[2:]))  # "rebill" is about a bill
    return frozenset(found)


def _said_words(action: Action) -> frozenset[str]:
    found: set[str] = set()
    for word in tokens(action.description.split(" (customer:", 1)[0]):
        if len(word) > 2 and word not in _GENERIC:
            found.add(stem_of(word))
            if word.startswith("re") and len(word) > 5:
                found.add(stem_of(word[2:]))
    return frozenset(found)


def _with_events(merged: list[tuple[int, Action, int]]) -> list[tuple[int, Action, int]]:
    """A bot/agent's word about a tool call next to it ("I've resent the activation email!" beside
    ``resend_activation_email`` failing) is that call: one item, the call's result wins."""
    calls = [  # a snake_case name holds "_": no "_", no call
        (p, a, m)
        for p, a, _ in merged
        if a.rule == "event" and "_" in a.description and (m := _CALL.match(a.description))
    ]
    if not calls:
        return merged
    said_at = [
        p for p, a, _ in merged if a.actor in ("bot", "agent") and (a.rule or "").startswith("statement.")
    ]
    events = [(p, a) for p, a, _ in calls if a.actor != "customer" and any(abs(p - q) <= 3 for q in said_at)]
    if not events:
        return merged
    names = {id(a): _event_words(m.group(1)) for _, a, m in calls}
    kept: list[tuple[int, Action, int]] = []
    for position, action, mentions in merged:
        if (action.rule or "").startswith("statement.") and action.actor in ("bot", "agent"):
            near = [a for p, a in events if abs(p - position) <= 3]
            said = _said_words(action) if near else frozenset()
            event = next((a for a in near if not names[id(a)].isdisjoint(said)), None)
            if event is not None:
                event.evidence.extend(e for e in action.evidence if e not in event.evidence)
                if event.outcome not in ("failed", "succeeded", "pending"):
                    event.outcome = action.outcome
                continue
        kept.append((position, action, mentions))
    return kept


_ANAPHORA = frozenset("it that this them those one both all".split())
_FILLERS = frozenset("twice again too also already just even still once more times x2 3x".split())


def _answers(tried: Action, suggestion: Action) -> bool:
    """Whether a customer's reported attempt is their reply to ``suggestion`` told again:
    "Reconnected it twice" / "toggled it" (the step named by "it"), or "updated to 1.9.2"
    after "Check for update and install it" (the same verb)."""
    words = tokens(tried.description.split(" (", 1)[0])
    if not words:
        return False
    rest = [w for w in words[1:] if w not in _FILLERS and not w.isdigit()]
    if rest and all(w in _ANAPHORA for w in rest[:1]) and len(rest) <= 2:
        return True
    return stem_of(words[0]) in {stem_of(w) for w in tokens(suggestion.description.split(" (", 1)[0])}


def _fold_replies(merged: list[tuple[int, Action, int]]) -> list[tuple[int, Action, int]]:
    """Drop a reported attempt that is only the reply to a suggestion already listed with it.

    A suggestion paired with its reply cites both messages and quotes the reply; the same
    reply read again as the customer's own attempt ("toggled it, no luck") would list the
    step twice, once without saying which step "it" was.
    """
    suggested = [a for _, a, _ in merged if (a.rule or "").endswith("_suggested") and len(a.evidence) > 1]
    if not suggested:
        return merged
    kept: list[tuple[int, Action, int]] = []
    for position, action, mentions in merged:
        if action.rule == "customer.tried" and action.evidence:
            replies = set(action.evidence)
            if any(replies <= set(s.evidence[1:]) and _answers(action, s) for s in suggested):
                continue
        kept.append((position, action, mentions))
    return kept


def _rollup(actions: list[Action]) -> list[Action]:
    """Keep the newest ``MAX_ACTIONS - 1`` items and one item for the older ones (all ids kept)."""
    if len(actions) <= MAX_ACTIONS:
        return actions
    older, newer = actions[: len(actions) - MAX_ACTIONS + 1], actions[len(actions) - MAX_ACTIONS + 1 :]
    outcomes = Counter(a.outcome for a in older)
    actor = Counter(a.actor for a in older).most_common(1)[0][0]
    tally = ", ".join(f"{n} {o}" for o, n in sorted(outcomes.items()))
    evidence = list(dict.fromkeys(e for a in older for e in a.evidence))
    summary = Action(
        description=f"{len(older)} earlier steps ({tally}); first: {older[0].description}",
        actor=actor,
        outcome="failed" if outcomes.get("failed") else "unknown",
        evidence=evidence,
        rule="actions.rollup",
    )
    summary.description = shorten(summary.description)
    return [summary, *newer]


def extract_actions(
    conversation: Conversation, rules: RuleSet, cues: CueReader, phrases: DialoguePhrases | None = None
) -> list[Action]:
    """Every action evidenced in the conversation, de-duplicated, in order of first mention."""
    reader = dialogue_reader(cues, phrases)
    messages = conversation.messages
    read = _read_messages(conversation, rules, reader)
    if read.open_calls:
        _settle_spinners(read.found, len(messages))
    steps = pair_steps(messages, read.suggestions, read.customers, rules, reader)
    merged = _dedupe(read.found, steps, read.works)
    if read.stated:  # no statement of work, none to fold into a tool call
        merged = _with_events(merged)
    if read.suggestions:  # no suggestion, no reply to fold into one
        merged = _fold_replies(merged)
    actions: list[Action] = []
    for _, action, mentions in merged:
        if mentions > 1:
            action.description = f"{shorten(action.description, MAX_DESCRIPTION - 8)} (×{mentions})"
        actions.append(action)
    return _rollup(actions)
