"""Dialogue phrases (``rules/data/dialogue.toml``), validated and indexed once.

The file holds one table per language with the same keys; all tables are
active together, so adding a language is adding a data block, not code. The
phrases are grouped into three indexes, one per reading: a bot/agent turn
(suggestion openers), a customer reply (outcomes), and blocker cues.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ..exceptions import ConfigError
from ._text import stem
from .phrases import PhraseIndex, tokens

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

__all__ = ["DialoguePhrases", "dialogue_phrases", "parse_dialogue_phrases"]

_SOURCE = "handoff_ai/rules/data/dialogue.toml"


class _Language(BaseModel):
    """One language's block; every key is a list of phrases."""

    model_config = ConfigDict(extra="forbid")
    suggestion_openers: list[str] = Field(default_factory=list)
    request_openers: list[str] = Field(default_factory=list)
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


@dataclass(frozen=True)
class DialoguePhrases:
    """Indexes and word sets built from every language block."""

    openers: PhraseIndex
    """Labels ``suggestion`` and ``request`` (a request needs a step verb after it)."""
    replies: PhraseIndex
    """Labels ``failed``, ``succeeded``, ``partial``, ``not_tried``, ``acknowledged``, ``anaphora``."""
    blocker: PhraseIndex
    """Labels ``refusal``, ``reason``, ``note_finding``, ``not_problem``, ``accepted``, ``reaction``."""
    step_stems: frozenset[str]
    attempt_words: frozenset[str]
    filler: frozenset[str]
    negations: frozenset[str]
    not_problem: re.Pattern[str]
    """Any ``not_problem`` phrase ("can't wait"), to tell a figure of speech from a problem."""
    languages: tuple[str, ...]


def _words(phrases: list[str]) -> frozenset[str]:
    return frozenset(word for phrase in phrases for word in tokens(phrase))


def _alternation(phrases: list[str]) -> re.Pattern[str]:
    parts = sorted(
        {re.escape(p.strip().lower()).replace(r"\ ", r"\s+") for p in phrases if p.strip()}, key=len
    )
    if not parts:
        return re.compile(r"(?!)")
    return re.compile(rf"(?<!\w)(?:{'|'.join(reversed(parts))})(?!\w)", re.IGNORECASE)


def parse_dialogue_phrases(raw: bytes, source: str) -> DialoguePhrases:
    """Build the phrase indexes from a TOML document of language blocks.

    Raises:
        ConfigError: not TOML, not a table of language tables, or an unknown key.
    """
    try:
        data = tomllib.loads(raw.decode("utf-8"))
        blocks = {name: _Language.model_validate(block) for name, block in data.items()}
    except (UnicodeDecodeError, ValueError) as exc:  # TOMLDecodeError is a ValueError
        raise ConfigError(f"not valid TOML: {exc}", source=source) from None
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "<root>"
        raise ConfigError(f"{where}: {first['msg']}", source=source) from None
    merged = _Language()
    for block in blocks.values():
        for name in type(merged).model_fields:
            getattr(merged, name).extend(getattr(block, name))
    m = merged
    return DialoguePhrases(
        openers=PhraseIndex({"suggestion": m.suggestion_openers, "request": m.request_openers}),
        replies=PhraseIndex(
            {
                "failed": m.outcome_failed,
                "succeeded": m.outcome_succeeded,
                "partial": m.outcome_partial,
                "not_tried": m.not_tried,
                "acknowledged": m.acknowledged,
                "anaphora": m.anaphora,
            }
        ),
        blocker=PhraseIndex(
            {
                "refusal": m.refusal,
                "reason": m.reason_openers,
                "note_finding": m.note_finding,
                "not_problem": m.not_problem,
                "accepted": m.accepted,
                "reaction": m.reaction,
            }
        ),
        step_stems=frozenset(stem(word) for word in _words(m.step_verbs)),
        attempt_words=_words(m.attempt_verbs),
        filler=_words(m.object_filler),
        negations=_words(m.negations),
        not_problem=_alternation(m.not_problem),
        languages=tuple(blocks),
    )


@lru_cache(maxsize=1)
def dialogue_phrases() -> DialoguePhrases:
    """The packaged phrases (read and indexed once per process)."""
    raw = resources.files("handoff_ai").joinpath("rules/data/dialogue.toml").read_bytes()
    return parse_dialogue_phrases(raw, _SOURCE)
