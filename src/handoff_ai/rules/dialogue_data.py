"""Dialogue phrases (``rules/data/dialogue.toml``), validated and indexed once.

The file holds one table per language with the same keys; all tables are
active together, so adding a language is adding a data block, not code. All
phrase lists go into one index, so a message is scanned once for every label.
The verb forms the indexes hold are made in :mod:`.dialogue_forms`; one
conversation's reading of them is kept by :class:`.dialogue_reading.DialogueReader`
(both names re-exported here for existing callers).
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ..exceptions import ConfigError
from ._text import STOPWORDS, stem
from .dialogue_forms import (
    ATTEMPT_LEAD_WORDS,
    alternation,
    english_forms,
    inflected_forms,
    inflections,
    phrase_words,
)
from .dialogue_reading import DialogueReader
from .languages import language_section
from .phrases import CueReader, PhraseIndex, tokens

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
                word: frozenset(k for k in node if k is not None)
                for word, node in trie.items()
                if None not in node
            },
        }
        for name, value in derived.items():
            object.__setattr__(self, name, value)  # a frozen dataclass: set once, here


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


def _keywords(phrases: list[str]) -> frozenset[str]:
    """One word per phrase, the longest that is not a function word ("there", "please")."""
    found: set[str] = set()
    for words in map(tokens, phrases):
        if words:
            rare = [w for w in words if w.replace("'", "") not in STOPWORDS]
            found.add(max(rare or words, key=len))
    return frozenset(found)


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
    inflected = inflected_forms(blocks)
    keywords = {f"{PREFIX}{label}": _keywords(values) for label, values in lists.items()}
    english = english_forms(blocks)
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
        step_forms=frozenset(form for verb in phrase_words(m.step_verbs) for form in inflections(verb))
        | frozenset(inflected["verb_bases"]),
        step_stems=frozenset(stem(word) for word in phrase_words(m.step_verbs)),
        attempt_words=phrase_words(m.attempt_verbs) | frozenset(inflected["attempt_leads"]),
        filler=phrase_words(m.object_filler),
        native_filler=phrase_words(m.object_filler)
        | frozenset(w for b in blocks.values() if b.verb_endings for w in phrase_words(b.object_filler)),
        negations=phrase_words(m.negations),
        not_problem=alternation(m.not_problem),
        languages=tuple(blocks),
        past_words=phrase_words(m.past_openers),
        yes_words=phrase_words(m.yes),
        skip_words=phrase_words(m.skip_after_opener),
        lead_words=phrase_words(m.attempt_leads),
        trailing_negations=phrase_words(m.trailing_negations),
        not_before_imperative=phrase_words(m.not_before_imperative),
        clause_links=phrase_words(m.clause_links),
        prefixes=prefixes,
        sentence_imperatives=phrase_words(m.sentence_imperatives),
        delivery=alternation(m.delivery_openers),
        provide_verbs=phrase_words(m.provide_verbs),
        artifacts=phrase_words(m.artifacts),
        **english,
        **inflected,
    )


_CANNOT = frozenset({"can't", "cannot", "couldn't", "unable", "able"})


@lru_cache(maxsize=1)
def dialogue_phrases() -> DialoguePhrases:
    """The packaged phrases (read and indexed once per process)."""
    raw = resources.files("handoff_ai").joinpath("rules/data/dialogue.toml").read_bytes()
    return parse_dialogue_phrases(raw, _SOURCE, language_section("dialogue"))
