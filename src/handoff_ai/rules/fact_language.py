"""The words facts depend on, per language the rules read (each language file's ``[facts]``).

English keeps its words in code (``facts.ASK_PHRASES``, ``catalog``); every other language
the rules read brings, as data: what a question asks for (``[facts.asks]``), labels before
a value (``[facts.labels]``: "Kundennummer 55-201", "código postal 28013"), secrets'
labels (``[facts.secrets]``: "Passwort", "mot de passe", "TAN"), request and filler
words, copulas ("ist", "es", "é") and month names. This module turns them into phrase
indexes and regexes once; they are used for a conversation only when it is in that
language (labels, dates, asks), except secrets' labels, which are read in every
conversation: a password typed in German inside a Spanish chat is still withheld.

Phrases are written once with their accents; the regexes made here accept each
accented letter with or without its accent ("contrasena" == "contraseña"), like the
phrase index does by folding tokens.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import Any

from .languages import language_section
from .phrases import fold, tokens

__all__ = ["FactWords", "fact_words", "phrase_pattern", "secret_labels"]


def phrase_pattern(phrase: str) -> str:
    """A regex for ``phrase``: any run of spaces between words, accents optional, word-bounded."""
    parts: list[str] = []
    for char in phrase.strip():
        if char.isspace():
            if parts and parts[-1] != r"\s+":
                parts.append(r"\s+")
            continue
        bare = fold(char)
        if char == "-":
            parts.append(r"[-\s]?")
        elif bare != char:
            parts.append(f"[{re.escape(char)}{re.escape(bare)}]")
        elif char in "°º":
            parts.append("[°ºo]")
        elif char in "'’":
            parts.append("['’]")
        else:
            parts.append(re.escape(char))
    body = "".join(parts)
    head = r"(?<!\w)" if phrase[:1].isalnum() else ""
    tail = r"(?!\w)" if phrase[-1:].isalnum() else ""
    return head + body + tail


def _alternation(phrases: Iterable[str]) -> str:
    """One group matching any of ``phrases``, longest first (so "n° de commande" beats "commande")."""
    unique = sorted(set(phrases), key=lambda p: (-len(p), p))
    return "(?:" + "|".join(phrase_pattern(p) for p in unique) + ")" if unique else "(?!)"


def _key(text: str) -> str:
    """A label as written in the message → the lookup form of its phrase."""
    return " ".join(tokens(text.replace("°", " ").replace("º", " ")))


@dataclass(frozen=True)
class FactWords:
    """One language's fact words, ready to use."""

    code: str
    asks: dict[str, tuple[str, ...]]
    """Kind → the phrases of a question asking for it."""
    request_phrases: tuple[str, ...]
    """Words that make a turn naming a kind a request ("bitte", "por favor", "indiquez")."""
    conjunctions: str
    """Regex alternation of words that join two answers ("und", "y", "et", "e")."""
    filler_pattern: str
    """What an answer opens with before its value ("ja klar, meine PLZ ist"): ``filler_head``."""
    labels: dict[str, str]
    """Label (its ``_key``) → kind, for values written after a label."""
    label_pattern: str
    """Regex alternation of every label (id, postal code, phone, user name...)."""
    copulas: str
    """Regex alternation of the words between a label and its value ("ist", "es", "é")."""
    articles: str
    """Regex alternation of the articles before a value ("el router es un ZTE F6640")."""
    months: dict[str, int]
    """Month name (folded) → month number."""
    month_pattern: str
    not_secret: frozenset[str]
    """Folded words that follow a secret's label without being the secret ("falsch")."""

    @cached_property
    def joins(self) -> re.Pattern[str]:
        """Where an answer splits at a conjunction (compiled on first use)."""
        return re.compile(rf"(?<!\s)\s+{self.conjunctions}\s+", re.IGNORECASE)

    @cached_property
    def filler_head(self) -> re.Pattern[str]:
        """``filler_pattern`` compiled on first use (English conversations never pay for it)."""
        return re.compile(self.filler_pattern, re.IGNORECASE)


def _words_of(code: str, block: Mapping[str, Any]) -> FactWords:
    asks = {kind: tuple(phrases) for kind, phrases in dict(block.get("asks", {})).items()}
    labels_by_kind: dict[str, list[str]] = dict(block.get("labels", {}))
    labels = {_key(p): kind for kind, phrases in labels_by_kind.items() for p in phrases}
    copulas = [str(c) for c in block.get("copulas", [])]
    fillers = [str(f) for f in block.get("fillers", [])]
    ask_words = [p for phrases in asks.values() for p in phrases] + [
        p for phrases in labels_by_kind.values() for p in phrases
    ]
    filler = _alternation(fillers)
    head = (
        rf"^\s*(?:{filler}[\s,.!:;-]*)*"
        rf"(?:{_alternation(ask_words)}\s*(?:{_alternation(copulas)}|:)?\s*)?"
        rf"(?:{_alternation(copulas)}\s+)?"
    )
    months: dict[str, int] = {}
    for number, names in enumerate(block.get("months", []), start=1):
        for name in names:
            months[fold(name.lower())] = number
    month_names = [n for names in block.get("months", []) for n in names]
    return FactWords(
        code=code,
        asks=asks,
        request_phrases=tuple(str(r) for r in block.get("request", [])),
        conjunctions=_alternation(str(c) for c in block.get("conjunctions", [])),
        filler_pattern=head,
        labels=labels,
        label_pattern=_alternation(p for phrases in labels_by_kind.values() for p in phrases),
        copulas=_alternation(copulas),
        articles=_alternation(str(a) for a in block.get("articles", [])),
        months=months,
        month_pattern=_alternation(month_names),
        not_secret=frozenset(fold(str(w).lower()) for w in block.get("not_secret", [])),
    )


@lru_cache(maxsize=1)
def fact_words() -> dict[str, FactWords]:
    """``{code: FactWords}`` for every language file with a ``[facts]`` section."""
    return {code: _words_of(code, block) for code, block in language_section("facts").items()}


@dataclass(frozen=True)
class SecretLabels:
    """Every language's secret labels together: a password is withheld whatever the chat's language."""

    kinds: dict[str, str]
    """Label (its ``_key``) → secret kind."""
    pattern: str
    copulas: str
    not_secret: frozenset[str]
    single: frozenset[str]
    """One-word labels ("passwort", "senha", "tan"): a turn holding one talks about a secret."""
    words: frozenset[str]
    """Folded tokens one of which every label holds (a set test before the regex)."""


@lru_cache(maxsize=1)
def secret_labels() -> SecretLabels:
    """The secret labels, copulas and not-a-secret words of every language file."""
    kinds: dict[str, str] = {}
    phrases: list[str] = []
    copulas: list[str] = []
    not_secret: set[str] = set()
    for block in language_section("facts").values():
        for kind, written in dict(block.get("secrets", {})).items():
            for phrase in written:
                kinds.setdefault(_key(phrase), kind)
                phrases.append(phrase)
        copulas += [str(c) for c in block.get("copulas", [])]
        not_secret |= {fold(str(w).lower()) for w in block.get("not_secret", [])}
    # Every label holds its longest word: the rarest, so the set test rules most text out.
    words = frozenset(max(label.split(), key=len) for label in kinds)
    single = frozenset(label for label in kinds if " " not in label)
    return SecretLabels(
        kinds=kinds,
        pattern=_alternation(phrases),
        single=single,
        copulas=_alternation(copulas),
        not_secret=frozenset(not_secret),
        words=words,
    )
