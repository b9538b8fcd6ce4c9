"""The record's own words in the note's language: the summary's frames and the next steps.

Each language file's ``[note]`` section (``rules/data/languages/<code>.toml``) holds the
sentences the rules write around what they quote; English is in ``en.toml``. Quoted
words stay as the customer or agent wrote them: a Spanish chat summarized for an
English-speaking team reads ``Customer writes: “mi pedido no ha llegado”``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from ..exceptions import ConfigError
from .languages import LanguageReport, language_name, language_section

__all__ = ["NoteWords", "note_code", "note_language", "note_languages", "note_words"]

_SUMMARY = (
    "customer_says", "customer_asks", "agent_says", "bot_says", "promised", "blocked", "human_request",
    "escalation_request", "next_team",
)  # fmt: skip
_STEPS = (
    "acknowledge_request", "acknowledge_contact", "resolve", "follow_up", "verify_identity", "route",
    "route_unsure", "customer_asked", "team_reason",
)  # fmt: skip


@dataclass(frozen=True)
class NoteWords:
    """One language's frames: ``summary``/``steps`` key → template (``{text}``, ``{team}``, ``{kinds}``)."""

    code: str
    summary: dict[str, str]
    steps: dict[str, str]

    def step(self, key: str, **values: str) -> str:
        return self.steps[key].format(**values)


def note_languages() -> tuple[str, ...]:
    """Languages the record's own words can be written in."""
    return tuple(language_section("note"))


def note_code(language: str) -> str | None:
    """The code of a note language given by code or English name ("German" → "de"), else ``None``."""
    wanted = language.strip().lower()
    for code in note_languages():
        if wanted in (code, language_name(code).lower()):
            return code
    return None


@cache
def note_words(code: str) -> NoteWords:
    """The frames of language ``code``.

    Raises:
        ConfigError: no language file has a ``[note]`` section for ``code``, or it lacks a key.
    """
    sections: dict[str, Any] = language_section("note")
    if code not in sections:
        known = ", ".join(sections)
        raise ConfigError(f"note_language {code!r}: no note words for it (known: {known})")
    section = sections[code]
    source = f"handoff_ai/rules/data/languages/{code}.toml"
    summary, steps = section.get("summary", {}), section.get("steps", {})
    missing = [f"note.summary.{k}" for k in _SUMMARY if k not in summary]
    missing += [f"note.steps.{k}" for k in _STEPS if k not in steps]
    if missing:
        raise ConfigError(f"lacks {', '.join(missing)}", source=source)
    return NoteWords(code, dict(summary), dict(steps))


def note_language(configured: str | None, report: LanguageReport) -> str:
    """The language to write the record's own words in.

    ``configured`` wins when given (validated); otherwise the conversation's language when
    there are note words for it, else English.
    """
    if configured is not None:
        note_words(configured)  # raises ConfigError for an unknown code
        return configured
    if report.language is not None and report.language in language_section("note"):
        return report.language
    return "en"
