"""Commitments: promises made to the customer, so whoever takes over keeps them.

"I'll call you back Tuesday", "your refund will arrive in 5–7 business days",
"engineering will update you within 24 hours", and a shift note's "Next: call back
Tue 10:00" (:mod:`.shift_note`). Phrases are data (``rules/data/commitments.toml``,
one table per language), compiled by :mod:`.commitment_language`; this module reads each
sentence the bot or an agent said to the customer. A sentence is a commitment when it has a future
form whose subject is not the customer and

* a contact phrase follows it ("call you back", "get back to you", "let you know"), or
* it is "you will receive|get" + a deliverable within four words ("You'll get a
  confirmation email"), or
* a due time is stated and a deliverable or a delivery verb is there ("we will ship
  it by Friday").

Never a commitment: anything the customer writes ("can you call me back?"), a
question, an "if" sentence, a negated future ("we will not refund"), a stated need
("I will need your order id today"), or a future with nothing promised ("I'll
check"). Nothing is invented: the text is the sentence as said, the due time is as
written, and its ISO date only when the message has a timestamp (:mod:`.due`).

Other languages say the same with optional keys of their ``[commitments]`` (docs/rules.md):
verbs that carry the future ("rappellerons") or promise in the present ("wir melden uns"),
synthetic futures by ending ("llamaremos"), an unsaid subject ("Le llamaremos el martes"),
pronouns between subject and verb, a verb at the end of the clause. One pre-check serves them
all: a message holds a word of some language's forms, or a word with a future ending.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from functools import lru_cache

from ..models import Commitment, Conversation, Message
from .commitment_language import _WORDS, Language, _alternation, languages
from .due import Due
from .restate import strip_signature
from .sentences import unaddressed

__all__ = ["Language", "extract_commitments", "languages", "promises_in", "short"]

MAX_TEXT_CHARS = 300
"""Longest commitment text kept; a longer sentence is cut at a word with ``…``."""

_SENTENCE = re.compile(r"\s(?:(?<=[.!?]\s)\s*|(?<=\n)[ \t]*\n\s*|(?<=\n)\n*(?![a-z])|\s*[•·]\s+)")
"""Sentence and clause ends; a line break before a small letter is an e-mail's soft wrap. Each
starts with a space, written first so that the search skips to spaces (twice as fast as the same
ends written with their look-behinds first, which split alike)."""
_SPEAKERS = frozenset({"bot", "agent"})


@lru_cache(maxsize=1)
def _dotted_dates() -> re.Pattern[str] | None:
    """A month after a day written "5." ("5. März"): not the end of a sentence, in the languages
    whose ordinals are a dot."""
    months = [m for lang in languages() if lang.due.dotted for m in lang.due.months]
    return re.compile(rf"(?:{_alternation(months)})(?!\w)", re.IGNORECASE) if months else None


_DAY_DOT = re.compile(r"(?<!\w)\d{1,2}\.$")


def _sentences(text: str) -> Iterator[str]:
    parts = _SENTENCE.split(text)
    dates = _dotted_dates() if len(parts) > 1 and "." in text else None
    for index, part in enumerate(parts):
        while (
            dates is not None
            and index + 1 < len(parts)
            and _DAY_DOT.search(part)
            and dates.match(parts[index + 1])
        ):  # "bis zum 5." + "März …": one sentence
            index += 1
            part = f"{part} {parts[index]}"
            parts[index] = ""
        part = part.strip(" \t-*>")
        if part:
            yield part


def short(text: str, limit: int = MAX_TEXT_CHARS) -> str:
    """``text`` on one line, cut at a word boundary to ``limit`` characters with ``…``."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0]
    return cut.rstrip(",;:") + "…"


_NON_WORD_BYTES = bytes(i for i in range(128) if not _WORDS.match(chr(i)))
_NON_WORD = bytes.maketrans(_NON_WORD_BYTES, b" " * len(_NON_WORD_BYTES))


def _words(low: str) -> list[str] | list[bytes]:
    """``_WORDS.findall(low)``; an ASCII text's as bytes, split where its bytes are not word
    characters (three times cheaper than the regex, the common case)."""
    if low.isascii():
        return low.encode().translate(_NON_WORD).split()
    return _WORDS.findall(low)


@lru_cache(maxsize=64)
def _ascii(forms: frozenset[str]) -> frozenset[bytes]:
    """The ASCII ones of ``forms``, as bytes: an ASCII text holds no other."""
    return frozenset(form.encode() for form in forms if form.isascii())


def _held(forms: frozenset[str], words: list[str] | list[bytes]) -> bool:
    """Whether ``words`` (of :func:`_words`) hold one of ``forms``."""
    if words and isinstance(words[0], bytes):
        return not _ascii(forms).isdisjoint(words)
    return not forms.isdisjoint(words)


@lru_cache(maxsize=1)
def _guard() -> tuple[frozenset[str], frozenset[bytes], re.Pattern[str] | None]:
    """Every language's ``form_words`` (and the ASCII ones as bytes), and one search for every
    language's ``future_endings``: a message with neither makes no promise (one set test and one
    literal-led search, however many languages and forms)."""
    langs = languages()
    endings = [ending for lang in langs for ending in lang.endings]
    found = re.compile(rf"r(?:{_alternation(endings)})(?!\w)") if endings else None
    forms = frozenset(word for lang in langs for word in lang.form_words)
    return forms, _ascii(forms), found


_FOLD = bytes.maketrans(
    bytes(range(65, 91)) + _NON_WORD_BYTES, bytes(range(97, 123)) + b" " * len(_NON_WORD_BYTES)
)
"""ASCII letters lower-cased, other non-word bytes made spaces: ``_words(text.lower())`` by one
``translate`` of the text's bytes."""


@lru_cache(maxsize=1)
def _ascii_guard() -> tuple[frozenset[bytes], re.Pattern[bytes] | None] | None:
    """:func:`_guard` for ASCII text read as folded bytes (``_FOLD``): the ASCII form words, and
    one search for the ASCII future endings (``None`` when an ending is not word characters only,
    which the folding would change)."""
    _, ascii_forms, _ = _guard()
    endings = [ending for lang in languages() for ending in lang.endings]
    if not all(re.fullmatch(r"\w+", ending) for ending in endings):
        return None
    plain = [ending.encode() for ending in endings if ending.isascii()]
    found = re.compile(rb"r(?:" + b"|".join(map(re.escape, plain)) + rb")(?!\w)") if plain else None
    return ascii_forms, found


def _quiet(text: str) -> bool:
    """Whether ASCII ``text`` holds no form word and no future ending of any language (so
    :func:`_readers` finds none): its bytes folded once, no lower-cased copy."""
    guard = _ascii_guard()
    if guard is None:
        return False
    forms, ending = guard
    folded = text.encode().translate(_FOLD)
    return forms.isdisjoint(folded.split()) and (ending is None or ending.search(folded) is None)


def _readers(
    text: str, langs: Sequence[Language], known: tuple[list[bytes], bool] | None = None
) -> list[Language]:
    """The languages of ``langs`` that may find a promise in ``text``: those with one of their
    ``form_words`` in it, or a word with one of their ``future_endings``. ``known``: ASCII text's
    words and whether a future ending is in it, as :func:`extract_commitments` folded them (the
    same as :func:`_words` and the ending search of the lower-cased text)."""
    words: list[str] | list[bytes]
    if known is not None:
        words, ended = known
        low = text.lower() if ended else ""  # read below only when a future ending is there
        if langs is languages():  # which languages' forms it holds: one set test, not one a language
            owners = _form_owners()
            held = 0
            for word in owners.keys() & words:
                held |= owners[word]
            return [
                lang
                for bit, lang in enumerate(langs)
                if not lang.form_words
                or held >> bit & 1
                or (ended and lang.ending is not None and lang.ending.search(low) is not None)
            ]
    else:
        low = text.lower()
        forms, ascii_forms, ending = _guard()
        ended = ending is not None and ending.search(low) is not None
        words = _words(low)
        if not ended and (ascii_forms if words and isinstance(words[0], bytes) else forms).isdisjoint(words):
            return []  # no language's future form (the common case)
    return [
        lang
        for lang in langs
        if not lang.form_words
        or _held(lang.form_words, words)
        or (ended and lang.ending is not None and lang.ending.search(low) is not None)
    ]


@lru_cache(maxsize=1)
def _form_owners() -> dict[bytes, int]:
    """Each ASCII form word of the packaged :func:`languages` -> a bit for each language that has
    it (its place in that tuple): the languages an ASCII text's words hold, by one intersection."""
    owners: dict[bytes, int] = {}
    for bit, lang in enumerate(languages()):
        for form in _ascii(lang.form_words):
            owners[form] = owners.get(form, 0) | 1 << bit
    return owners


def _may_promise(lang: Language, low: str, words: list[str] | list[bytes]) -> bool:
    """Whether a sentence (lower-cased ``low``, its ``words``) holds one of ``lang``'s forms: every
    rule of :meth:`Language.promise_at` starts at one (a form word, or a future ending)."""
    return (
        not lang.form_words
        or _held(lang.form_words, words)
        or (lang.ending is not None and lang.ending.search(low) is not None)
    )


def promises_in(message: Message, langs: Sequence[Language] | None = None) -> list[Commitment]:
    """The promises the bot or an agent made in ``message`` (said to the customer)."""
    if message.role not in ("bot", "agent") or message.kind != "message":
        return []
    if not langs and message.text.isascii() and _quiet(message.text):
        return []
    return _read_promises(message, langs or languages())


def _read_promises(
    message: Message, langs: Sequence[Language], known: tuple[list[bytes], bool] | None = None
) -> list[Commitment]:
    """:func:`promises_in` for a bot or agent message, past the one-test guard (``known``: see
    :func:`_readers`)."""
    readers = _readers(message.text, langs, known)
    if not readers:
        return []
    found: list[Commitment] = []
    for sentence in _sentences(message.text):
        low = sentence.lower()
        words = _words(low)
        plain = bool(words) and isinstance(words[0], bytes)
        for lang in readers:
            forms = lang.form_words  # :func:`_may_promise`, inline: most sentences hold none
            if (
                forms
                and (_ascii(forms) if plain else forms).isdisjoint(words)
                and (lang.ending is None or lang.ending.search(low) is None)
            ):
                continue
            promise = lang.promise_at(sentence)
            if promise is None:
                continue
            for clause, (rule, start) in _clauses(sentence, lang, promise):
                due = (lang.due.find(clause[start:], message.timestamp) if start else None) or lang.due.find(
                    lang.due_clause(clause), message.timestamp
                )
                found.append(_commitment(clause, due, message.role, message.id, rule))
            break
    return found


_CLAUSE = re.compile(r"\s*;\s+|,?\s+and\s+|,\s+")


def _clauses(sentence: str, lang: Language, promise: tuple[str, int]) -> list[tuple[str, tuple[str, int]]]:
    """``sentence`` with its ``promise``, or its clauses when two or more of them promise on their
    own, each with its due time ("I'll call you back Tuesday, and our team will email you the
    report within 5 days")."""
    if "," in sentence or ";" in sentence or " and " in sentence:
        parts = [part for part in _CLAUSE.split(sentence) if part]
        found = [(part, p) for part in parts if (p := lang.promise_at(part)) is not None]
        # each its own promise with its own due time; else one promise in several clauses
        # ("Ich schicke Ihnen einen Brief, er kommt in 3–5 Werktagen")
        if len(parts) > 1 and len(found) > 1 and all(lang.due.find(part, None) for part, _ in found):
            return found
    return [(sentence, promise)]


_GREETING = re.compile(r"(?:hi|hello|hey|dear)\s+[A-Z][\w'’-]*\s*[,!]\s+(?=\S)", re.IGNORECASE)
"""A greeting with the customer's name before the promise ("Hi Valerie, I'll be back in touch…")."""


def _commitment(text: str, due: Due | None, actor: str, message_id: str, rule: str) -> Commitment:
    """The commitment, its text without the @handles a social reply opens with ("@213129 Bob, once
    Samsung shares the updates…") or a greeting by name ("Hi Valerie, "): they address the
    customer, the promise is what follows."""
    text = unaddressed(text)
    if text[:1] in "HhDd" and (greeting := _GREETING.match(text)) is not None:
        rest = text[greeting.end() :]
        text = rest[:1].upper() + rest[1:]  # "Hi Steve, please get in touch…" -> "Please get in touch…"
    text = strip_signature(text)  # "…get back to you asap ^HP"
    return Commitment(
        text=short(text),
        due=due.text if due else None,
        due_iso=due.iso if due else None,
        actor=actor,
        evidence=[message_id],
        rule=rule,
    )


def extract_commitments(conversation: Conversation, extra: Sequence[Commitment] = ()) -> list[Commitment]:
    """Every promise in ``conversation`` plus ``extra`` (a shift note's), in message order.

    The same promise said again (same text, case and spacing aside) is one commitment
    citing every message that says it; its due date is the latest one resolved.
    """
    items: list[Commitment] = []
    guard, langs = _ascii_guard(), languages()
    forms, ending = guard if guard is not None else (frozenset(), None)
    for m in conversation.messages:
        if m.role not in _SPEAKERS or m.kind != "message":
            continue
        text = m.text
        known: tuple[list[bytes], bool] | None = None
        if guard is not None and text.isascii():  # :func:`_quiet`, inline: most replies promise nothing
            folded = text.encode().translate(_FOLD)
            words = folded.split()
            ended = ending is not None and ending.search(folded) is not None
            if not ended and forms.isdisjoint(words):
                continue
            known = (words, ended)
        items += _read_promises(m, langs, known)
    items += [c.model_copy(deep=True) for c in extra]
    if len(items) > 1:
        order = {m.id: i for i, m in enumerate(conversation.messages)}
        items.sort(key=lambda c: min((order.get(i, len(order)) for i in c.evidence), default=len(order)))
    merged: dict[tuple[str, str], Commitment] = {}
    for item in items:
        key = (" ".join(item.text.casefold().split()), item.actor)
        first = merged.get(key)
        if first is None:
            merged[key] = item
        else:
            first.evidence = list(dict.fromkeys([*first.evidence, *item.evidence]))
            if item.due_iso is not None:  # said again later: the latest due date stands
                first.due, first.due_iso = item.due, item.due_iso
    return list(merged.values())
