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
same step, in any wording, become one item. Finding a message's suggestions is
:mod:`.suggestions`; reading a customer's own steps is :mod:`.reported`.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from ..models import Action, Conversation, Message
from ..models.record import Actor, Outcome
from .dialogue_data import DialoguePhrases
from .dialogue_reading import DialogueReader
from .identity_cache import by_identity
from .phrases import tokens
from .reported import as_outcome, evidence_index, read_attempts, read_reported, segment_outcomes
from .ruleset import RuleSet
from .sentences import shorten
from .step_text import QUOTE_CHARS, VAGUE, Step, StepKey, reply_outcome, step_key, unhandled, verb_base
from .step_text import described as _described
from .step_text import quote as _quote
from .step_text import stem_of as _stem
from .suggestions import SKIP_AFTER_OPENER, chain_steps, find_suggestions

__all__ = [
    "Step",
    "StepKey",
    "evidence_index",
    "pair_steps",
    "read_steps",
    "reply_outcome",
    "step_gates",
    "step_key",
    "suggested",
    "unhandled",
]

_WINDOW = 8


_SUGGESTION = "dialogue.suggestion"


_YES = frozenset({"yes", "yeah", "yep", "yup"})


_REPLY_CLAUSE = re.compile(r"[.;!?](?:\s|$)|,?\s+but\s+|\n", re.IGNORECASE)


_AFFIRMATIVE = frozenset(
    {("it", "does"), ("it", "is"), ("it", "did"), ("they", "are"), ("they", "do"), ("all", "good"),
     ("looks", "good"), ("it's", "fine"), ("that's", "fine"), ("all", "fine")}
)  # fmt: skip


_CHECK_VERBS = frozenset({"check", "make", "confirm", "ensure", "look"})
"""Steps that look at something ("check that the port is open"): a "yes" says it passed."""


def _stems(words: list[str], key: StepKey, phrases: DialoguePhrases) -> frozenset[str]:
    """The verb and content-word stems of a step (``words``: its tokens), to tell which words of a
    reply are about it."""
    found = {key[0], *key[1].split()}
    for word in words[:10]:
        if word not in phrases.filler and word not in VAGUE and word not in SKIP_AFTER_OPENER:
            stemmed = _stem(word)
            if stemmed != "0" and len(stemmed) > 2:
                found.add(stemmed)
    return frozenset(found - {"", "try"})


def _focused(text: str, same: frozenset[str], reader: DialogueReader) -> tuple[str | None, str]:
    """The outcome in the clauses of a reply about this step (when one message suggested several),
    and those clauses."""
    phrases = reader.phrases
    bits, at = [], 0
    for match in _REPLY_CLAUSE.finditer(text):
        bits.append(text[at : match.start()])
        at = match.end()
    bits.append(text[at:])
    about = [b.strip() for b in bits if not same.isdisjoint(_stem(w) for w in tokens(b))]
    if not about or len(about) == len(bits):
        return None, ""
    joined = "; ".join(about)
    words = tokens(joined)
    result = reply_outcome(phrases.index.scan(words), words, phrases)
    return (result if result in ("failed", "succeeded", "partial") else None), joined


def _confirmed(words: list[str], labels: dict[str, int], key: StepKey, phrases: DialoguePhrases) -> bool:
    """The reply says the step was done: "yes", "did that", "already …", or the step's own verb."""
    if not words:
        return False
    if words[0] in _YES or words[0] in phrases.yes_words or "already" in words[:4]:
        return True
    if labels.get("dialogue.anaphora", 99) <= 2:
        return True
    return any(verb_base(w, phrases) == key[0] for w in words[:4])


def read_steps(conversation: Conversation, rules: RuleSet, reader: DialogueReader) -> list[Step]:
    """Every suggested or reported step, in order of first evidence (not yet de-duplicated).

    ``extract_actions`` makes this pass over the messages itself, with its other readers."""
    messages = conversation.messages
    suggestions: dict[int, list[tuple[int, bool, str]]] = {}
    customers: list[int] = []  # those that may report a step of their own ("I already restarted it")
    reports, gate = step_gates(rules, reader.phrases)
    words_of = reader.cues.words
    for index, message in enumerate(messages):
        role = message.role
        if role == "system" or message.kind != "message":
            continue
        words = words_of(message.text)
        if role == "customer":
            if reports is None or not reports.isdisjoint(words):
                customers.append(index)
        elif not gate.isdisjoint(words):  # a step verb, a verb of giving or an opener
            found = suggested(message, words, reader.phrases)
            if found:
                suggestions[index] = found
    return pair_steps(messages, suggestions, customers, rules, reader)


def step_gates(rules: RuleSet, phrases: DialoguePhrases) -> tuple[frozenset[str] | None, frozenset[str]]:
    """The words one of which a customer's message needs to report a step (``None``: any message
    may), and those one of which a bot/agent message needs to suggest one."""
    tried = rules.pattern_words.get("tried")
    return (None if tried is None else _customer_gate(tried, phrases)), phrases.suggestion_gate


def suggested(
    message: Message, words: list[str], phrases: DialoguePhrases, present: Collection[str] | None = None
) -> list[tuple[int, bool, str]]:
    """The steps a bot/agent message (that passed the suggestion gate) suggests, chained ones too.

    ``present``: the message's ``words`` that are in ``phrases.suggestion_gate`` (a set built by
    the caller), when known; the tests of that gate's parts read only those."""
    gated = words if present is None else present
    # A request opener ("can you", "please") only counts before a step verb.
    has_verb = not phrases.step_forms.isdisjoint(gated) or (
        not phrases.provide_verbs.isdisjoint(gated) and not phrases.artifacts.isdisjoint(words)
    )
    if not has_verb and phrases.keywords[_SUGGESTION].isdisjoint(gated):
        return []
    found = find_suggestions(message, words, phrases, has_verb)
    if found and "then" in words:
        chain_steps(message, found, phrases)
    return found


def pair_steps(
    messages: Sequence[Message],
    suggestions: dict[int, list[tuple[int, bool, str]]],
    customers: list[int],
    rules: RuleSet,
    reader: DialogueReader,
) -> list[Step]:
    """The steps of each message's ``suggestions`` read against the customer's replies, and the
    steps ``customers`` (message positions) report that are no such reply."""
    phrases = reader.phrases
    steps: list[Step] = []
    in_reply: set[int] = set()
    for index, found in suggestions.items():
        message = messages[index]
        window: list[int] = []
        then_suggested = False
        for later in range(index + 1, min(len(messages), index + 1 + _WINDOW)):
            reply = messages[later]
            if later in suggestions:
                then_suggested = True
                break
            if reply.kind == "message" and reply.role in ("bot", "agent") and "?" in reply.text:
                break
            if messages[later].role == "customer" and messages[later].kind == "message":
                window.append(later)
        said = [tokens(text) for _, _, text in found]
        keys = [step_key(words, phrases) for words in said]
        others = len(found) > 1
        stems = [_stems(words, k, phrases) for words, k in zip(said, keys, strict=True)]
        every = frozenset().union(*stems)
        for (_, past, text), key, same in zip(found, keys, stems, strict=True):
            pair = _Pair(message, text, past, key, same, others, then_suggested, every)
            steps.extend(_paired(pair, window, messages, reader, index, in_reply))
    for index in customers:
        if index not in in_reply:
            steps.extend(read_reported(index, messages, rules, reader))
    steps.sort(key=lambda s: s.position)
    return steps


@by_identity
def _customer_gate(tried: frozenset[str], phrases: DialoguePhrases) -> frozenset[str]:
    """The words one of which a customer's message needs to report a step (built once)."""
    return tried | phrases.attempt_words | frozenset(phrases.attempt_leads)


@dataclass
class _Pair:
    """A suggested step and what is known around it."""

    suggestion: Message
    text: str
    past: bool
    key: StepKey
    same: frozenset[str]
    """The stems of this step (``_stems``): a reply's words about it."""
    others: bool
    """The same message suggested other steps too: read only the reply's clauses about this one."""
    then_suggested: bool
    """The bot/agent's next turn after the replies suggests another step (this one did not fix it)."""
    every: frozenset[str]
    """The stems of every step the message suggested: a reply's attempt of one of them is no new step."""


def _paired(
    pair: _Pair,
    window: list[int],
    messages: Sequence[Message],
    reader: DialogueReader,
    index: int,
    in_reply: set[int],
) -> list[Step]:
    """The step a suggestion names, read against the customer's replies."""
    phrases = reader.phrases
    suggestion, text, key = pair.suggestion, pair.text, pair.key
    same = pair.same
    suggester: Actor = "bot" if suggestion.role == "bot" else "agent"
    evidence = [suggestion.id]
    result: str | None = None
    quote = ""
    extra: list[Step] = []
    read: list[tuple[list[str], dict[str, int]]] = []  # each reply's words and labels, for ``_confirmed``
    for later in window:
        reply = messages[later]
        words, labels = reader.words(reply.text), reader.labels(reply.text)
        result = reply_outcome(labels, words, phrases)
        if result == "not_tried" and later == window[0]:
            return []
        in_reply.add(later)
        evidence.append(reply.id)
        read.append((words, labels))
        # ``every`` holds this step's stems too (``same``).
        attempts = read_attempts(reply, words, phrases, key, same=pair.every)
        if attempts:
            starts = [0, *(a[2] for a in attempts)]
            raw = segment_outcomes(reply.text, starts, reader, carry=False)
            carried = segment_outcomes(reply.text, starts, reader)
            for (other_key, clause, _), said in zip(attempts, carried[1:], strict=True):
                step = Step(
                    other_key,
                    Action(
                        description=clause,
                        actor="customer",
                        outcome=as_outcome(said),
                        evidence=[reply.id],
                        rule="customer.tried",
                    ),
                    later,
                )
                extra.append(step)
            result = raw[0]
            if result is None and not _affirmed(words):
                result = carried[0]
            else:  # what the reply says before the customer's own steps
                main_part = reply.text[: starts[1]].strip()
                quote = shorten(unhandled(main_part), QUOTE_CHARS) if main_part else ""
        if pair.others:
            focus, about = _focused(reply.text, same, reader)
            result = focus or result
            if about:
                quote = shorten(unhandled(about), QUOTE_CHARS)
        if result is None and key[0] in _CHECK_VERBS and _affirmed(words) and not pair.past:
            result = "succeeded"  # "Can you check that port 5432 is open?" - "It is." (not "Have you …?")
        if result in ("failed", "succeeded", "partial"):
            quote = quote or _quote(reply.text, labels)
            break
    outcome: Outcome = "unknown"
    if not window:
        replied = any(m.role == "customer" and m.kind == "message" for m in messages[index + 1 :])
        outcome, actor = ("unknown" if replied else "pending"), suggester
        description = _described(
            text, f"suggested by the {suggester}; {'no clear reply' if replied else 'no reply yet'}"
        )
    else:
        actor = "customer"
        first = messages[window[0]]
        if result in ("failed", "succeeded", "partial"):
            outcome = as_outcome(result)
        elif pair.past and any(w in _YES or w in phrases.yes_words for w in reader.words(first.text)[:1]):
            outcome, quote = "failed", shorten(unhandled(first.text), QUOTE_CHARS)
        elif (pair.then_suggested or key[0] in phrases.provide_verbs) and any(
            _confirmed(words, labels, key, phrases) for words, labels in read
        ):  # asked only here: most replies say how it went, or nothing follows from a yes
            # Done, and the next turn had to suggest something else: failed; "Could you send me the
            # logs?" - "done, uploaded vpn-diag.zip": succeeded.
            outcome = "failed" if pair.then_suggested else "succeeded"
        if not quote:
            quote = shorten(unhandled(messages[evidence_index(evidence, messages, reader)].text), QUOTE_CHARS)
        how = "partly worked" if result == "partial" else "customer"
        description = _described(text, f"{suggester} suggested; {how}: “{quote}”")
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


def _affirmed(words: list[str]) -> bool:
    """The reply opens with a yes ("It does.", "yes, all green")."""
    if not words:
        return False
    return words[0] in _YES or tuple(words[:2]) in _AFFIRMATIVE
