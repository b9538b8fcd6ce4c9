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
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from ..exceptions import ConfigError
from .languages import language_section
from .phrases import PhraseIndex, tokens

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

__all__ = ["ERROR_NAME", "ERROR_TOKEN", "BlockerPhrases", "blocker_phrases", "error_name", "error_token"]

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


def error_token(text: str) -> re.Match[str] | None:
    """``ERROR_TOKEN.search(text)``, after a literal test most chat lines fail (no digit, no "_")."""
    return ERROR_TOKEN.search(text) if _ERROR_HINT.search(text) is not None else None


def error_name(text: str) -> re.Match[str] | None:
    """``ERROR_NAME.search(text)``, after the same literal test."""
    return ERROR_NAME.search(text) if _ERROR_HINT.search(text) is not None else None


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
