"""Commitments: promises made to the customer, so whoever takes over keeps them.

"I'll call you back Tuesday", "your refund will arrive in 5–7 business days",
"engineering will update you within 24 hours", and a shift note's "Next: call back
Tue 10:00" (:mod:`.shift_note`). Phrases are data (``rules/data/commitments.toml``,
one table per language); this module compiles them and reads each sentence the bot
or an agent said to the customer. A sentence is a commitment when it has a future
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
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

from ..exceptions import ConfigError
from ..models import Commitment, Conversation, Message
from .due import Due, DueReader
from .languages import language_section

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

__all__ = ["Language", "extract_commitments", "languages", "promises_in"]

_DATA = "rules/data/commitments.toml"
MAX_TEXT_CHARS = 300
"""Longest commitment text kept; a longer sentence is cut at a word with ``…``."""

_SENTENCE = re.compile(r"(?<=[.!?])\s+|\n+|\s+[•·]\s+")
_SPEAKERS = frozenset({"bot", "agent"})
_WORD_EDGE = re.compile(r"^\W+|\W+$")
_REQUIRED = (
    "future", "not_promisers", "negations", "needs", "conditions", "contact", "receive", "deliverables",
    "delivery_verbs", "numbers", "span_words", "business", "units", "range_words", "days", "weekdays",
    "weekday_prefixes", "months", "am", "pm", "shift_note",
)  # fmt: skip


def _alternation(phrases: Sequence[str]) -> str:
    parts = sorted(
        {re.escape(p.strip().lower()).replace(r"\ ", r"\s+") for p in phrases if p.strip()}, key=len
    )
    return "|".join(reversed(parts))


def _fold(text: str) -> str:
    """Lower case with curly apostrophes straightened (same length as ``text`` for matching)."""
    return text.lower().replace("’", "'")


@dataclass(frozen=True)
class Language:
    """One language's commitment and shift-note rules, compiled."""

    name: str
    due: DueReader
    future: re.Pattern[str]
    negated: re.Pattern[str]
    condition: re.Pattern[str]
    contact: re.Pattern[str]
    receive: re.Pattern[str]
    deliverable: re.Pattern[str]
    delivery: re.Pattern[str]
    not_promisers: frozenset[str]
    shift_note: dict[str, list[str]]
    futures: tuple[str, ...]
    endings: tuple[str, ...] = ()
    """``future_endings``: a word that is an infinitive plus one of these is a future ("llamaremos")."""
    clitics: frozenset[str] = frozenset()
    """Pronouns between the subject and the verb ("le", "te"), skipped to find the subject."""
    pro_drop: bool = False
    """The subject may go unsaid ("Le llamaremos"): no subject is the speaker, and a negation
    before the verb ("no le llamaremos") negates it."""
    negations: frozenset[str] = frozenset()
    literals: tuple[str, ...] = ()
    """Substrings one of which a sentence must hold for ``future`` to match (a cheap test first)."""
    triggers: frozenset[str] = frozenset()
    """Or one of these words (the rarest word of each future form: "vamos", "llamo"), for a
    language with many forms: a set test instead of a substring test per form."""
    present: re.Pattern[str] | None = None
    """``present_contact``: a first-person present that promises contact when a due time is
    stated ("te llamo mañana", "te retorno até sexta"), as English would say "I'll call"."""

    @classmethod
    def compile(cls, name: str, data: dict[str, Any]) -> Language:
        missing = [key for key in _REQUIRED if key not in data]
        if missing:
            raise ConfigError(f"[{name}] lacks {', '.join(missing)}", source=_DATA)
        words = [f for f in data["future"] if not f.startswith("'")]
        attached = [f for f in data["future"] if f.startswith("'")]
        future = rf"(?:(?<=\w)(?:{_alternation(attached) or '(?!)'})|(?<!\w)(?:{_alternation(words)}))(?!\w)"
        endings = tuple(data.get("future_endings", ()))
        if (
            endings
        ):  # the infinitive ends in a vowel and "r" ("llamar", "ser"), or "dr"/"br" ("pondr", "habr")
            future += rf"|(?<!\w)(?P<inf>\w+?(?:[aeiouáéíóúâêô]|d|b)r)(?:{_alternation(endings)})(?!\w)"
        lead = r"^\s+(?:[\w'-]+\s+){0,4}?"
        return cls(
            name=name,
            due=DueReader(data),
            future=re.compile(future),
            negated=re.compile(rf"^\s+(?:{_alternation([*data['negations'], *data['needs']])})(?!\w)"),
            condition=re.compile(rf"^\W*(?:{_alternation(data['conditions'])})(?!\w)"),
            contact=re.compile(rf"{lead}(?:{_alternation(data['contact'])})(?!\w)"),
            receive=re.compile(rf"^\s+(?:[\w'-]+\s+){{0,2}}?(?:{_alternation(data['receive'])})(?!\w)"),
            deliverable=re.compile(rf"(?<!\w)(?:{_alternation(data['deliverables'])})s?(?!\w)"),
            delivery=re.compile(rf"{lead}(?:{_alternation(data['delivery_verbs'])})(?!\w)"),
            not_promisers=frozenset(w.lower() for w in data["not_promisers"]),
            shift_note={key: list(value) for key, value in data["shift_note"].items()},
            futures=tuple(data["future"]),
            endings=endings,
            clitics=frozenset(w.lower() for w in data.get("clitics", ())),
            pro_drop=bool(data.get("pro_drop", False)),
            negations=frozenset(w.lower() for w in data["negations"]),
            **_prechecks(data, endings),
            present=re.compile(rf"(?<!\w)(?:{_alternation(data['present_contact'])})(?!\w)")
            if data.get("present_contact")
            else None,
        )

    def holds(self, low: str, words: Sequence[str]) -> bool:
        """Whether lower-cased text (and its space-separated ``words``) may hold a future form."""
        return any(literal in low for literal in self.literals) or not self.triggers.isdisjoint(words)

    def promise(self, sentence: str) -> str | None:
        """The rule that makes ``sentence`` a promise, or ``None``."""
        low = _fold(sentence)
        if not self.holds(low, low.split()):
            return None
        if low.rstrip().endswith("?") or self.condition.match(low):
            return None
        for match in self.future.finditer(low):
            before = low[max(0, match.start() - 40) : match.start()].split()
            subject = _WORD_EDGE.sub("", before[-1]) if before else ""
            while subject in self.clitics and before:  # "le llamaremos": the subject is before "le"
                before.pop()
                subject = _WORD_EDGE.sub("", before[-1]) if before else ""
            if self.pro_drop and subject in self.negations:
                continue  # "no le llamaremos"
            if not subject and not self.pro_drop:
                continue  # "Will you ...": a question
            after = low[match.end() :]
            if self.endings and match.group("inf"):
                after = f" {match.group('inf')}{after}"  # "llamaremos el martes" -> " llamar el martes"
            if self.negated.match(after):
                continue
            if not subject and self.pro_drop:  # "Recibirá un correo": said to "usted"
                found = self.receive.match(after)
                if found and self.deliverable.search(" ".join(after[found.end() :].split()[:4])):
                    return "commitment.receive"
            if subject in self.not_promisers:
                found = self.receive.match(after)
                # What is received is named within a few words ("receive an email confirming ...").
                if found and self.deliverable.search(" ".join(after[found.end() :].split()[:4])):
                    return "commitment.receive"
                continue
            if self.contact.match(after):
                return "commitment.contact"
            if self.due.find(sentence, None) and (self.delivery.match(after) or self.deliverable.search(low)):
                return "commitment.delivery"
        if self.present is not None:
            found = self.present.search(low)
            before = low[: found.start()].split()[-1:] if found else []
            if found and not self.negations.intersection(before) and self.due.find(sentence, None):
                return "commitment.contact"
        return None


@lru_cache(maxsize=1)
def languages() -> tuple[Language, ...]:
    """The packaged languages: English (``commitments.toml``), then each language file's."""
    raw = resources.files("handoff_ai").joinpath(_DATA).read_bytes()
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise ConfigError(f"not valid TOML: {exc}", source=_DATA) from None
    tables = {**data, **language_section("commitments")}  # one [commitments] per language file
    return tuple(Language.compile(name, table) for name, table in tables.items())


def _sentences(text: str) -> Iterator[str]:
    for part in _SENTENCE.split(text):
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


def _prechecks(data: dict[str, Any], endings: tuple[str, ...]) -> dict[str, Any]:
    """``literals`` and ``triggers`` of a language's future forms (see :class:`Language`)."""
    forms = [f.lstrip("'’").lower() for f in data["future"]]
    phrases = [*forms, *(p.lower() for p in data.get("present_contact", ()))]
    if not endings and not data.get("present_contact"):
        return {"literals": _literals(forms)}
    words = {max(phrase.split(), key=len) for phrase in phrases if phrase.split()}
    variants = {
        f"{lead}{word}{tail}" for word in words for lead in ("", "¿", "¡") for tail in ("", *".,;:!?")
    }
    return {"literals": _literals([f"r{e}" for e in endings]), "triggers": frozenset(variants)}


def _literals(forms: Sequence[str]) -> tuple[str, ...]:
    """The shortest substrings covering ``forms`` ("ll" covers "will"): a pre-check, not a match."""
    literals: list[str] = []
    for form in sorted(set(forms), key=len):
        if form and not any(shorter in form for shorter in literals):
            literals.append(form)
    return tuple(literals)


@lru_cache(maxsize=1)
def _guards() -> tuple[tuple[Language, re.Pattern[str]], ...]:
    """Per language, one word-bounded search for its future forms ("'ll" as "ll" after an
    apostrophe), tried only on a message that ``Language.holds`` one of them."""
    found = []
    for lang in languages():
        forms = sorted({form.lstrip("'’").lower() for form in lang.futures}, key=len)
        guard = rf"(?<!\w)(?:{_alternation(forms)})(?!\w)"
        if lang.endings:  # a synthetic future ends in "r" + its ending ("llamaremos", "ligarei")
            guard += rf"|(?<=\w)r(?:{_alternation(lang.endings)})(?!\w)"
        if lang.present is not None:
            guard += f"|{lang.present.pattern}"
        found.append((lang, re.compile(guard, re.IGNORECASE)))
    return tuple(found)


@lru_cache(maxsize=1)
def _prechecks_all() -> tuple[tuple[str, ...], frozenset[str]]:
    """Every language's literals and trigger words together."""
    langs = languages()
    triggers: frozenset[str] = frozenset().union(*(lang.triggers for lang in langs))
    return _literals([x for lang in langs for x in lang.literals]), triggers


def promises_in(message: Message, langs: Sequence[Language] | None = None) -> list[Commitment]:
    """The promises the bot or an agent made in ``message`` (said to the customer)."""
    if message.role not in ("bot", "agent") or message.kind != "message":
        return []
    low = message.text.lower()
    words = low.split()
    literals, triggers = _prechecks_all()
    if not any(literal in low for literal in literals) and triggers.isdisjoint(words):
        return []  # no language's future form (the common case): one test for all of them
    # Only the languages whose future forms the message holds (``promise`` needs one anyway).
    active = [
        lang
        for lang, guard in _guards()
        if (langs is None or lang in langs) and lang.holds(low, words) and guard.search(message.text)
    ]
    if not active:
        return []
    found: list[Commitment] = []
    for sentence in _sentences(message.text):
        for lang in active:
            rule = lang.promise(sentence)
            if rule is None:
                continue
            due = lang.due.find(sentence, message.timestamp)
            found.append(_commitment(sentence, due, message.role, message.id, rule))
            break
    return found


def _commitment(text: str, due: Due | None, actor: str, message_id: str, rule: str) -> Commitment:
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
    order = {m.id: i for i, m in enumerate(conversation.messages)}
    items = [c for m in conversation.messages if m.role in _SPEAKERS for c in promises_in(m)]
    items += [c.model_copy(deep=True) for c in extra]
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
