"""Turn pairs: the steps a bot or agent suggested, the customer's reply, and how it went.

Support chats are made of pairs: "Have you tried reinstalling the app?" /
"Yes, reinstalled twice and restarted the phone. Still crashes". Each
suggestion becomes a step; the customer's replies up to the next suggestion
(at most :data:`_WINDOW` messages) say whether it was tried and how it went:

* a failure phrase ("still crashes", "no change") -> ``failed``;
* a success phrase ("fixed!", "that worked") -> ``succeeded``, unless negated;
* both, or a success with "but not" -> ``failed``, described as partly working;
* "No, I haven't" -> not a step taken (nothing is recorded);
* a bare "yes" to "have you tried ...?" -> ``failed`` (tried, and still here);
* no reply at all -> ``pending``, by the one who suggested it.

Steps the customer reports on their own ("I already reset the router and
updated the firmware, it fails at 90%") are split at "and" into one step each.
Every step has a *key* (verb stem + first object word) so that repeats of the
same step, in any wording, become one item.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field

from ..models import Action, Conversation, Message
from ..models.record import Actor, Outcome
from .dialogue_data import ATTEMPT_LEAD_WORDS, DialoguePhrases, DialogueReader
from .phrases import tokens
from .ruleset import RuleSet
from .sentences import sentence_at, shorten
from .step_text import (
    ATTEMPT_END,
    CLAUSE_END,
    QUOTE_CHARS,
    TRY_WORDS,
    VAGUE,
    StepKey,
    reply_outcome,
    step_key,
    unhandled,
    with_breaks,
)
from .step_text import clause as _clause
from .step_text import described as _described
from .step_text import offset as _offset
from .step_text import quote as _quote
from .step_text import same_step as _same
from .step_text import stem_of as _stem

__all__ = ["Step", "StepKey", "read_steps", "reply_outcome", "step_key", "unhandled"]

_WINDOW = 8
_SKIP_AFTER_OPENER = frozenset(
    {"please", "just", "also", "quickly", "maybe", "perhaps", "to", "kindly", "first"}
)
_ATTEMPT_LEAD = ATTEMPT_LEAD_WORDS
_SUGGESTION = "dialogue.suggestion"
_PAST_QUESTION = frozenset({"have", "did"})  # "have you tried ...?" asks about the past
_YES = frozenset({"yes", "yeah", "yep", "yup"})
_SENTENCE_END = re.compile(r"[.!?\n]")


@dataclass
class Step:
    """One step tried (or suggested), before it becomes an :class:`Action`."""

    key: StepKey
    action: Action
    position: int
    """Index of the message the step is first evidenced in."""
    mentions: int = 1
    quotes: list[str] = field(default_factory=list)


def _suggestions(
    message: Message, words: list[str], phrases: DialoguePhrases, has_verb: bool = True
) -> list[tuple[int, bool, str]]:
    """``(char offset of the step, asks about the past, step text)`` for each suggestion."""
    table, longest = phrases.openers, phrases.longest_opener
    found: list[tuple[int, bool, str]] = []
    i, count = 0, len(words)
    imperatives = phrases.imperatives if not phrases.imperatives.isdisjoint(words) else frozenset()
    while i < count:
        if words[i] not in phrases.opener_heads:
            if words[i] in imperatives and _opens_sentence(message.text, i):
                label, size = "request", 0  # "Actualiza la app a la versión 7.3.1"
            else:
                i += 1
                continue
        else:
            label, size = None, 0
            for n in range(min(longest, count - i), 0, -1):
                label = table.get(tuple(words[i : i + n]))
                if label is not None:
                    size = n
                    break
        if label is None or (label in ("request", "question") and not has_verb):
            i += 1
            continue
        if label == "imperative":  # the opener is the verb: "Nettoyez le port", "Starten Sie ..."
            if i and words[i - 1] in phrases.not_before_imperative:
                i += 1
                continue
            size = 0
        j = i + size
        while j < count and (words[j] in _SKIP_AFTER_OPENER or words[j] in phrases.skip_words):
            j += 1
        past = words[i] in _PAST_QUESTION or words[i] in phrases.past_words
        if label == "late":  # the step verb may close the clause: "Haben Sie schon den Cache geleert?"
            found.extend(_late(message, words, j, past, phrases))
            i = j + 1
            continue
        if j < count and (words[j] in TRY_WORDS or words[j] in phrases.try_forms) and j + 1 < count:
            j += 1
        if j >= count:
            break
        filler = phrases.native_filler if words[j] in phrases.verb_bases else phrases.filler
        content = [w for w in words[j : j + 6] if w not in filler and w not in VAGUE]
        verb = words[j] in phrases.verb_bases or _stem(words[j]) in phrases.step_stems
        if label == "question":  # "¿Ha limpiado el filtro?": its own language's verb, only asked
            at = _offset(message.text, j) if words[j] in phrases.verb_bases else None
            verb = at is not None and sentence_at(message.text, at).rstrip().endswith("?")
        if verb or (label == "suggestion" and bool(content)):
            start = _offset(message.text, j)
            if start is not None:
                prefix = "" if verb else phrases.prefixes.get(tuple(words[i : i + size]), "try ")
                text = _clause(message.text, start, CLAUSE_END, prefix)
                if " " not in text.strip() and phrases.clause_links:
                    text = _linked(message.text, start, text, phrases)
                if " " in text.strip() and any(w not in VAGUE for w in words[j : j + 4]):
                    found.append((start, past or label == "question", text))
            i = j + 1
        else:
            i += size or 1
    return found


def _linked(text: str, start: int, clause: str, phrases: DialoguePhrases) -> str:
    """A one-word step that a subordinate clause completes: "testen, ob es mit WLAN geht"."""
    rest = text[start + len(clause) :].lstrip(" ,")
    head = tokens(rest[:20])[:1]
    if head and head[0] in phrases.clause_links:
        return _clause(text, start, _SENTENCE_END)
    return clause


def _late(
    message: Message, words: list[str], j: int, past: bool, phrases: DialoguePhrases
) -> list[tuple[int, bool, str]]:
    """The step after a late-verb opener, when its clause holds a step verb or participle."""
    start = _offset(message.text, j) if j < len(words) else None
    if start is None:
        return []
    text = _clause(message.text, start, _SENTENCE_END)
    clause_words = tokens(text)
    stems, participles = phrases.step_stems, phrases.attempt_words
    if len(clause_words) < 2 or not any(w in participles or _stem(w) in stems for w in clause_words):
        return []
    return [(start, past, text)]


def _opens_sentence(text: str, index: int) -> bool:
    """Whether the ``index``-th token starts a sentence (or the message)."""
    start = _offset(text, index)
    if start is None:
        return False
    before = text[:start].rstrip(" \t\"'“”¡¿")
    return not before or before[-1] in ".!?:\n"


def _attempts(
    message: Message,
    words: list[str],
    phrases: DialoguePhrases,
    skip: StepKey | None,
    only: Collection[str] | None = None,
) -> list[tuple[StepKey, str]]:
    """Steps a customer reports in a reply, bare or with "I": ``(key, clause)`` (``only``: these words)."""
    found: list[tuple[StepKey, str]] = []
    if phrases.attempt_words.isdisjoint(words):
        return found
    for i, word in enumerate(words):
        if word not in (phrases.attempt_words if only is None else only) or (
            i
            and words[i - 1] not in phrases.attempt_leads.get(word, _ATTEMPT_LEAD)
            and words[i - 1] not in phrases.lead_words
        ):
            continue
        key = step_key(words[i:], phrases)
        # In a reply, the suggested step's own verb is that step ("tried to close everything").
        if not key[0] or (skip is not None and key[0] == skip[0]) or any(_same(key, k) for k, _ in found):
            continue
        if word == "tried" and i + 1 < len(words) and words[i + 1] in ("that", "it", "this", "everything"):
            continue
        start = _offset(message.text, i)
        if start is not None:
            native = word in phrases.attempt_leads  # "reinicié el router y nada": ends at "y"
            ends = with_breaks(ATTEMPT_END, phrases.clause_breaks) if native else ATTEMPT_END
            text = _clause(message.text, start, ends)
            if native and " " not in text and i:  # "ya lo he reiniciado y nada": "Lo he reiniciado"
                lead = phrases.attempt_leads[word]
                first = next((k for k in range(max(0, i - 2), i) if words[k] in lead), i)
                earlier = _offset(message.text, first) if first < i else None
                text = _clause(message.text, earlier, ends) if earlier is not None else text
            found.append((key, text))
    return found


def read_steps(conversation: Conversation, rules: RuleSet, reader: DialogueReader) -> list[Step]:
    """Every suggested or reported step, in order of first evidence (not yet de-duplicated)."""
    phrases = reader.phrases
    messages = conversation.messages
    suggestions: dict[int, list[tuple[int, bool, str]]] = {}
    customers: list[int] = []  # those that may report a step of their own ("I already restarted it")
    tried = rules.pattern_words.get("tried")
    step_forms, openers = phrases.step_forms, phrases.keywords[_SUGGESTION]
    native = phrases.attempt_leads.keys()  # attempt forms of inflecting languages ("reinicié")
    words_of = reader.cues.words
    for index, message in enumerate(messages):
        if message.kind != "message" or message.role == "system":
            continue
        words = words_of(message.text)
        if message.role == "customer":
            if tried is None or not tried.isdisjoint(words) or not native.isdisjoint(words):
                customers.append(index)
            continue
        # A request opener ("can you", "please") only counts before a step verb.
        has_verb = not step_forms.isdisjoint(words)
        if not has_verb and openers.isdisjoint(words):
            continue
        found = _suggestions(message, words, phrases, has_verb)
        if found:
            suggestions[index] = found
    steps: list[Step] = []
    in_reply: set[int] = set()
    for index, found in suggestions.items():
        message = messages[index]
        window: list[int] = []
        for later in range(index + 1, min(len(messages), index + 1 + _WINDOW)):
            reply = messages[later]
            if later in suggestions or (
                reply.kind == "message" and reply.role in ("bot", "agent") and "?" in reply.text
            ):
                break
            if messages[later].role == "customer" and messages[later].kind == "message":
                window.append(later)
        for _, past, text in found:
            steps.extend(_paired(message, text, past, window, messages, reader, index, in_reply))
    for index in customers:
        if index not in in_reply:
            steps.extend(_reported(index, messages, rules, reader))
    steps.sort(key=lambda s: s.position)
    return steps


def _paired(
    suggestion: Message,
    text: str,
    past: bool,
    window: list[int],
    messages: Sequence[Message],
    reader: DialogueReader,
    index: int,
    in_reply: set[int],
) -> list[Step]:
    """The step a suggestion names, read against the customer's replies."""
    phrases = reader.phrases
    key = step_key(tokens(text), phrases)  # ``text`` is a fresh string: not for CueReader's id() memo
    suggester: Actor = "bot" if suggestion.role == "bot" else "agent"
    evidence = [suggestion.id]
    outcome: Outcome = "unknown"
    result: str | None = None
    quote = ""
    extra: list[Step] = []
    for later in window:
        reply = messages[later]
        words, labels = reader.words(reply.text), reader.labels(reply.text)
        result = reply_outcome(labels, words, phrases)
        if result == "not_tried" and later == window[0]:
            return []
        in_reply.add(later)
        evidence.append(reply.id)
        for other_key, clause in _attempts(reply, words, phrases, key):
            extra.append(
                Step(
                    other_key,
                    Action(
                        description=clause,
                        actor="customer",
                        outcome="unknown",
                        evidence=[reply.id],
                        rule="customer.tried",
                    ),
                    later,
                )
            )
        if result in ("failed", "succeeded", "partial"):
            quote = _quote(reply.text, labels)
            break
    if not window:
        replied = any(m.role == "customer" and m.kind == "message" for m in messages[index + 1 :])
        outcome, actor = ("unknown" if replied else "pending"), suggester
        description = _described(
            text, f"suggested by the {suggester}; {'no clear reply' if replied else 'no reply yet'}"
        )
    else:
        actor = "customer"
        first = messages[window[0]]
        if result in ("failed", "succeeded"):
            outcome = "failed" if result == "failed" else "succeeded"
        elif result == "partial":
            outcome = "failed"
        elif past and any(w in _YES or w in phrases.yes_words for w in reader.words(first.text)[:1]):
            outcome, quote = "failed", shorten(unhandled(first.text), QUOTE_CHARS)
        if not quote:
            quote = shorten(unhandled(messages[evidence_index(evidence, messages)].text), QUOTE_CHARS)
        how = "partly worked" if result == "partial" else "customer"
        description = _described(text, f"{suggester} suggested; {how}: “{quote}”")
    for step in extra:
        if step.action.evidence[-1] == evidence[-1]:
            step.action.outcome = outcome if outcome in ("failed", "succeeded") else "unknown"
    main = Step(
        key,
        Action(
            description=description,
            actor=actor,
            outcome=outcome,
            evidence=evidence,
            rule=f"dialogue.{suggester}_suggested",
        ),
        index,
        quotes=[quote] if quote else [],
    )
    return [main, *extra]


def evidence_index(evidence: list[str], messages: Sequence[Message]) -> int:
    """Index of the last evidence message (the reply that says most)."""
    last = evidence[-1]
    for i in range(len(messages) - 1, -1, -1):
        if messages[i].id == last:
            return i
    return 0


def _reported(index: int, messages: Sequence[Message], rules: RuleSet, reader: DialogueReader) -> list[Step]:
    """'I already reset the router and updated the firmware, it fails at 90%' -> two failed steps."""
    phrases = reader.phrases
    message = messages[index]
    text = message.text
    words = reader.words(text)
    needed = rules.pattern_words.get("tried")
    english = needed is None or not needed.isdisjoint(words)
    match = rules.patterns["tried"].search(text) if english else None
    native: list[tuple[StepKey, str]] = []
    if match is None:
        # An inflecting language's attempt form ("ya lo reinicié"): the steps are read by
        # ``_attempts`` alone, their outcome by the dialogue phrases.
        if phrases.attempt_leads.keys().isdisjoint(words) or "dialogue.not_tried" in reader.labels(text):
            return []  # "no, todavía no lo he probado" reports nothing tried
        native = _attempts(message, words, phrases, None, phrases.attempt_leads.keys())
        if not native:
            return []
    evidence = [message.id]
    result = reply_outcome(reader.labels(text), words, phrases)
    if result is None and match is not None and rules.patterns["tried_failed"].search(text, match.start()):
        result = "failed"
    if result is None:
        # The customer's next messages (before anyone answers) may say it did not help.
        for later in messages[index + 1 : index + 4]:
            if later.role != "customer" or later.kind != "message":
                break
            later_result = reply_outcome(reader.labels(later.text), reader.words(later.text), phrases)
            if later_result is None and rules.patterns["tried_failed"].search(later.text):
                later_result = "failed"
            if later_result in ("failed", "succeeded", "partial"):
                result = later_result
                evidence.append(later.id)
                break
    outcome: Outcome = (
        "succeeded" if result == "succeeded" else "failed" if result in ("failed", "partial") else "unknown"
    )
    found = native or _attempts(message, words, phrases, None)
    if not found and match is not None:  # "I have tried pretty much everything": the whole sentence
        found = [(step_key(tokens(match.group()), phrases), sentence_at(text, match.start()))]
    if outcome != "unknown":  # the last step carries what the customer said about them
        source = messages[evidence_index(evidence, messages)]
        quote = _quote(source.text, reader.labels(source.text), tight=source is message)
        key, clause = found[-1]
        if quote and clause.lower().rstrip("…") not in quote.lower():
            found[-1] = (key, _described(clause, f"“{quote}”"))
    return [
        Step(
            key,
            Action(
                description=clause,
                actor="customer",
                outcome=outcome,
                evidence=list(evidence),
                rule="customer.tried",
            ),
            index,
        )
        for key, clause in found
    ]
