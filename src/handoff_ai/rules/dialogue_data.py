"""Dialogue phrases (``rules/data/dialogue.toml``), validated and indexed once.

The file holds one table per language with the same keys; all tables are
active together, so adding a language is adding a data block, not code. All
phrase lists go into one index, so a message is scanned once for every label.
"""

from __future__ import annotations

import re
import sys
import weakref
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ..exceptions import ConfigError
from ._text import STOPWORDS, stem
from .languages import language_section
from .phrases import CueReader, PhraseIndex, tokens
from .sentences import sentence_spans, shorten

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

__all__ = [
    "ATTEMPT_LEAD_WORDS",
    "PREFIX",
    "DialoguePhrases",
    "DialogueReader",
    "dialogue_phrases",
    "dialogue_reader",
    "parse_dialogue_phrases",
]

_SOURCE = "handoff_ai/rules/data/dialogue.toml"
PREFIX = "dialogue."
"""Label prefix of the dialogue phrase lists (kept apart from the rules' cue lists)."""


class _Language(BaseModel):
    """One language's block; every key is a list of phrases."""

    model_config = ConfigDict(extra="forbid")
    suggestion_openers: list[str] = Field(default_factory=list)
    request_openers: list[str] = Field(default_factory=list)
    question_openers: list[str] = Field(default_factory=list)
    """Openers that ask whether a step was done, read only in a question before a step verb
    ("¿Ha limpiado el filtro?", "Você já reiniciou o modem?")."""
    step_verbs: list[str] = Field(default_factory=list)
    attempt_verbs: list[str] = Field(default_factory=list)
    object_filler: list[str] = Field(default_factory=list)
    anaphora: list[str] = Field(default_factory=list)
    outcome_failed: list[str] = Field(default_factory=list)
    outcome_succeeded: list[str] = Field(default_factory=list)
    outcome_partial: list[str] = Field(default_factory=list)
    negations: list[str] = Field(default_factory=list)
    not_tried: list[str] = Field(default_factory=list)
    acknowledged: list[str] = Field(default_factory=list)
    refusal: list[str] = Field(default_factory=list)
    reason_openers: list[str] = Field(default_factory=list)
    note_finding: list[str] = Field(default_factory=list)
    not_problem: list[str] = Field(default_factory=list)
    accepted: list[str] = Field(default_factory=list)
    reaction: list[str] = Field(default_factory=list)
    customer_request: list[str] = Field(default_factory=list)
    past_forms: dict[str, str] = Field(default_factory=dict)
    """Irregular past forms of step and work verbs -> base form ("ran" -> "run")."""
    verb_synonyms: dict[str, str] = Field(default_factory=dict)
    """Verb -> the verb it names the same step as ("reboot" -> "restart")."""
    sentence_imperatives: list[str] = Field(default_factory=list)
    """Step verbs that suggest the step when they open a bot/agent sentence ("Restart the router.",
    "… - rotate that password"); words that also open plain instructions ("check") are left out."""
    provide_verbs: list[str] = Field(default_factory=list)
    """Verbs of giving the agent something ("send", "upload"): a step only before an ``artifacts`` word."""
    artifacts: list[str] = Field(default_factory=list)
    work_verbs: list[str] = Field(default_factory=list)
    request_verbs: list[str] = Field(default_factory=list)
    delivery_openers: list[str] = Field(default_factory=list)
    # Optional, for word orders other than English's (each adds to a built-in English set).
    late_verb_openers: list[str] = Field(default_factory=list)
    """Openers whose step verb may end the clause ("Haben Sie schon den Cache *geleert*?")."""
    imperatives: list[str] = Field(default_factory=list)
    """Imperatives that suggest a step on their own ("Nettoyez le port", "Starten Sie den Router neu")."""
    not_before_imperative: list[str] = Field(default_factory=list)
    """Words that make an imperative form something else ("si vous *nettoyez*")."""
    past_openers: list[str] = Field(default_factory=list)
    """First words of an opener that asks about the past ("haben", "avez"; English: have, did)."""
    yes: list[str] = Field(default_factory=list)
    """A reply starting with one of these says "yes" ("ja", "oui"; English: yes, yeah, yep, yup)."""
    skip_after_opener: list[str] = Field(default_factory=list)
    attempt_leads: list[str] = Field(default_factory=list)
    """Words that may stand before a customer's bare step verb ("et *vidé* le cache")."""
    trailing_negations: list[str] = Field(default_factory=list)
    """Negations right after a success phrase ("ça marche *pas*", "funktioniert jetzt *nicht*")."""
    clause_links: list[str] = Field(default_factory=list)
    """A step of one word runs on past a comma before one of these ("testen, *ob* es mit WLAN geht")."""
    try_prefix: str | None = None
    """What a suggested step without a verb starts with after this language's openers ("essayer un
    autre câble"; English "try"); ``""`` for none ("den Router neu zu starten" reads on its own)."""
    # Languages that inflect by ending (es, pt...): ``step_verbs`` are infinitives, and
    # these give their forms, keyed by the infinitive's ending ("ar" -> "a", "e", "ado"...;
    # a longer key adds spelling changes: "car" -> "que"). ``attempt_endings`` are the forms
    # a customer uses for a step of their own ("reinicié", "reiniciei"); ``attempt_lead`` the
    # words that may stand before one ("ya lo reinicié"), read only before this block's forms.
    verb_endings: dict[str, list[str]] = Field(default_factory=dict)
    attempt_endings: dict[str, list[str]] = Field(default_factory=dict)
    attempt_lead: list[str] = Field(default_factory=list)
    skip_forms: list[str] = Field(default_factory=list)
    # A bot/agent stating work done, where the English ``done`` pattern cannot read it: a
    # ``done_verbs`` form by ``done_endings`` ("desbloqueamos", "enviei"), or by
    # ``done_participles`` right after one of ``done_auxiliaries`` ("he desbloqueado",
    # "foi enviado", "ya envié"). ``work_failed`` / ``work_pending``: phrases of work that
    # failed ("no hemos podido") or is under way ("está en trámite").
    imperative_endings: dict[str, list[str]] = Field(default_factory=dict)
    """Forms of ``step_verbs`` that, opening a bot/agent sentence, suggest the step on their
    own ("Actualiza la app…", "Reinicie o roteador…"): no opener needed."""
    try_verbs: list[str] = Field(default_factory=list)
    """Verbs meaning "try" ("probar", "tentar"): skipped before the step they introduce."""
    clause_breaks: list[str] = Field(default_factory=list)
    """Words that end a step's clause after this language's verbs ("y", "pero", "sigue")."""
    done_verbs: list[str] = Field(default_factory=list)
    done_endings: dict[str, list[str]] = Field(default_factory=dict)
    done_participles: dict[str, list[str]] = Field(default_factory=dict)
    done_auxiliaries: list[str] = Field(default_factory=list)
    work_failed: list[str] = Field(default_factory=list)
    work_pending: list[str] = Field(default_factory=list)
    """Generated forms that are words of another language ("complete", "active"): left out."""


_MAPS = (
    "verb_endings",
    "attempt_endings",
    "done_endings",
    "done_participles",
    "imperative_endings",
    "past_forms",
    "verb_synonyms",
)
ATTEMPT_LEAD_WORDS = frozenset(
    {
        "and",
        "i",
        "we",
        "yes",
        "yeah",
        "yep",
        "also",
        "already",
        "even",
        "just",
        "have",
        "i've",
        "we've",
        "i'd",
        "had",
        "both",
        "then",
        "but",
        "ok",
        "okay",
        "so",
    }
)
"""Words that may stand before a bare attempt verb in a reply ("yes, reinstalled it")."""


@dataclass(frozen=True)
class DialoguePhrases:
    """Indexes and word sets built from every language block."""

    index: PhraseIndex
    """Every phrase list under its label, prefixed ``dialogue.``: ``suggestion``, ``request`` (a
    request needs a step verb after it), ``failed``, ``succeeded``, ``partial``, ``not_tried``,
    ``acknowledged``, ``anaphora``, ``refusal``, ``reason``, ``note_finding``, ``not_problem``,
    ``accepted``, ``reaction``. One scan of a message finds them all."""
    openers: dict[tuple[str, ...], str]
    """Suggestion and request openers by their words, to find every one in a message."""
    longest_opener: int
    opener_heads: frozenset[str]
    step_forms: frozenset[str]
    """Inflected forms of the step verbs: a cheap test before looking for a request."""
    keywords: dict[str, frozenset[str]]
    """Per label, one word of each phrase (its longest): no match without one of them."""
    step_stems: frozenset[str]
    attempt_words: frozenset[str]
    filler: frozenset[str]
    negations: frozenset[str]
    not_problem: re.Pattern[str]
    """Any ``not_problem`` phrase ("can't wait"), to tell a figure of speech from a problem."""
    languages: tuple[str, ...]
    past_words: frozenset[str] = frozenset()
    yes_words: frozenset[str] = frozenset()
    skip_words: frozenset[str] = frozenset()
    lead_words: frozenset[str] = frozenset()
    """Words before a bare step verb of the word-order languages (``attempt_leads`` of de/fr)."""
    trailing_negations: frozenset[str] = frozenset()
    not_before_imperative: frozenset[str] = frozenset()
    clause_links: frozenset[str] = frozenset()
    prefixes: dict[tuple[str, ...], str] = field(default_factory=dict)
    """Opener words -> the ``try_prefix`` of its language (English's "try " when absent)."""
    verb_bases: dict[str, str] = field(default_factory=dict)
    """Inflected form -> infinitive, from the blocks with ``verb_endings`` ("reinicie" ->
    "reiniciar"): the verb of a step's key, where the English stemmer cannot see it."""
    attempt_leads: dict[str, frozenset[str]] = field(default_factory=dict)
    """Attempt form of an inflecting language -> the words that may stand before it."""
    done_forms: dict[str, bool] = field(default_factory=dict)
    """A form stating work done -> whether it needs an auxiliary right before it."""
    done_aux: frozenset[str] = frozenset()
    imperatives: frozenset[str] = frozenset()
    native_filler: frozenset[str] = frozenset()
    try_forms: frozenset[str] = frozenset()
    """Forms of the inflecting languages' ``try_verbs`` ("probé", "tentei")."""
    clause_breaks: str = ""
    sentence_imperatives: frozenset[str] = frozenset()
    provide_verbs: frozenset[str] = frozenset()
    artifacts: frozenset[str] = frozenset()
    english_verbs: dict[str, str] = field(default_factory=dict)
    """A form of a step verb of the blocks without endings -> its base ("rebooted" -> "reboot",
    "ran" -> "run")."""
    synonyms: dict[str, str] = field(default_factory=dict)
    work_forms: dict[str, str] = field(default_factory=dict)
    """Past form of a work verb -> its base ("rebooked" -> "rebook", "sent" -> "send")."""
    request_forms: dict[str, str] = field(default_factory=dict)
    verb_set: frozenset[str] = frozenset()
    """Every base form of a step or work verb ("waive", "restart")."""
    delivery: re.Pattern[str] = re.compile(r"(?!)")
    """Any ``delivery_openers`` phrase ("here is your", "please find attached")."""
    work_gate: frozenset[str] = frozenset()
    """Words one of which a bot/agent message needs to state work (a past work or request verb, a
    delivery opener's key word, "can't"/"unable"): no such word, no further look."""
    """Past form of a request verb ("asked", "requested") -> its base."""
    statement_words: frozenset[str] = frozenset()
    """Words one of which a bot/agent sentence needs to state work by verb ending or by a
    ``work_failed`` / ``work_pending`` phrase: no such word, no further look."""
    """Regex alternation of the inflecting languages' ``clause_breaks`` (empty: none)."""
    """``filler`` and the inflecting languages' filler: the object words skipped after their verbs."""
    """Forms that suggest a step when they open a bot/agent sentence."""
    # Derived once from the fields above (``__post_init__``), for the per-message reading.
    opener_trie: dict[str | None, Any] = field(init=False, repr=False, compare=False)
    """The openers as a word trie: word -> node, a node maps the next word to its node and ``None``
    to the label of the opener that ends there. One walk finds the longest opener at a word."""
    suggestion_gate: frozenset[str] = field(init=False, repr=False, compare=False)
    """Words one of which a bot/agent message needs to suggest a step (a step verb's form, a verb of
    giving, an opener's key word): no such word, no further look."""
    suggestion_heads: frozenset[str] = field(init=False, repr=False, compare=False)
    """The words a suggestion starts at: an opener's first word, an imperative."""
    suggestion_starts: frozenset[str] = field(init=False, repr=False, compare=False)
    """The head words that may start a suggestion whatever follows: a one-word opener ("please"),
    an imperative that is no opener's first word."""
    _key_words: dict[tuple[str, ...], frozenset[str]] = field(init=False, repr=False, compare=False)
    opener_seconds: dict[str, frozenset[str]] = field(init=False, repr=False, compare=False)
    """Every other head word (the first of longer openers only: "you", "the") -> the words that
    may follow it in an opener: a head before any other word starts nothing."""

    def key_words(self, labels: tuple[str, ...]) -> frozenset[str]:
        """The key words of these labels together (``keywords``, built once per set of labels):
        a message with none of them holds none of their phrases."""
        found = self._key_words.get(labels)
        if found is None:
            found = frozenset().union(*(self.keywords[f"{PREFIX}{label}"] for label in labels))
            self._key_words[labels] = found
        return found

    def __post_init__(self) -> None:
        trie: dict[str | None, Any] = {}
        for opener, label in self.openers.items():
            node = trie
            for word in opener:
                node = node.setdefault(word, {})
            node[None] = label
        derived = {
            "opener_trie": trie,
            "suggestion_gate": self.step_forms
            | self.provide_verbs
            | self.keywords.get(f"{PREFIX}suggestion", frozenset()),
            "suggestion_heads": self.opener_heads | self.imperatives | self.sentence_imperatives,
            "suggestion_starts": frozenset(word for word, node in trie.items() if None in node)
            | ((self.imperatives | self.sentence_imperatives) - trie.keys()),
            "_key_words": {},
            "opener_seconds": {
                word: frozenset(k for k in node if k is not None) for word, node in trie.items() if None not in node
            },
        }
        for name, value in derived.items():
            object.__setattr__(self, name, value)  # a frozen dataclass: set once, here


class DialogueReader:
    """Dialogue labels per message, scanned only when a message can hold them.

    ``labels(text, "refusal")`` first checks one key word of each refusal phrase
    against the message's words (a set test); only a message that passes is
    scanned, once, for every label.
    """

    def __init__(self, phrases: DialoguePhrases, cues: CueReader) -> None:
        self.phrases = phrases
        # A weak reference: the cue reader holds this reader, and a strong one back would make a
        # cycle that outlives the conversation until a full garbage collection.
        self.cues: CueReader = weakref.proxy(cues)
        self._found: dict[str, dict[str, int]] = {}
        self._spans: dict[str, list[tuple[int, int]]] = {}
        self._positions: dict[str, int] = {}
        self._positions_of: object = None

    def position(self, message_id: str, messages: Sequence[Any]) -> int:
        """Index of the last message of ``messages`` with this id (0 when none).

        One table per conversation: a scan from the end per step was quadratic on a long chat.
        """
        if self._positions_of is not messages:
            self._positions = {m.id: i for i, m in enumerate(messages)}  # a repeated id: its last
            self._positions_of = messages
        return self._positions.get(message_id, 0)

    def labels(self, text: str, *needed: str) -> dict[str, int]:
        """``{label: token index}`` for a message's text; ``{}`` when none of ``needed`` can match."""
        found = self._found.get(text)  # keyed by the text (its hash is cached): no id reuse
        if found is None:
            words = self.cues.words(text)
            if needed and self.phrases.key_words(needed).isdisjoint(words):
                return _NOTHING
            found = self._found[text] = self.phrases.index.scan(words)
        return found

    def words(self, text: str) -> list[str]:
        return self.cues.words(text)

    def spans(self, text: str) -> list[tuple[int, int]]:
        """``sentence_spans(text)``, memoized: a message's statements of work all cut the same sentences."""
        found = self._spans.get(text)
        if found is None:
            found = self._spans[text] = sentence_spans(text)
        return found

    def sentence_at(self, text: str, position: int) -> str:
        """``sentences.sentence_at(text, position)``, on the memoized spans."""
        spans = self.spans(text)
        for start, end in spans:
            if position < end:  # inside this sentence, or in the white space just before it
                return shorten(text[start:end])
        return shorten(text[spans[-1][0] : spans[-1][1]]) if spans else ""


_NOTHING: dict[str, int] = {}


def dialogue_reader(cues: CueReader, phrases: DialoguePhrases | None = None) -> DialogueReader:
    """The conversation's reader (one per ``CueReader``, so actions and blocker share its scans).

    Kept on the cue reader itself, so it goes when the conversation's reading is done (a
    weak-keyed table here once kept every conversation's readers: each reader's strong
    reference to its key held the key alive).
    """
    phrases = phrases or dialogue_phrases()
    reader: DialogueReader | None = cues.dialogue
    if reader is None or reader.phrases is not phrases:
        reader = cues.dialogue = DialogueReader(phrases, cues)
    return reader


def _words(phrases: list[str]) -> frozenset[str]:
    return frozenset(word for phrase in phrases for word in tokens(phrase))


def _keywords(phrases: list[str]) -> frozenset[str]:
    """One word per phrase, the longest that is not a function word ("there", "please")."""
    found: set[str] = set()
    for words in map(tokens, phrases):
        if words:
            rare = [w for w in words if w.replace("'", "") not in STOPWORDS]
            found.add(max(rare or words, key=len))
    return frozenset(found)


def _inflections(verb: str) -> set[str]:
    """``restart`` -> restart, restarts, restarted, restarting (and doubled / e-dropped forms)."""
    forms = {verb, f"{verb}s", f"{verb}es", f"{verb}ed", f"{verb}d", f"{verb}ing"}
    forms |= {f"{verb}{verb[-1]}ing", f"{verb}{verb[-1]}ed"}
    if verb.endswith("e"):
        forms.add(f"{verb[:-1]}ing")
    if verb.endswith("y"):
        forms |= {f"{verb[:-1]}ies", f"{verb[:-1]}ied"}
    return forms


def _alternation(phrases: list[str]) -> re.Pattern[str]:
    parts = sorted(
        {re.escape(p.strip().lower()).replace(r"\ ", r"\s+") for p in phrases if p.strip()}, key=len
    )
    if not parts:
        return re.compile(r"(?!)")
    return re.compile(rf"(?<!\w)(?:{'|'.join(reversed(parts))})(?!\w)", re.IGNORECASE)


def parse_dialogue_phrases(
    raw: bytes, source: str, extra: dict[str, dict[str, list[str]]] | None = None
) -> DialoguePhrases:
    """Build the phrase indexes from a TOML document of language blocks.

    Raises:
        ConfigError: not TOML, not a table of language tables, or an unknown key.
    """
    try:
        data = tomllib.loads(raw.decode("utf-8"))
        data.update(extra or {})  # the language files' [dialogue] sections
        blocks = {name: _Language.model_validate(block) for name, block in data.items()}
    except (UnicodeDecodeError, ValueError) as exc:  # TOMLDecodeError is a ValueError
        raise ConfigError(f"not valid TOML: {exc}", source=source) from None
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "<root>"
        raise ConfigError(f"{where}: {first['msg']}", source=source) from None
    merged = _Language()
    prefixes: dict[tuple[str, ...], str] = {}
    for block in blocks.values():
        for name in type(merged).model_fields:
            # An inflecting language's object filler ("el", "la", "o") holds English-looking
            # words: it is read only after that language's verbs (``native_filler``).
            if name == "try_prefix" or name in _MAPS or (name == "object_filler" and block.verb_endings):
                continue
            getattr(merged, name).extend(getattr(block, name))
        if block.try_prefix is not None:
            for phrase in (*block.suggestion_openers, *block.late_verb_openers, *block.imperatives):
                prefixes.setdefault(tuple(tokens(phrase)), block.try_prefix)
    m = merged
    lists = {
        "suggestion": [*m.suggestion_openers, *m.late_verb_openers, *m.imperatives],
        "request": m.request_openers,
        "failed": m.outcome_failed,
        "succeeded": m.outcome_succeeded,
        "partial": m.outcome_partial,
        "not_tried": m.not_tried,
        "acknowledged": m.acknowledged,
        "anaphora": m.anaphora,
        "refusal": m.refusal,
        "reason": m.reason_openers,
        "note_finding": m.note_finding,
        "not_problem": m.not_problem,
        "accepted": m.accepted,
        "reaction": m.reaction,
        "customer_request": m.customer_request,
        "work_failed": m.work_failed,
        "work_pending": m.work_pending,
        "delivery": m.delivery_openers,
    }
    openers: dict[tuple[str, ...], str] = {}
    for label, phrases in (
        ("suggestion", m.suggestion_openers),
        ("request", m.request_openers),
        ("late", m.late_verb_openers),
        ("imperative", m.imperatives),
        ("question", m.question_openers),
    ):
        for phrase in phrases:
            openers.setdefault(tuple(tokens(phrase)), label)
    openers.pop((), None)
    inflected = _inflected(blocks)
    keywords = {f"{PREFIX}{label}": _keywords(values) for label, values in lists.items()}
    english = _english(blocks)
    english["work_gate"] = (
        frozenset(english["work_forms"])
        | frozenset(english["request_forms"])
        | keywords[f"{PREFIX}delivery"]
        | _CANNOT
    )
    return DialoguePhrases(
        index=PhraseIndex({f"{PREFIX}{label}": values for label, values in lists.items()}),
        keywords=keywords,
        statement_words=frozenset(inflected["done_forms"])
        | keywords[f"{PREFIX}work_failed"]
        | keywords[f"{PREFIX}work_pending"],
        openers=openers,
        longest_opener=max((len(k) for k in openers), default=0),
        opener_heads=frozenset(k[0] for k in openers),
        step_forms=frozenset(form for verb in _words(m.step_verbs) for form in _inflections(verb))
        | frozenset(inflected["verb_bases"]),
        step_stems=frozenset(stem(word) for word in _words(m.step_verbs)),
        attempt_words=_words(m.attempt_verbs) | frozenset(inflected["attempt_leads"]),
        filler=_words(m.object_filler),
        native_filler=_words(m.object_filler)
        | frozenset(w for b in blocks.values() if b.verb_endings for w in _words(b.object_filler)),
        negations=_words(m.negations),
        not_problem=_alternation(m.not_problem),
        languages=tuple(blocks),
        past_words=_words(m.past_openers),
        yes_words=_words(m.yes),
        skip_words=_words(m.skip_after_opener),
        lead_words=_words(m.attempt_leads),
        trailing_negations=_words(m.trailing_negations),
        not_before_imperative=_words(m.not_before_imperative),
        clause_links=_words(m.clause_links),
        prefixes=prefixes,
        sentence_imperatives=_words(m.sentence_imperatives),
        delivery=_alternation(m.delivery_openers),
        provide_verbs=_words(m.provide_verbs),
        artifacts=_words(m.artifacts),
        **english,
        **inflected,
    )


_CANNOT = frozenset({"can't", "cannot", "couldn't", "unable", "able"})


def _past(verb: str) -> set[str]:
    """Past forms of a regular verb ("rebook" -> "rebooked", "requeue" -> "requeued")."""
    return {f for f in _inflections(verb) if f.endswith("ed")}


def _english(blocks: dict[str, _Language]) -> dict[str, Any]:
    """Verb forms of the blocks that do not inflect by ending (English): steps, work, requests."""
    verbs: dict[str, str] = {}
    work: dict[str, str] = {}
    requests: dict[str, str] = {}
    synonyms: dict[str, str] = {}
    for block in blocks.values():
        if block.verb_endings:
            continue
        irregular = {form: base for form, base in block.past_forms.items()}
        synonyms.update(block.verb_synonyms)
        for verb in _words(block.step_verbs):
            for form in _inflections(verb):
                verbs.setdefault(form, verb)
        for form, base in irregular.items():
            verbs.setdefault(form, base)
        for target, names in ((work, block.work_verbs), (requests, block.request_verbs)):
            for name in names:
                verb = name.replace("-", "")
                for form in _past(verb):
                    target.setdefault(form, verb)
                target.update({form: base for form, base in irregular.items() if base == verb})
    return {
        "english_verbs": verbs,
        "synonyms": synonyms,
        "work_forms": work,
        "request_forms": requests,
        "verb_set": frozenset(verbs.values()) | frozenset(work.values()),
    }


def _forms(verbs: list[str], endings: dict[str, list[str]]) -> dict[str, str]:
    """Every form of each infinitive by its ending's table ("reiniciar" -> "reinicie", ...)."""
    found: dict[str, str] = {}
    for verb in verbs:
        for word in tokens(verb):
            for key, tails in endings.items():
                if word.endswith(key) and len(word) > len(key) + 1:
                    root = word[: -len(key)]
                    for tail in tails:
                        found.setdefault(tokens(root + tail)[0], word)
    return found


def _inflected(blocks: dict[str, _Language]) -> dict[str, Any]:
    """``verb_bases`` and ``attempt_leads`` of the blocks that inflect by ending.

    A form that is also a word of a block without endings (English "use", "pulse") is
    left out, so those blocks read exactly as they do alone.
    """
    plain: set[str] = set()
    for block in blocks.values():
        plain |= _words(block.skip_forms)
        if not block.verb_endings:
            for name in ("step_verbs", "attempt_verbs", "object_filler"):
                plain |= _words(getattr(block, name))
            plain |= {f for verb in _words(block.step_verbs) for f in _inflections(verb)}
    bases: dict[str, str] = {}
    leads: dict[str, frozenset[str]] = {}
    done: dict[str, bool] = {}
    aux: set[str] = set()
    imperatives: set[str] = set()
    tries: set[str] = set()
    breaks: list[str] = []
    for block in blocks.values():
        if not block.verb_endings:
            continue
        for endings in (block.verb_endings, block.attempt_endings):
            tries |= {form for form in _forms(block.try_verbs, endings) if form not in plain}
        breaks += block.clause_breaks
        for form, verb in _forms(block.step_verbs, block.imperative_endings).items():
            if form not in plain:
                imperatives.add(form)
                bases.setdefault(form, verb)
        finite = _forms(block.done_verbs, block.done_endings)
        participles = _forms(block.done_verbs, block.done_participles)
        participles.update(
            {w: w for w in _words(block.done_verbs) if w not in participles and w not in finite}
        )
        for form in participles:
            if form not in plain and form not in finite:
                done.setdefault(form, True)
        for form in finite:
            if form not in plain:
                done.setdefault(form, False)
        aux |= _words(block.done_auxiliaries)
        forms = _forms(block.step_verbs, block.verb_endings)
        attempts = _forms(block.step_verbs, block.attempt_endings)
        attempts.update({w: w for w in _words(block.attempt_verbs) if w not in attempts})
        lead = ATTEMPT_LEAD_WORDS | _words(block.attempt_lead)
        for form, verb in {**forms, **attempts}.items():
            if form not in plain:
                bases.setdefault(form, verb)
        for form in attempts:
            if form not in plain:
                leads.setdefault(form, lead)
    return {
        "verb_bases": bases,
        "attempt_leads": leads,
        "done_forms": done,
        "done_aux": frozenset(aux),
        "imperatives": frozenset(imperatives),
        "try_forms": frozenset(tries),
        "clause_breaks": _alternation(breaks).pattern if breaks else "",
    }


@lru_cache(maxsize=1)
def dialogue_phrases() -> DialoguePhrases:
    """The packaged phrases (read and indexed once per process)."""
    raw = resources.files("handoff_ai").joinpath("rules/data/dialogue.toml").read_bytes()
    return parse_dialogue_phrases(raw, _SOURCE, language_section("dialogue"))
