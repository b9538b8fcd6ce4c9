"""The note's labels in the record's note language (``renderers/data/labels.toml``).

The rules write the record's own sentences in ``record.note_language``; the note's
headings, enum names and fact-kind names follow it here. A language without a table
(or a label missing from one) reads in English, never as an empty heading.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

from ._clean import humanize

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

__all__ = ["Labels", "labels"]


@lru_cache(maxsize=1)
def _tables() -> dict[str, dict[str, Any]]:
    raw = resources.files("handoff_ai.renderers").joinpath("data/labels.toml").read_bytes()
    tables: dict[str, dict[str, Any]] = tomllib.loads(raw.decode("utf-8"))
    return tables


@dataclass(frozen=True)
class Labels:
    """One language's labels, English behind every missing one."""

    table: dict[str, Any]
    english: dict[str, Any]

    def __getitem__(self, key: str) -> str:
        return str(self.table.get(key, self.english[key]))

    def _named(self, group: str, key: str, capitalize: bool) -> str:
        named = self.table.get(group, {}).get(key) or self.english.get(group, {}).get(key)
        return str(named) if named else humanize(key, capitalize=capitalize)

    def kind(self, kind: str, *, capitalize: bool = True) -> str:
        """A fact kind's name ("order_id" → "Bestellnummer"; "Order ID" in English)."""
        return self._named("kinds", kind, capitalize)

    def actor(self, actor: str) -> str:
        return self._named("actors", actor, True)

    def outcome(self, outcome: str) -> str:
        return self._named("outcomes", outcome, False)

    def handoff_type(self, kind: str) -> str:
        return self._named("handoff_types", kind, False)

    def event(self, kind: str) -> str:
        """A history event's kind ("earlier_contact" → "Früherer Kontakt")."""
        return self._named("events", kind, True)

    def signal(self, kind: str) -> str:
        """A frustration signal's kind ("as_i_said" → "wie schon gesagt")."""
        return self._named("signals", kind, False)

    def more(self, count: int) -> str:
        return self["more"].format(count=count)


@lru_cache(maxsize=64)
def labels(code: str | None) -> Labels:
    """The labels for ``code`` (English when there is no table for it)."""
    tables = _tables()
    return Labels(tables.get(code or "en", tables["en"]), tables["en"])
