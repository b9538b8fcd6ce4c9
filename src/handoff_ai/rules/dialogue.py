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
    verb_base,
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
    trie, heads = phrases.opener_trie, phrases.suggestion_heads
    found: list[tuple[int, bool, str]] = []
    i, count = 0, len(words)
    # Only a head word (an opener's first word, an imperative) can start a suggestion: the
    # others are passed over at once. ``i`` is where reading resumes after a suggestion.
    for head in [k for k, word in enumerate(words) if word in heads]:
        if head < i:
            continue
        i = head
        node = trie.get(words[i])
        if node is None:
            if words[i] in phrases.imperatives and _opens_sentence(message.text, i):
                label, size = "request", 0  # "Actualiza la app a la versión 7.3.1"
            elif words[i] in phrases.sentence_imperatives and _imperative(message.text, words, i):
                label, size = "request", 0  # "Restart the router.", "… - rotate that password"
            else:
                continue
        else:
            label, size = None, 0
            end = i
            while node is not None:  # the longest opener that starts here
                end += 1
                if None in node:
                    label, size = node[None], end - i
                node = node.get(words[end]) if end < count else None
        if label is not None and words[i] in TRY_WORDS and i and words[i - 1] in _SUBJECTS:
            label = None  # "What happens when you try to activate?" suggests nothing
        if label is None or (label in ("request", "question") and not has_verb):
            continue
        if label == "imperative":  # the opener is the verb: "Nettoyez le port", "Starten Sie ..."
            if i and words[i - 1] in phrases.not_before_imperative:
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
        verb = words[j] in phrases.verb_bases or _stem(words[j]) in phrases.step_stems
        if not verb and words[j] in phrases.provide_verbs:
            verb = not phrases.artifacts.isdisjoint(words[j + 1 : j + 7])  # "send me the diagnostics bundle"
        if label == "question":  # "¿Ha limpiado el filtro?": its own language's verb, only asked
            at = _offset(message.text, j) if words[j] in phrases.verb_bases else None
            verb = at is not None and sentence_at(message.text, at).rstrip().endswith("?")
        if verb or (
            label == "suggestion" and any(w not in filler and w not in VAGUE for w in words[j : j + 6])
        ):
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


_SUBJECTS = frozenset({"you", "i", "we", "they", "u", "he", "she"})
_NOT_AFTER_IMPERATIVE = frozenset("is are was were will has have had of to and or".split())


def _imperative(text: str, words: list[str], index: int) -> bool:
    """An English step verb that opens a sentence or follows a dash, before its object: a step."""
    if index + 1 >= len(words) or words[index + 1] in _NOT_AFTER_IMPERATIVE:
        return False
    start = _offset(text, index)
    if start is None:
        return False
    after = text[start : start + 24].split(" ", 1)[0]
    if after.endswith((":", "?")):  # "Update: …", a heading
        return False
    before = text[:start].rstrip(" \t\"'“”¡¿")
    return not before or before[-1] in ".!?:\n-–—•*"


def _opens_sentence(text: str, index: int) -> bool:
    """Whether the ``index``-th token starts a sentence (or the message)."""
    start = _offset(text, index)
    if start is None:
        return False
    before = text[:start].rstrip(" \t\"'“”¡¿")
    return not before or before[-1] in ".!?:\n"


def _clause_start(text: str, start: int) -> bool:
    """Whether a word at ``start`` opens a clause: the message, a sentence, a list item, or after a
    comma or colon ("reinstalled the app, signed out of all devices, and tried …")."""
    before = text[:start].rstrip(" \t\"'“”*•-–—")
    return not before or before[-1] in ".!?:;,\n)"


def _attempts(
    message: Message,
    words: list[str],
    phrases: DialoguePhrases,
    skip: StepKey | None,
    only: Collection[str] | None = None,
    same: Collection[str] = (),
) -> list[tuple[StepKey, str, int]]:
    """Steps a customer reports, bare or with "I": ``(key, clause, char offset)``.

    ``skip``: the step a reply answers; an attempt of its verb, or whose verb is a word of
    that step (``same``: "Reset worked" after "hold the reset button"), is that step.
    ``only``: read just these attempt words (an inflecting language's forms).
    """
    found: list[tuple[StepKey, str, int]] = []
    if phrases.attempt_words.isdisjoint(words):
        return found
    text = message.text
    for i, word in enumerate(words):
        if word not in (phrases.attempt_words if only is None else only):
            continue
        first = i - 1 if i and words[i - 1] == "re" else i  # "re-inserted the SIM"
        lead = words[first - 1] if first else ""
        start = _offset(text, first)
        if start is None:
            continue
        if first and (
            lead not in phrases.attempt_leads.get(word, _ATTEMPT_LEAD)
            and lead not in phrases.lead_words
            and not (only is None and word not in phrases.attempt_leads and _clause_start(text, start))
        ):
            continue
        key = step_key(words[first:], phrases)
        if not key[0] or any(_same(key, k) for k, _, _ in found):
            continue
        if skip is not None and (key[0] == skip[0] or key[0] in same):
            continue  # in a reply, the suggested step's own verb is that step ("tried to close everything")
        if word == "tried" and i + 1 < len(words) and words[i + 1] in ("that", "it", "this", "everything"):
            continue
        native = word in phrases.attempt_leads  # "reinicié el router y nada": ends at "y"
        ends = with_breaks(ATTEMPT_END, phrases.clause_breaks) if native else ATTEMPT_END
        text_ = _clause(text, start, ends)
        if native and " " not in text_ and i:  # "ya lo he reiniciado y nada": "Lo he reiniciado"
            leads = phrases.attempt_leads[word]
            begin = next((k for k in range(max(0, i - 2), i) if words[k] in leads), i)
            earlier = _offset(text, begin) if begin < i else None
            text_ = _clause(text, earlier, ends) if earlier is not None else text_
        found.append((key, text_, start))
    return found


def _segment_outcomes(
    text: str, starts: Sequence[int], reader: DialogueReader, carry: bool = True
) -> list[str | None]:
    """The outcome said in each stretch ``starts[k]`` .. ``starts[k + 1]`` of ``text`` (the last to
    its end); with ``carry``, a stretch that says none takes the next one's ("reset the router and
    updated the firmware, it fails at 90%": both failed)."""
    phrases = reader.phrases
    bounds = [*starts, len(text)]
    found: list[str | None] = []
    for k in range(len(starts)):
        piece = tokens(text[bounds[k] : bounds[k + 1]])
        result = reply_outcome(phrases.index.scan(piece), piece, phrases) if piece else None
        found.append(result if result in ("failed", "succeeded", "partial") else None)
    if carry:
        later: str | None = None
        for k in range(len(found) - 1, -1, -1):
            if found[k] is None:
                found[k] = later
            else:
                later = found[k]
    return found


def _outcome(result: str | None) -> Outcome:
    if result == "succeeded":
        return "succeeded"
    return "failed" if result in ("failed", "partial") else "unknown"


_THEN = re.compile(r"(?:,\s*|\s+)(?:and\s+)?then\s+", re.IGNORECASE)
_REPLY_CLAUSE = re.compile(r"[.;!?](?:\s|$)|,?\s+but\s+|\n", re.IGNORECASE)
_AFFIRMATIVE = frozenset(
    {("it", "does"), ("it", "is"), ("it", "did"), ("they", "are"), ("they", "do"), ("all", "good"),
     ("looks", "good"), ("it's", "fine"), ("that's", "fine"), ("all", "fine")}
)  # fmt: skip
_CHECK_VERBS = frozenset({"check", "make", "confirm", "ensure", "look"})
"""Steps that look at something ("check that the port is open"): a "yes" says it passed."""


def _chained(message: Message, found: list[tuple[int, bool, str]], phrases: DialoguePhrases) -> None:
    """Add the steps chained after a suggested one: "hold the reset button…, then re-pair it"."""
    text = message.text
    for start, past, _ in list(found):
        stop = CLAUSE_END.search(text, start + 1)
        match = _THEN.match(text, stop.start()) if stop else None
        if match is None:
            continue
        after = match.end()
        words = tokens(text[after : after + 40])
        if words and words[0] == "re" and len(words) > 1:
            words = [f"re{words[1]}", *words[2:]]
        if words and verb_base(words[0], phrases):
            found.append((after, past, _clause(text, after, CLAUSE_END)))


def _stems(text: str, key: StepKey, phrases: DialoguePhrases) -> frozenset[str]:
    """The verb and content-word stems of a step, to tell which words of a reply are about it."""
    words = tokens(text)
    found = {key[0], *key[1].split()}
    for word in words[:10]:
        if word not in phrases.filler and word not in VAGUE and word not in _SKIP_AFTER_OPENER:
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
    """Every suggested or reported step, in order of first evidence (not yet de-duplicated)."""
    phrases = reader.phrases
    messages = conversation.messages
    suggestions: dict[int, list[tuple[int, bool, str]]] = {}
    customers: list[int] = []  # those that may report a step of their own ("I already restarted it")
    tried = rules.pattern_words.get("tried")
    reports = None if tried is None else _customer_gate(tried, phrases)
    step_forms, openers, gate = phrases.step_forms, phrases.keywords[_SUGGESTION], phrases.suggestion_gate
    words_of = reader.cues.words
    for index, message in enumerate(messages):
        if message.kind != "message" or message.role == "system":
            continue
        words = words_of(message.text)
        if message.role == "customer":
            if reports is None or not reports.isdisjoint(words):
                customers.append(index)
            continue
        if gate.isdisjoint(words):
            continue  # no step verb, no verb of giving, no opener
        # A request opener ("can you", "please") only counts before a step verb.
        has_verb = not step_forms.isdisjoint(words) or (
            not phrases.provide_verbs.isdisjoint(words) and not phrases.artifacts.isdisjoint(words)
        )
        if not has_verb and openers.isdisjoint(words):
            continue
        found = _suggestions(message, words, phrases, has_verb)
        if found:
            if "then" in words:
                _chained(message, found, phrases)
            suggestions[index] = found
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
        keys = [step_key(tokens(text), phrases) for _, _, text in found]
        others = len(found) > 1
        stems = [_stems(t, k, phrases) for (_, _, t), k in zip(found, keys, strict=True)]
        every = frozenset().union(*stems)
        for (_, past, text), key, same in zip(found, keys, stems, strict=True):
            pair = _Pair(message, text, past, key, same, others, then_suggested, every)
            steps.extend(_paired(pair, window, messages, reader, index, in_reply))
    for index in customers:
        if index not in in_reply:
            steps.extend(_reported(index, messages, rules, reader))
    steps.sort(key=lambda s: s.position)
    return steps


_GATES: dict[tuple[int, int], frozenset[str]] = {}


def _customer_gate(tried: frozenset[str], phrases: DialoguePhrases) -> frozenset[str]:
    """The words one of which a customer's message needs to report a step (built once)."""
    key = (id(tried), id(phrases))
    found = _GATES.get(key)
    if found is None:
        found = _GATES[key] = tried | phrases.attempt_words | frozenset(phrases.attempt_leads)
    return found


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
    confirmed = False
    for later in window:
        reply = messages[later]
        words, labels = reader.words(reply.text), reader.labels(reply.text)
        result = reply_outcome(labels, words, phrases)
        if result == "not_tried" and later == window[0]:
            return []
        in_reply.add(later)
        evidence.append(reply.id)
        confirmed = confirmed or _confirmed(words, labels, key, phrases)
        # ``every`` holds this step's stems too (``same``).
        attempts = _attempts(reply, words, phrases, key, same=pair.every)
        if attempts:
            starts = [0, *(a[2] for a in attempts)]
            raw = _segment_outcomes(reply.text, starts, reader, carry=False)
            carried = _segment_outcomes(reply.text, starts, reader)
            for (other_key, clause, _), said in zip(attempts, carried[1:], strict=True):
                step = Step(
                    other_key,
                    Action(
                        description=clause,
                        actor="customer",
                        outcome=_outcome(said),
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
        if result is None and key[0] in _CHECK_VERBS and _affirmed(words):
            result = "succeeded"  # "Can you check that port 5432 is open?" - "It is."
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
            outcome = _outcome(result)
        elif pair.past and any(w in _YES or w in phrases.yes_words for w in reader.words(first.text)[:1]):
            outcome, quote = "failed", shorten(unhandled(first.text), QUOTE_CHARS)
        elif confirmed and pair.then_suggested:
            outcome = "failed"  # done, and the next turn had to suggest something else
        elif confirmed and key[0] in phrases.provide_verbs:
            outcome = "succeeded"  # "Could you send me the logs?" - "done, uploaded vpn-diag.zip"
        if not quote:
            quote = shorten(unhandled(messages[evidence_index(evidence, messages)].text), QUOTE_CHARS)
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


def evidence_index(evidence: list[str], messages: Sequence[Message]) -> int:
    """Index of the last evidence message (the reply that says most)."""
    last = evidence[-1]
    for i in range(len(messages) - 1, -1, -1):
        if messages[i].id == last:
            return i
    return 0


_ALREADY = frozenset({"already", "even"})


def _reported(index: int, messages: Sequence[Message], rules: RuleSet, reader: DialogueReader) -> list[Step]:
    """'I already reset the router and updated the firmware, it fails at 90%' -> two failed steps."""
    phrases = reader.phrases
    message = messages[index]
    text = message.text
    words = reader.words(text)
    needed = rules.pattern_words.get("tried")
    english = needed is None or not needed.isdisjoint(words)
    match = rules.patterns["tried"].search(text) if english else None
    found: list[tuple[StepKey, str, int]] = []
    if not phrases.attempt_leads.keys().isdisjoint(words):
        # An inflecting language's attempt form ("ya lo reinicié"): the steps are read by
        # ``_attempts`` alone, their outcome by the dialogue phrases.
        if "dialogue.not_tried" in reader.labels(text):
            return []  # "no, todavía no lo he probado" reports nothing tried
        found = _attempts(message, words, phrases, None, phrases.attempt_leads.keys())
    if not found:
        found = _attempts(message, words, phrases, None)
    if not found and match is None:
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
    outcome = _outcome(result)
    if not found and match is not None:  # "I have tried pretty much everything": the whole sentence
        found = [(step_key(tokens(match.group()), phrases), sentence_at(text, match.start()), match.start())]
    starts = [a[2] for a in found]
    said = _segment_outcomes(text, starts, reader) if len(evidence) == 1 else [None] * len(found)
    outcomes: list[Outcome] = []
    for (_, _, start), own in zip(found, said, strict=True):
        step_outcome = _outcome(own) if own else outcome
        if step_outcome == "unknown" and not _ALREADY.isdisjoint(tokens(text[max(0, start - 12) : start])):
            step_outcome = "failed"  # "I already reinstalled the driver twice" while the problem stays
        outcomes.append(step_outcome)
    if outcome != "unknown" and said[-1] is None:  # the last step carries what the customer said about them
        source = messages[evidence_index(evidence, messages)]
        quote = _quote(source.text, reader.labels(source.text), tight=source is message)
        key, clause, start = found[-1]
        if quote and clause.lower().rstrip("…") not in quote.lower():
            found[-1] = (key, _described(clause, f"“{quote}”"), start)
    elif said and said[-1] is not None:
        key, clause, start = found[-1]
        quote = _quote(text, reader.labels(text), tight=True)
        if quote and clause.lower().rstrip("…") not in quote.lower():
            found[-1] = (key, _described(clause, f"“{quote}”"), start)
    return [
        Step(
            key,
            Action(
                description=clause,
                actor="customer",
                outcome=step_outcome,
                evidence=list(evidence),
                rule="customer.tried",
            ),
            index,
        )
        for (key, clause, _), step_outcome in zip(found, outcomes, strict=True)
    ]
