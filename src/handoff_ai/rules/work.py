"""Work a bot or agent says it did in the chat, clause by clause, and how it went.

An agent's message often holds several actions: "I've rebooked you for Thursday, and
added a £25 credit to your account", "I've submitted the reading and asked billing to
re-issue the bill", "I re-queued yesterday's reports"; an internal note says it tersely
("Rebooked install Thu 4 Sept. £25 credit applied."). Each becomes one step:

* done work ("I've/we/I also + a work verb in the past", a passive "your refund was
  issued", a note's "credit applied") -> ``succeeded``, unless its own sentence says it did
  not help ("I also restarted the worker, same result") or the customer's next message
  does ("got 2 of 9, the rest still missing") -> ``failed``;
* work asked of someone else ("I've asked billing to…", "requested a courtesy car") ->
  ``pending``;
* "I can't waive this one", "we were unable to reset it" -> ``failed``;
* something handed over ("Here is your invoice: <link>") -> ``succeeded`` by the bot or
  agent, or ``failed`` by the customer who says it does not work ("that link gives me a 404").

The verbs are data (``work_verbs``, ``request_verbs``, ``past_forms``, ``delivery_openers`` in
``rules/data/dialogue.toml``); a message without one of their words is not read further.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence

from ..models import Action, Message
from ..models.record import Actor, Outcome
from .dialogue_reading import DialogueReader
from .phrases import tokens
from .restate import first_word
from .sentences import shorten
from .step_text import QUOTE_CHARS, StepKey, described, object_stems, offset, quote, reply_outcome, unhandled

__all__ = ["Work", "work_statements"]

_SUBJECTS = frozenset({"i", "we", "i've", "we've", "i'd", "we'd"})
_BETWEEN = frozenset(
    """have has had just also already now successfully then both again quickly manually personally
    gone ahead and went""".split()
)
"""Words that may stand between the subject and the verb ("I have *just also* rebooked")."""
_PASSIVE = frozenset({"was", "were", "been", "is", "are"})
_NP_BREAK = re.compile(r":|,|;|\s(?:and|but)\s|\s[-–—]\s")
_STATES = frozenset({"failed", "pending", "blocked", "declined", "denied", "rejected", "error", "not"})
"""A word after a note's participle that makes it a noun ("2FA reset blocked")."""
_NOT_HEAD = (
    _SUBJECTS | _PASSIVE | {"you", "he", "she", "they", "customer", "not", "no", "if", "has", "have", "had"}
)
_NOT_BEFORE = frozenset(
    {
        "not",
        "never",
        "haven't",
        "hasn't",
        "didn't",
        "if",
        "when",
        "once",
        "will",
        "you",
        "until",
        "after",
        "before",
        "unless",
    }
)
_END = re.compile(
    r"[!?\n(;]|[.,:](?!\w)|\s[-–—]\s|\b(?:and|but|so|because|which|once|until)\b", re.IGNORECASE
)
_CANNOT = re.compile(
    r"\b(?:i|we)(?:\s+(?:am|are|was|were)|['’]m|['’]re)?\s+(?:can['’]?t|cannot|can\s+not|couldn['’]t|could\s+not|"
    r"unable\s+to|not\s+able\s+to|wasn['’]t\s+able\s+to|weren['’]t\s+able\s+to)\s+(?:\w+\s+){0,2}?(\w+)",
    re.IGNORECASE,
)
_CANNOT_WORDS = (
    "can't",
    "cannot",
    "can not",
    "couldn't",
    "could not",
    "unable",
    "not able",
    "can’t",
    "couldn’t",
    "n't able",
    "n’t able",
)
"""One of these is in every match of ``_CANNOT`` (in the lower-cased text): "wasn't able to" too."""
_CANNOT_TOKENS = frozenset({"can't", "cannot", "couldn't", "unable", "able"})
_NOT_WORK = frozenset({"escalate", "transfer", "assign", "log", "confirm", "verify"})
"""Work that a customer's "still not working" does not undo (handing the case on, noting it)."""
_REPLY_WORDS = 15
"""A customer's next message says how the work went when it is this short or names the work."""
_IF_QUESTION = re.compile(r"\b(?:what\s+)?if\b[^.!?\n]*\?", re.IGNORECASE)
"""A conditional question ("and if it doesn't show up?"): it asks about a failure, it reports none."""


class Work:
    """One statement of work, before it becomes a step: its key and action."""

    __slots__ = ("action", "key", "position")

    def __init__(self, key: StepKey, action: Action, position: int) -> None:
        self.key, self.action, self.position = key, action, position


def _subject(words: list[str], index: int) -> int | None:
    """The token index of "I"/"we" before the verb at ``index`` (only adverbs between), or None."""
    k = index - 1
    if k >= 0 and words[k] == "re":  # "I re-queued"
        k -= 1
    while k >= 0 and index - k <= 5 and words[k] in _BETWEEN:
        k -= 1
    if k >= 0 and words[k] in _SUBJECTS and not (k and words[k - 1] in ("if", "when", "once")):
        return k
    return None


def _sentence_of(spans: list[tuple[int, int]], at: int) -> tuple[int, int]:
    for start, end in spans:
        if start <= at < end:
            return start, end
    return 0, 0


def _clause(text: str, start: int, limit: int) -> str:
    match = _END.search(text, start + 1, limit)
    end = match.start() if match else limit
    tail = text[end:limit].strip()
    if tail and all(c in ".!…" for c in tail):
        end = limit  # the clause is the sentence: keep it as written
    piece = text[start:end].strip(" \t\"'“”-–—•*")
    piece = shorten(piece, 120)
    return piece[:1].upper() + piece[1:]


def work_statements(
    message: Message,
    index: int,
    reader: DialogueReader,
    messages: Sequence[Message],
    present: Collection[str] | None = None,
) -> list[Work]:
    """Every statement of work in a bot/agent message (or internal note), in order.

    ``present``: the message's words that are in ``phrases.work_gate`` (or more of its words), when
    the caller has them: the tests of that gate's parts read only those."""
    phrases = reader.phrases
    text = message.text
    words = reader.words(text)
    gated = words if present is None else present
    if phrases.work_gate.isdisjoint(gated):
        return []
    done, asked = phrases.work_forms, phrases.request_forms
    delivery = phrases.keywords["dialogue.delivery"]
    hits = (
        [i for i, w in enumerate(words) if w in done or w in asked]
        if not (done.keys().isdisjoint(gated) and asked.keys().isdisjoint(gated))
        else []
    )
    cannot = not _CANNOT_TOKENS.isdisjoint(gated)
    handed = not delivery.isdisjoint(gated)
    if not hits and not cannot and not handed:
        return []
    actor: Actor = "bot" if message.role == "bot" else "agent"
    note = message.kind == "note"
    spans: list[tuple[int, int]] = []
    found: list[Work] = []
    where: list[tuple[tuple[int, int], int, str]] = []
    last_sentence = (-1, -1)
    for i in hits:
        word = words[i]
        base = done.get(word) or asked.get(word) or word
        previous = words[i - 1] if i else ""
        if not (note or found or previous in _PASSIVE or previous == "re" or _subject(words, i) is not None):
            continue  # no subject, no chain, no passive: a word, not a statement
        if not spans:
            spans = reader.spans(text)
        at = offset(text, i)
        if at is None:
            continue
        sentence = _sentence_of(spans, at)
        if text[sentence[0] : sentence[1]].rstrip().endswith("?"):
            continue
        head = tokens(text[sentence[0] : at])
        if head and head[0] in ("please", "kindly", "can", "could", "would"):
            continue  # "Please add the DKIM record we sent you": a request to the customer
        subject = _subject(words, i)
        before = _NP_BREAK.split(text[sentence[0] : at])[-1]
        phrase = [w for w in tokens(before) if w not in _PASSIVE]  # "your refund of $349.00 (was)"
        after = words[i + 1] if i + 1 < len(words) else ""
        bare = False
        if subject is not None and _NOT_BEFORE.isdisjoint(words[max(0, subject - 2) : subject]):
            start = offset(text, subject)
        elif (
            found
            and last_sentence == sentence
            and i
            and (words[i - 1] in ("and", "also", "then") or text[:at].rstrip().endswith(","))
        ):
            start = at  # "… and added a £25 credit"
        elif (
            i
            and words[i - 1] in _PASSIVE
            and word in done
            and _NOT_BEFORE.isdisjoint(words[max(0, i - 5) : i])
        ):
            if after == "by":
                continue  # "the visit was cancelled by our contractor": not work done here
            start, bare = sentence[0], True  # "Your refund of $349.00 was issued today"
        elif (
            note
            and len(phrase) <= 3
            and _NOT_HEAD.isdisjoint(phrase)
            and not any(w.endswith("ed") for w in phrase)
            and not after.endswith("ed")
            and after not in _STATES
            and ":" not in text[sentence[0] : at]  # a labelled line ("Done: …") is the shift note's
        ):
            start, bare = (sentence[0] if head else at), True  # "Rebooked install Thu", "£25 credit applied"
        else:
            continue
        if start is None or words[max(0, i - 1)] in ("not", "never"):
            continue
        clause = _clause(text, start, sentence[1])
        rest = tokens(text[at : sentence[1]])
        said = reply_outcome(phrases.index.scan(rest), rest, phrases)
        outcome: Outcome = "pending" if word in asked and word not in done else "succeeded"
        if said == "failed" and outcome == "succeeded":
            outcome = "failed"
        key = _key(base, word in asked and word not in done, rest, phrase if bare else [], reader)
        action = Action(
            description=clause,
            actor=actor,
            outcome=outcome,
            evidence=[message.id],
            rule=f"statement.{_rule(outcome)}",
        )
        if outcome == "succeeded" and base not in _NOT_WORK and not note:
            _read_reply(action, messages, index, reader, set(key[1].split()))
        found.append(Work(key, action, index))
        where.append((sentence, start, clause))
        last_sentence = sentence
    if found:
        _whole_sentences(text, found, where, reader)
    if cannot:
        after_event = index > 0 and messages[index - 1].kind == "event"
        found.extend(_cannot(message, index, reader, actor, found, after_event))
    if handed:
        found.extend(_delivered(message, index, reader, actor, messages))
    return found


def _whole_sentences(
    text: str, found: list[Work], where: list[tuple[tuple[int, int], int, str]], reader: DialogueReader
) -> None:
    """A sentence that states one piece of work is its description, as written ("I have reset your
    session, please log in again."); only a sentence with several is cut into clauses."""
    counts: dict[tuple[int, int], int] = {}
    for sentence, _, _ in where:
        counts[sentence] = counts.get(sentence, 0) + 1
    for work, (sentence, start, clause) in zip(found, where, strict=True):
        if counts[sentence] == 1 and work.action.description == clause:
            work.action.description = reader.sentence_at(text, start)


def _key(base: str, request: bool, rest: list[str], head: list[str], reader: DialogueReader) -> StepKey:
    """A statement's step key: the work asked for ("asked finance *to approve the refund*"), else
    the verb and its object (in a note, the words before it: "£25 credit applied")."""
    phrases = reader.phrases
    if request and "to" in rest[1:7]:
        at = rest.index("to", 1) + 1
        words = rest[at:]
        if words[:1] == ["re"] and len(words) > 1:
            words = [f"re{words[1]}", *words[2:]]
        if words:
            verb = phrases.english_verbs.get(words[0]) or words[0]
            return phrases.synonyms.get(verb, verb), _objects(words[1:], reader)
    verb = phrases.synonyms.get(base, base)
    objects = _objects(rest[1:], reader)
    if head:  # the object stands before the verb: "your refund was issued", "£25 credit applied"
        objects = " ".join(sorted({*_objects(head, reader).split(), *objects.split()}))
    return verb, objects


def _objects(words: list[str], reader: DialogueReader) -> str:
    """The object part of a step key for the words after a verb."""
    return " ".join(sorted(object_stems(words, reader.phrases.filler)))


def _rule(outcome: Outcome) -> str:
    return {"succeeded": "done", "failed": "failed", "pending": "pending"}.get(outcome, "done")


def _cannot(
    message: Message,
    index: int,
    reader: DialogueReader,
    actor: Actor,
    found: list[Work],
    after_event: bool = False,
) -> list[Work]:
    """ "I can't waive this one", "we were unable to reset it": work that failed. ``after_event``: the
    message follows a logged event (a tool call's result), which a bare "I couldn't do that" restates."""
    text = message.text
    low = text.lower()
    if not any(w in low for w in _CANNOT_WORDS):
        return []
    phrases = reader.phrases
    out: list[Work] = []
    for match in _CANNOT.finditer(text):
        verb = match.group(1).lower()
        base = phrases.english_verbs.get(verb) or verb
        if base not in phrases.verb_set:
            continue
        clause = _clause(text, match.start(), len(text))
        key = (base, _objects(tokens(text[match.end(1) : match.end(1) + 60]), reader))
        if after_event and base == "do" and first_word(text[match.end(1) :].lstrip()) in _POINTERS:
            continue  # "I wasn't able to do that" after a logged call: it restates the call's failure
        for work in found:  # the same verb said done in the sentence ("we already waived one…")
            if work.key[0] == base:
                work.action.outcome = "failed"
                work.action.rule = "statement.failed"
                work.action.description = clause
                break
        else:
            out.append(
                Work(
                    key,
                    Action(
                        description=clause,
                        actor=actor,
                        outcome="failed",
                        evidence=[message.id],
                        rule="statement.failed",
                    ),
                    index,
                )
            )
    return out


_POINTERS = frozenset({"that", "it", "this"})


def _customer_reply(messages: Sequence[Message], index: int) -> Message | None:
    for later in messages[index + 1 : index + 3]:
        if later.kind != "message":
            continue
        return later if later.role == "customer" else None
    return None


def _read_reply(
    action: Action, messages: Sequence[Message], index: int, reader: DialogueReader, about: set[str]
) -> None:
    """The customer's next message, when it says the work did not help ("still nothing")."""
    reply = _customer_reply(messages, index)
    if reply is None:
        return
    words = reader.words(reply.text)
    if len(words) > _REPLY_WORDS and about.isdisjoint(words):
        return
    labels = reader.labels(reply.text, "failed", "partial", "succeeded")
    outcome = reply_outcome(labels, words, reader.phrases)
    if outcome in ("failed", "partial") and _IF_QUESTION.search(reply.text):
        rest = tokens(_IF_QUESTION.sub(" ", reply.text))  # what is left once the "what if"s are out
        outcome = reply_outcome(reader.phrases.index.scan(rest), rest, reader.phrases)
    if outcome in ("failed", "partial"):
        action.outcome = "failed"
        action.rule = "statement.failed"
        action.evidence.append(reply.id)
        said = quote(reply.text, labels)
        action.description = described(action.description, f"customer: “{said}”")


def _delivered(
    message: Message, index: int, reader: DialogueReader, actor: Actor, messages: Sequence[Message]
) -> list[Work]:
    """ "Here is your invoice: <link>": handed over, and what the customer says of it."""
    text = message.text
    match = reader.phrases.delivery.search(text.replace("’", "'"))
    if match is None:
        return []
    start = match.start()
    end = next((e for s, e in reader.spans(text) if s <= start < e), len(text))
    clause = shorten(" ".join(text[start:end].split()), 120)
    words = tokens(clause)
    if any(a == "how" and words[n + 1] == "to" for n, a in enumerate(words[:-1])):
        return []  # "Here's an article: How to reinstall the driver" is a suggested step
    key = ("deliver", _objects(words[2:], reader))
    action = Action(
        description=clause, actor=actor, outcome="succeeded", evidence=[message.id], rule="statement.done"
    )
    reply = _customer_reply(messages, index)
    if reply is not None:
        reply_words = reader.words(reply.text)
        reply_labels = reader.labels(reply.text, "failed", "partial", "succeeded")
        if reply_outcome(reply_labels, reply_words, reader.phrases) in ("failed", "partial"):
            said = shorten(unhandled(quote(reply.text, reply_labels)), QUOTE_CHARS)
            action = Action(
                description=described(clause, f"customer: “{said}”"),
                actor="customer",
                outcome="failed",
                evidence=[message.id, reply.id],
                rule="dialogue.delivered",
            )
    return [Work(key, action, index)]
