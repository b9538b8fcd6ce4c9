"""One language's promise rules, compiled: :class:`Language` and the packaged :func:`languages`.

Split from :mod:`.commitments`, which reads the bot's and agents' messages: this module holds
what a language says a promise is (its future forms, subjects, negations, contact and delivery
phrases, hedges, due-time reader), compiled once from ``rules/data/commitments.toml`` and each
language file's ``[commitments]``, and :meth:`Language.promise_at`, which finds one in a sentence.
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
from .due import DueReader
from .languages import language_section

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

__all__ = ["Language", "languages"]

_DATA = "rules/data/commitments.toml"
_WORD_EDGE = re.compile(r"^\W+|\W+$")
_WORDS = re.compile(r"\w+")
"""A form's words and a message's, split alike: every form is matched between non-word characters."""
_REQUIRED = (
    "future", "not_promisers", "negations", "needs", "conditions", "contact", "receive", "deliverables",
    "delivery_verbs", "numbers", "span_words", "business", "units", "range_words", "days", "weekdays",
    "weekday_prefixes", "months", "am", "pm", "shift_note",
)  # fmt: skip


def _branches(phrases: Sequence[str]) -> list[str]:
    parts = sorted(
        {re.escape(p.strip().lower()).replace(r"\ ", r"\s+") for p in phrases if p.strip()}, key=len
    )
    return parts[::-1]


def _alternation(phrases: Sequence[str]) -> str:
    return "|".join(_branches(phrases))


def _word_led(phrases: Sequence[str], *, after_word: bool = False) -> str:
    r"""``(?<!\w)(?:{_alternation(phrases)})`` (``after_word``: ``(?<=\w)``) written so that a search
    skips ahead to a phrase's first character, not trying the look-behind at every position: the
    phrases grouped by first character (in their order within a group: phrases that start
    differently never match at one place), each group's look-behind after that character. A
    phrase-led search of a sentence is about twice as fast. No phrases: ``""``."""
    groups: dict[str, list[str]] = {}
    for branch in _branches(phrases):
        cut = 2 if branch.startswith("\\") else 1  # an escaped first character ("\-")
        groups.setdefault(branch[:cut], []).append(branch[cut:])
    behind = r"(?<=\w[\w\W])" if after_word else r"(?<!\w[\w\W])"
    return "|".join(f"{first}{behind}(?:{'|'.join(rests)})" for first, rests in groups.items())


def _led(phrases: Sequence[str]) -> str:
    r"""``(?<!\w)(?:…)`` of ``phrases``, phrase-led (:func:`_word_led`) when there are any."""
    led = _word_led(phrases)
    return f"(?:{led})" if led else rf"(?<!\w)(?:{_alternation(phrases)})"


def _keys(phrases: Sequence[str]) -> tuple[str, ...] | None:
    """The longest word of each phrase, lower case, without those holding a shorter one
    ("rebooked" holds "booked"): a text where a phrase matches holds its key as written, so a
    text with none of them in it matches none. ``None`` when a phrase has no word character."""
    keys = set()
    for phrase in phrases:
        found = _WORDS.findall(phrase.strip().lower())
        if not found:
            return None
        keys.add(max(found, key=len))
    return tuple(sorted(k for k in keys if not any(o != k and o in k for o in keys)))


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
    form_words: frozenset[str] = frozenset()
    """The longest word of each future form, estimate and ``present_contact`` phrase ("'ll" as
    "ll", "going" of "am going to"): a message with none of them (and no ``ending``), no promise."""
    ending: re.Pattern[str] | None = None
    """An "r" plus one of ``endings`` ends a word ("llamaremos", "ligarei"): a pre-check."""
    verb_future: re.Pattern[str] | None = None
    """Optional: verbs that carry the future themselves ("rappellerons", "recevrez") or, said in the
    present, promise ("wir melden uns", "je vous rappelle"); each starts the text read after it."""
    present: frozenset[str] = frozenset()
    """Those of ``verb_future`` in the present: a promise with a ``promisers`` subject beside them
    (before, or after as in "Morgen rufen wir Sie an"), or with a due time."""
    promisers: frozenset[str] = frozenset()
    clitics: frozenset[str] = frozenset()
    """Pronouns between a subject and its verb ("nous *vous* rappellerons", "*le* llamaremos"),
    skipped to find it."""
    negations: frozenset[str] = frozenset()
    conjunctions: frozenset[str] = frozenset()
    verb_final: bool = False
    """Verbs come last ("Wir werden uns bis Freitag bei Ihnen melden"): contact and delivery phrases
    are looked for further on, and what is received may be named before the verb."""
    estimate: re.Pattern[str] | None = None
    """Optional: words that turn a due time and a deliverable into a promise without a future
    ("comptez 5 à 7 jours ouvrés pour le remboursement")."""
    endings: tuple[str, ...] = ()
    """``future_endings``: a word that is an infinitive plus one of them is a future, read as the
    future of that infinitive ("llamaremos el martes" as "llamar el martes")."""
    pro_drop: bool = False
    """The subject may go unsaid ("Le llamaremos"): none is the speaker, and a negation where the
    subject would be negates ("no le llamaremos", "não vamos ligar")."""
    present_contact: re.Pattern[str] | None = None
    """Optional: a first-person present that promises contact when a due time is stated ("te
    llamo mañana", "te retorno até sexta"), as English says "I'll call"."""
    receive_alone: re.Pattern[str] | None = None
    """Optional: what the customer "will" get that needs no deliverable named ("you'll *hear
    back* within 2 days", "you'll *be contacted* tomorrow")."""
    hedge: re.Pattern[str] | None = None
    """Optional: words that take a promise back anywhere in its sentence ("we *can't promise*
    the refund arrives in 5 days", "*no guarantee*")."""
    booked: re.Pattern[str] | None = None
    """Optional: work that fixes a future time ("I have *booked* the installer for Wednesday 11
    June", "*scheduled* for tomorrow"): a promise when a due time follows it."""
    estimate_keys: tuple[str, ...] | None = None
    booked_keys: tuple[str, ...] | None = None
    """A word of each ``estimate`` (``booked``) phrase, as :func:`_keys`: a sentence holding none
    is not searched for them (``None``: always searched)."""

    @classmethod
    def compile(cls, name: str, data: dict[str, Any]) -> Language:
        missing = [key for key in _REQUIRED if key not in data]
        if missing:
            raise ConfigError(f"[{name}] lacks {', '.join(missing)}", source=_DATA)
        words = [f for f in data["future"] if not f.startswith("'")]
        attached = [f for f in data["future"] if f.startswith("'")]
        after, before = _word_led(attached, after_word=True), _word_led(words)  # phrase-led, as below
        if after and before:
            future = rf"(?:{after}|{before})(?!\w)"
        else:
            attached_alt, words_alt = _alternation(attached) or "(?!)", _alternation(words)
            future = rf"(?:(?<=\w)(?:{attached_alt})|(?<!\w)(?:{words_alt}))(?!\w)"
        endings = _alternation(data.get("future_endings", []))
        if endings:  # an infinitive ends in a vowel + "r" ("llamar"), or "dr"/"br" ("pondr", "habr")
            future += rf"|(?<!\w)(?P<inf>\w+?(?:[aeiouáéíóúâêô]|d|b)r)(?:{endings})(?!\w)"
        contacts = data.get("present_contact", [])
        lead = r"^\s+(?:[\w'-]+\s+){0,8}?" if data.get("verb_final") else r"^\s+(?:[\w'-]+\s+){0,4}?"
        verbs = [*data.get("verb_futures", []), *data.get("present_promises", [])]
        compound = r"[^\W_]*?" if data.get("compound_nouns") else ""
        estimates = data.get("estimates", [])
        alone, booked, hedges = data.get("receive_alone", []), data.get("booked", []), data.get("hedges", [])
        forms = [*data["future"], *verbs, *estimates, *booked]
        rare = [max(_WORDS.findall(f.lower()) or [f.lower()], key=len) for f in [*forms, *contacts]]
        return cls(
            name=name,
            due=DueReader(data),
            future=re.compile(future),
            negated=re.compile(rf"^\s+(?:{_alternation([*data['negations'], *data['needs']])})(?!\w)"),
            condition=re.compile(rf"^\W*(?:{_alternation(data['conditions'])})(?!\w)"),
            contact=re.compile(rf"{lead}(?:{_alternation(data['contact'])})(?!\w)"),
            receive=re.compile(rf"^\s+(?:[\w'-]+\s+){{0,2}}?(?:{_alternation(data['receive'])})(?!\w)"),
            # German compounds end in their noun: "Aktivierungsbrief", "Bestätigungsmail".
            deliverable=re.compile(rf"(?<!\w){compound}(?:{_alternation(data['deliverables'])})s?(?!\w)"),
            delivery=re.compile(rf"{lead}(?:{_alternation(data['delivery_verbs'])})(?!\w)"),
            not_promisers=frozenset(w.lower() for w in data["not_promisers"]),
            shift_note={key: list(value) for key, value in data["shift_note"].items()},
            futures=(*forms,),
            form_words=frozenset(rare),
            ending=re.compile(rf"r(?:{endings})(?!\w)") if endings else None,
            verb_future=re.compile(rf"(?<!\w)(?:{_alternation(verbs)})(?!\w)") if verbs else None,
            present=frozenset(v.lower() for v in data.get("present_promises", [])),
            promisers=frozenset(w.lower() for w in data.get("promisers", [])),
            clitics=frozenset(w.lower() for w in data.get("clitics", [])),
            negations=frozenset(w.lower() for w in data["negations"]),
            conjunctions=frozenset(w.lower() for w in data.get("conjunctions", [])),
            verb_final=bool(data.get("verb_final", False)),
            estimate=re.compile(rf"(?<!\w)(?:{_alternation(estimates)})(?!\w)") if estimates else None,
            endings=tuple(e.lower() for e in data.get("future_endings", [])),
            pro_drop=bool(data.get("pro_drop", False)),
            present_contact=re.compile(rf"(?<!\w)(?:{_alternation(contacts)})(?!\w)") if contacts else None,
            receive_alone=(
                re.compile(rf"^\s+(?:[\w'-]+\s+){{0,2}}?(?:{_alternation(alone)})(?!\w)") if alone else None
            ),
            booked=re.compile(rf"{_led(booked)}(?!\w)") if booked else None,
            estimate_keys=_keys(estimates),
            booked_keys=_keys(booked),
            hedge=re.compile(rf"{_led(hedges)}(?!\w)") if hedges else None,
        )

    def _subject(self, low: str, start: int) -> tuple[str, bool]:
        """The word before a future form, object pronouns skipped ("un technicien *vous* contactera",
        "nous *vous* rappellerons"), and whether a skipped one negates it ("nous *ne* vous
        rappellerons pas"). A pronoun that may be either ("nous", "vous") is the subject where its
        clause starts (after punctuation or a conjunction). In a ``pro_drop`` language the subject
        may be none ("Le llamaremos"), and a negation in its place negates ("No le llamaremos")."""
        raw = low[max(0, start - 40) : start].split()
        words = [_WORD_EDGE.sub("", word) for word in raw]
        pronouns = self.clitics & (self.promisers | self.not_promisers)
        negated = False
        while words and words[-1] in self.clitics and (self.pro_drop or len(words) > 1):
            if words[-1] in pronouns and (
                len(words) == 1
                or not words[-2]
                or raw[-2][-1] in ",;:.!?()"
                or words[-2] in self.conjunctions
            ):
                break  # "…postes ; nous revenons vers vous"
            raw.pop()
            negated = negated or words.pop() in self.negations
        subject = words[-1] if words else ""
        return subject, negated or (self.pro_drop and subject in self.negations)

    def _forms(self, low: str) -> Iterator[tuple[int, int, bool, str]]:
        """``(start, end, the verb itself, the text read after it)`` of each future form, in
        sentence order; a synthetic future is read as the future of its infinitive ("llamaremos
        el martes" as " llamar el martes", as English reads "will" + " call on Tuesday")."""
        found = []
        for m in self.future.finditer(low):
            inf = m["inf"] if self.endings else None
            found.append((m.start(), m.end(), False, f" {inf}{low[m.end() :]}" if inf else low[m.end() :]))
        if self.verb_future is not None:
            found += [(m.start(), m.end(), True, low[m.end() :]) for m in self.verb_future.finditer(low)]
            found.sort(key=lambda form: form[:3])
        yield from found

    def promise(self, sentence: str) -> str | None:
        """The rule that makes ``sentence`` a promise, or ``None``."""
        found = self.promise_at(sentence)
        return found[0] if found else None

    def promise_at(self, sentence: str) -> tuple[str, int] | None:
        """The rule that makes ``sentence`` a promise and where the promise starts (its future
        form, or its estimate word), or ``None``: the due time is read from there on first
        ("restart the TV tomorrow morning and I'll check back *on Monday*")."""
        low = _fold(sentence)
        if low.rstrip().endswith("?") or self.condition.match(low):
            return None
        found = self._promise_at(sentence, low)
        if found is not None and self.hedge is not None and self.hedge.search(low):
            return None  # "we can't promise it arrives in 5 days"
        return found

    def _promise_at(self, sentence: str, low: str) -> tuple[str, int] | None:
        keys = self.estimate_keys  # a substring test of its key words before the search
        estimate = (
            self.estimate.search(low)
            if self.estimate is not None and (keys is None or any(key in low for key in keys))
            else None
        )
        if (
            estimate
            and self.deliverable.search(low)
            and self.due.find(sentence[estimate.start() :], None)
            and not self._negated_before(low, estimate.start())
        ):
            return "commitment.delivery", estimate.start()  # "le diagnostic prend 48 heures"
        keys = self.booked_keys
        booked = (
            self.booked.search(low)
            if self.booked is not None and "ed" in low and (keys is None or any(key in low for key in keys))
            else None
        )
        if (
            booked
            and not self._negated_before(low, booked.start())
            and self.due.find(sentence[booked.end() :], None) is not None
        ):
            return "commitment.appointment", booked.start()  # "I have booked the installer for Wed"
        dated: bool | None = None  # a due time in the sentence: read on first need, once
        for start, end, verb, after in self._forms(low):
            read = self._subject if self.clitics or self.pro_drop else self._plain_subject
            subject, negated = read(low, start)
            if negated:
                continue
            if verb and low[start:end] in self.present and subject not in self.not_promisers:
                # A present tense promises with "I/we" beside it, or with a due time.
                nxt = _WORD_EDGE.sub("", (low[end:].split() or [""])[0])
                if not (subject in self.promisers or nxt in self.promisers):
                    if not subject or nxt in self.not_promisers:
                        continue  # "Bitte rufen Sie uns morgen an" asks the customer
                    if dated is None:
                        dated = self.due.find(sentence, None) is not None
                    if not dated:
                        continue
            elif not subject and not self.pro_drop:
                continue  # "Will you ...": a question
            nearby = {_WORD_EDGE.sub("", word) for word in after.split()[:3]} if verb else set()
            if self.negated.match(after) or not self.negations.isdisjoint(nearby):
                continue  # "will not", "wir melden uns nicht", "necesitaremos" (a need)
            if verb:  # the verb is part of what is promised ("rappellerons", "melden uns")
                after = " " + low[start:]
            said_to = subject in self.not_promisers
            if said_to or (self.pro_drop and not subject):  # "Recibirá un correo": said to "usted"
                found = self.receive.match(after)
                # What is received is named within a few words ("receive an email confirming ...").
                window = 8 if self.verb_final else 4
                if found and self.deliverable.search(" ".join(after[found.end() :].split()[:window])):
                    return "commitment.receive", start
                if found and self.verb_final and self.deliverable.search(after[: found.end()]):
                    return "commitment.receive", start  # "Sie werden eine E-Mail erhalten"
                if said_to and self.receive_alone is not None and self.receive_alone.match(after):
                    return "commitment.receive", start  # "You'll hear back within 2 business days"
                if said_to:
                    continue
            if self.contact.match(after):
                return "commitment.contact", start
            if self.delivery.match(after) or self.deliverable.search(low):
                if dated is None:
                    dated = self.due.find(sentence, None) is not None
                if dated:
                    return "commitment.delivery", start
        rule = self._present_contact(sentence, low)
        return (rule, 0) if rule else None

    def _negated_before(self, low: str, at: int) -> bool:
        """A negation in the two words before ``at`` ("the refund *didn't* arrive in 5 days")."""
        before = [_WORD_EDGE.sub("", w) for w in low[max(0, at - 30) : at].split()[-2:]]
        return any(w in self.negations or w.endswith("n't") for w in before)

    def _present_contact(self, sentence: str, low: str) -> str | None:
        """A ``present_contact`` phrase, not negated, with a due time ("te llamo mañana")."""
        found = self.present_contact.search(low) if self.present_contact is not None else None
        if found is None or not self.negations.isdisjoint(low[: found.start()].split()[-1:]):
            return None
        return "commitment.contact" if self.due.find(sentence, None) else None

    def due_clause(self, sentence: str) -> str:
        """Where the due time is read: from an ``estimates`` word on ("validé aujourd'hui ; comptez
        5 à 7 jours ouvrés" is due in 5 to 7 days), else the whole sentence."""
        if self.estimate is None:
            return sentence
        found = self.estimate.search(_fold(sentence))
        return sentence[found.start() :] if found else sentence

    @staticmethod
    def _plain_subject(low: str, start: int) -> tuple[str, bool]:
        before = low[max(0, start - 40) : start].split()
        return (_WORD_EDGE.sub("", before[-1]) if before else ""), False


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
