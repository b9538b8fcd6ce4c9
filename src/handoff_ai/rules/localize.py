"""The rules' own words inside record items, in the note language.

Steps, the blocker and history events carry a few fixed English words around what they
quote ("Customer tried: …", "(agent suggested; customer: “…”)", "— reported: …"). For a
note in another language they are swapped for that language's words
(``[note.record]`` of its language file) once the items are final; quoted words stay
as written. English records are left untouched.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache

from ..models import Action, Blocker, HistoryEvent
from .languages import language_section

__all__ = ["RecordWords", "localize_items", "record_words"]


@dataclass(frozen=True)
class RecordWords:
    prefixes: tuple[tuple[str, str], ...]
    """English opening → this language's (only at the start of a description)."""
    infixes: tuple[tuple[str, str], ...]
    """English words inside a description → this language's (the parenthesised step notes)."""
    history: Mapping[str, str]
    """A history description's English opening → this language's."""

    def text(self, description: str) -> str:
        for english, local in self.prefixes:
            if description.startswith(english):
                description = local + description[len(english) :]
                break
        for english, local in self.infixes:
            if english in description:
                description = description.replace(english, local)
        return description

    def event(self, description: str) -> str:
        for english, local in self.history.items():
            if description.startswith(english):
                return local + description[len(english) :]
        return description


@cache
def record_words(code: str) -> RecordWords | None:
    """The words for language ``code`` (``None`` for English or a language without them)."""
    if code == "en":
        return None
    section = language_section("note").get(code, {}).get("record")
    if not section:
        return None
    return RecordWords(
        prefixes=tuple(section.get("prefixes", {}).items()),
        infixes=tuple(section.get("infixes", {}).items()),
        history=dict(section.get("history", {})),
    )


def localize_items(
    code: str, actions: Sequence[Action], blocker: Blocker | None, history: Sequence[HistoryEvent]
) -> None:
    """Rewrite the fixed English words of ``actions``, ``blocker`` and ``history`` in place."""
    words = record_words(code)
    if words is None:
        return
    for action in actions:
        action.description = words.text(action.description)
    if blocker is not None:
        blocker.description = words.text(blocker.description)
    for event in history:
        event.description = words.event(event.description)


@cache
def local_labels() -> tuple[str, ...]:
    """Every language's blocker openings ("Fehlgeschlagen: ", ...), for readers that drop them."""
    found = []
    for section in language_section("note").values():
        found += [
            local
            for english, local in section.get("record", {}).get("prefixes", {}).items()
            if english in ("Failed: ", "Customer tried: ")
        ]
    return tuple(found)


@cache
def local_markers() -> tuple[str, ...]:
    """Every language's " — reported: " marker, for readers that take what follows it."""
    return tuple(
        section["record"]["infixes"][" — reported: "]
        for section in language_section("note").values()
        if " — reported: " in section.get("record", {}).get("infixes", {})
    )
