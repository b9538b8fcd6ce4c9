"""Blocker phrases, read once: findings, faults, routing-only lines, acknowledgments.

The blocker (:mod:`.blocker`) needs a few word lists of its own beside the dialogue's:
a bot or agent *stating a diagnosis* in a reply ("Our logs show your Widevine certificate
was revoked"), an internal note's sentence that only routes the case ("Escalated to
Tier 2."), the customer's problem in words the general problem cues lack ("nothing is at
the door"), and a customer's acknowledgment ("ok.", "great") that, after work done,
says the case is met. They are data (``rules/data/blocker.toml`` for English, each
language file's ``[blocker]``), all in one phrase index so a sentence is scanned once.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from ..exceptions import ConfigError
from .languages import language_section, profile_words
from .phrases import PhraseIndex, tokens

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

__all__ = [
    "ERROR_NAME",
    "ERROR_TOKEN",
    "BlockerPhrases",
    "PhraseGate",
    "blocker_phrases",
    "error_name",
    "error_names",
    "error_token",
    "phrase_gate",
    "search_error_name",
]

_DATA = "rules/data/blocker.toml"
_KEYS = ("finding", "fault", "note_finding", "routing", "open_problem", "ack", "contrast")

ERROR_TOKEN = re.compile(
    r"\b[A-Z][A-Za-z0-9]*(?:Error|Exception|Fault)\b"
    r"|(?<![-\w.])(?:[A-Z]{1,6}[-_]?\d{2,5}|[A-Z][A-Z0-9]+(?:_[A-Z0-9]+)+"
    r"|(?i:HTTP|error|status|code|fehler|erreur)\s*[:#]?\s*[A-Z]?[-_]?\d{2,5}|0x[0-9A-Fa-f]{2,8})\b(?![-.]\w)"
    r"|(?i:returns?|returned|returning|throws|responds with|answers with)\s+[45]\d\d\b"
    r"|\"(?:code|error_code|errorCode|error)\"\s*:\s*\"[a-z][a-z0-9]*(?:_[a-z0-9]+)+\""
)
"""What a tier-2 engineer looks for: an exception name, an error code, an HTTP status ("returns
401"), a JSON error code (``"code":"api_key_revoked"``); not a part
of a longer id ("INV-2025-0311") or of a file name ("IMG-…-WA0007.jpg")."""
ERROR_NAME = re.compile(
    r"\b[A-Z][A-Za-z0-9]*(?:Error|Exception|Fault)\b|(?<![-\w.])(?:[A-Z][A-Z0-9]+(?:_[A-Z0-9]+)+"
    r"|(?i:error|fehler|erreur)\s*[:#]?\s*[A-Z]?[-_]?\d{2,5}|0x[0-9A-Fa-f]{2,8})\b(?![-.]\w)"
    r"|(?i:returns?|returned|returning|throws|responds with|answers with)\s+[45]\d\d\b"
    r"|\"(?:code|error_code|errorCode|error)\"\s*:\s*\"[a-z][a-z0-9]*(?:_[a-z0-9]+)+\""
)
"""The error tokens that cannot be an order or ticket id: an exception, a CODE_NAME, "error 1213"."""
_ERROR_HINT = re.compile(r"[\d_]|Error|Exception|Fault")
"""In every match of ``ERROR_TOKEN`` and ``ERROR_NAME``: a digit, an underscore or an exception word."""


_UPPER_DIGIT = re.compile(r"[A-Z][-_]?\d")
"""In every code match of ``ERROR_TOKEN`` ("AUTH-4012", "E42"): a capital letter, then a digit."""


def _may_name_error(text: str, low: str) -> bool:
    """Whether ASCII ``text`` (``low``: lower-cased) has what every match of ``ERROR_NAME`` needs:
    an exception word, an underscore, "0x", or (case ignored, as the regex does: in ASCII that is
    the lower-cased text) an error or status verb. Each is a substring test, a fast scan even
    over a pasted megabyte, where the regex tries its every branch at every position."""
    return (
        "_" in text
        or "Error" in text
        or "Exception" in text
        or "Fault" in text
        or "0x" in text
        or "error" in low
        or "fehler" in low
        or "erreur" in low
        or "return" in low
        or "throws" in low
        or "responds with" in low
        or "answers with" in low
    )


def _may_be_error_token(text: str, low: str) -> bool:
    """:func:`_may_name_error` for ``ERROR_TOKEN``, which also takes a code ("AUTH-4012") and an
    "HTTP", "status" or "code" before a number."""
    return (
        _may_name_error(text, low)
        or "http" in low
        or "status" in low
        or "code" in low
        or _UPPER_DIGIT.search(text) is not None
    )


def error_token(text: str) -> re.Match[str] | None:
    """``ERROR_TOKEN.search(text)``, after literal tests most chat lines fail (no digit, no "_";
    in ASCII text, none of the words and codes a match is made of)."""
    if _ERROR_HINT.search(text) is None:
        return None
    if text.isascii() and not _may_be_error_token(text, text.lower()):
        return None
    return ERROR_TOKEN.search(text)


def error_name(text: str) -> re.Match[str] | None:
    """``ERROR_NAME.search(text)``, after the same kind of literal tests."""
    if _ERROR_HINT.search(text) is None:
        return None
    return search_error_name(text)


def search_error_name(text: str) -> re.Match[str] | None:
    """``ERROR_NAME.search(text)``; none in ASCII text without what a match needs."""
    if text.isascii() and not _may_name_error(text, text.lower()):
        return None
    return ERROR_NAME.search(text)


def error_names(text: str) -> Iterator[re.Match[str]]:
    """``ERROR_NAME.finditer(text)``; no scan of ASCII text without what a match needs."""
    if text.isascii() and not _may_name_error(text, text.lower()):
        return iter(())
    return ERROR_NAME.finditer(text)


class PhraseGate:
    """Whether a text's words can hold a phrase of some labels of an index, before a scan for them.

    A phrase matches only where all its words are in the text. Each phrase is filed under its
    rarest word (no language profile's frequent word, then the longest) and its next rarest:
    a text without a first key word holds none, nor one without a second key word of the
    phrases filed under its first. One key word is a weak test for phrases like "would not be
    able to" (most replies say "would"); two are a set lookup more.
    """

    __slots__ = ("_seconds", "keys")

    def __init__(self, index: PhraseIndex, labels: tuple[str, ...]) -> None:
        common = profile_words()
        seconds: dict[str, set[str] | None] = {}
        for label, words in index.phrase_words():
            if label in labels:
                # rarest first; a tie keeps the phrase's order (the same keys in every process)
                ranked = sorted(
                    dict.fromkeys(words), key=lambda word: (word not in common, len(word)), reverse=True
                )
                key = ranked[0]
                if len(ranked) == 1:
                    seconds[key] = None  # the key word is the whole phrase
                else:
                    found = seconds.setdefault(key, set())
                    if found is not None:
                        found.add(ranked[1])
        self.keys = frozenset(seconds)
        """The first key word of every phrase."""
        self._seconds = {key: None if found is None else frozenset(found) for key, found in seconds.items()}

    def may_hold(self, words: Sequence[str]) -> bool:
        """False only when ``words`` hold no phrase of the labels."""
        hits = self.keys.intersection(words)
        if not hits:
            return False
        seconds = self._seconds
        for key in hits:
            found = seconds[key]
            if found is None or not found.isdisjoint(words):
                return True
        return False


@lru_cache(maxsize=32)
def phrase_gate(index: PhraseIndex, labels: tuple[str, ...]) -> PhraseGate:
    """The :class:`PhraseGate` of ``labels`` in ``index`` (built once per pair)."""
    return PhraseGate(index, labels)


@dataclass(frozen=True)
class BlockerPhrases:
    """Every language's blocker lists in one index (labels are the ``_KEYS``)."""

    index: PhraseIndex
    keywords: dict[str, frozenset[str]]
    """Per label, the longest word of each phrase: a text without one of them has none."""

    def labels(self, words: Sequence[str], *needed: str) -> dict[str, int]:
        """``{label: token index}`` of ``words``; ``{}`` when none of ``needed`` can be there."""
        if needed and all(self.keywords[label].isdisjoint(words) for label in needed):
            return {}
        return self.index.scan(words)

    def in_text(self, text: str, *needed: str) -> dict[str, int]:
        return self.labels(tokens(text), *needed)


@lru_cache(maxsize=1)
def blocker_phrases() -> BlockerPhrases:
    """English (``blocker.toml``) and every language file's ``[blocker]``, merged."""
    raw = resources.files("handoff_ai").joinpath(_DATA).read_bytes()
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise ConfigError(f"not valid TOML: {exc}", source=_DATA) from None
    tables = {**data, **language_section("blocker")}
    merged: dict[str, list[str]] = {key: [] for key in _KEYS}
    for name, table in tables.items():
        unknown = set(table) - set(_KEYS)
        if unknown:
            raise ConfigError(f"[{name}] unknown keys: {', '.join(sorted(unknown))}", source=_DATA)
        for key in _KEYS:
            merged[key] += [str(p) for p in table.get(key, [])]
    keywords = {
        key: frozenset(max(words, key=len) for words in map(tokens, phrases) if words)
        for key, phrases in merged.items()
    }
    return BlockerPhrases(index=PhraseIndex(merged), keywords=keywords)
