"""Dialogue phrases (``rules/data/dialogue.toml``), validated and indexed once.

The file holds one table per language with the same keys; all tables are
active together, so adding a language is adding a data block, not code. All
phrase lists go into one index, so a message is scanned once for every label.
This module reads and validates the file (each block against
:class:`.dialogue_schema.DialogueBlock`) and assembles :class:`.dialogue_index.DialoguePhrases`
from it, with the verb forms made in :mod:`.dialogue_forms`; one conversation's reading is a
:class:`.dialogue_reading.DialogueReader`. Those names are re-exported here for existing callers.
"""

from __future__ import annotations

import sys
from functools import lru_cache
from importlib import resources

from pydantic import ValidationError

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
from .dialogue_index import PREFIX, DialoguePhrases
from .dialogue_reading import DialogueReader
from .dialogue_schema import MAP_KEYS, DialogueBlock
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
        blocks = {name: DialogueBlock.model_validate(block) for name, block in data.items()}
    except (UnicodeDecodeError, ValueError) as exc:  # TOMLDecodeError is a ValueError
        raise ConfigError(f"not valid TOML: {exc}", source=source) from None
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "<root>"
        raise ConfigError(f"{where}: {first['msg']}", source=source) from None
    merged = DialogueBlock()
    prefixes: dict[tuple[str, ...], str] = {}
    for block in blocks.values():
        for name in type(merged).model_fields:
            # An inflecting language's object filler ("el", "la", "o") holds English-looking
            # words: it is read only after that language's verbs (``native_filler``).
            if name == "try_prefix" or name in MAP_KEYS or (name == "object_filler" and block.verb_endings):
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
