"""What intents exist and which team handles each.

A ``Taxonomy`` is how a user tells handoff_ai about their business: intents
(with descriptions, keywords and example utterances that the rules backend
scores against), teams (with skills), and extra fact recognizers (regex plus
kind). Load one from TOML or JSON, build one in Python, or use the packaged
default for generic customer support.
"""

from __future__ import annotations

import json
import re
import sys
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationError,
    field_validator,
    model_validator,
)

from .exceptions import ConfigError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib

__all__ = ["IntentSpec", "RecognizerSpec", "Taxonomy", "TeamSpec", "parse_data", "read_data_file"]

_MISSING = object()  # Taxonomy.cached: a key not built yet (a built value may be None)


def read_data_file(path: str | Path, *, what: str) -> tuple[bytes, str, bool]:
    """A TOML or JSON configuration file's bytes, its name and whether it is TOML.

    Raises:
        ConfigError: the file cannot be read (``what`` names it: "taxonomy", "policy").
    """
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"cannot read {what} file ({exc.strerror})", source=str(path)) from None
    return raw, str(path), path.suffix.lower() == ".toml"


def parse_data(raw: bytes, *, source: str, toml: bool) -> Any:
    """TOML or JSON configuration text as Python data; ``ConfigError`` naming ``source``."""
    try:
        text = raw.decode("utf-8")
        return tomllib.loads(text) if toml else json.loads(text)
    except (UnicodeDecodeError, ValueError) as exc:
        kind = "TOML" if toml else "JSON"
        raise ConfigError(f"not valid {kind}: {exc}", source=source) from None


class IntentSpec(BaseModel):
    """One intent: a name plus the words and examples that signal it."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1)
    description: str = ""
    keywords: list[str] = Field(default_factory=list)
    examples: list[str] = Field(default_factory=list)
    translations: dict[str, list[str]] = Field(
        default_factory=dict,
        description="Keywords in other languages by code ({'de': [...]}): added for conversations in that "
        "language (weighed like examples), so they leave the reading of other languages as it is.",
    )
    team: str | None = None
    # Escalation policy keys (handoff_ai.escalation): a policy file's entry for the intent wins.
    escalate: bool | None = Field(None, description="True: always hand off; False: never automatically.")
    required: list[str] = Field(default_factory=list, description="Fact kinds to collect before a handoff.")


class TeamSpec(BaseModel):
    """A team a conversation can be routed to."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1)
    description: str = ""
    skills: list[str] = Field(default_factory=list)


class RecognizerSpec(BaseModel):
    """A user-defined fact recognizer: every match of ``pattern`` in a customer
    message becomes a fact of ``kind`` (group 1 if the pattern has groups)."""

    model_config = ConfigDict(extra="forbid")

    kind: str = Field(min_length=1)
    pattern: str = Field(min_length=1)
    ignore_case: bool = True

    @field_validator("pattern")
    @classmethod
    def _compiles(cls, value: str) -> str:
        try:
            re.compile(value)
        except re.error as exc:
            raise ValueError(f"invalid regular expression: {exc}") from None
        return value


class Taxonomy(BaseModel):
    """Intents, teams and custom recognizers: the user's business, as data."""

    model_config = ConfigDict(extra="forbid")

    intents: list[IntentSpec] = Field(default_factory=list)
    teams: list[TeamSpec] = Field(default_factory=list)
    recognizers: list[RecognizerSpec] = Field(default_factory=list)

    _cache: dict[str, Any] = PrivateAttr(default_factory=dict)

    @model_validator(mode="after")
    def _consistent(self) -> Taxonomy:
        names = [i.name for i in self.intents]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise ValueError(f"duplicate intent names: {', '.join(duplicates)}")
        teams = {t.name for t in self.teams}
        if len(teams) != len(self.teams):
            raise ValueError("duplicate team names")
        missing = sorted({i.team for i in self.intents if i.team and i.team not in teams})
        if missing and self.teams:
            raise ValueError(f"intents name undefined teams: {', '.join(missing)}")
        return self

    def intent(self, name: str) -> IntentSpec | None:
        """The intent called ``name``, or ``None``."""
        return _by_name(self, "_by_name.intents", self.intents).get(name)

    def team(self, name: str | None) -> TeamSpec | None:
        """The team called ``name``, or ``None``."""
        return _by_name(self, "_by_name.teams", self.teams).get(name) if name else None

    def cached(self, key: str, build: Any) -> Any:
        """A value derived from this taxonomy, built once (e.g. the intent index).

        Callers must not mutate a taxonomy after using it; build a new one instead.
        """
        cache = self._cached_values()
        found = cache.get(key, _MISSING)
        if found is _MISSING:
            found = cache[key] = build(self)
        return found

    def _cached_values(self) -> dict[str, Any]:
        # Runs on every classify call: read the private attribute from pydantic's own dict,
        # not through BaseModel.__getattr__ (about 30 times slower, measured).
        private = self.__pydantic_private__
        return private["_cache"] if private is not None else self._cache

    @classmethod
    def load(cls, path: str | Path) -> Taxonomy:
        """Read a taxonomy from a ``.toml`` or ``.json`` file.

        Raises:
            ConfigError: the file is missing, unreadable, or not a valid taxonomy.
        """
        raw, source, toml = read_data_file(path, what="taxonomy")
        return cls.from_bytes(raw, source=source, toml=toml)

    @classmethod
    def from_bytes(cls, raw: bytes, *, source: str = "<taxonomy>", toml: bool = False) -> Taxonomy:
        """Parse TOML or JSON taxonomy text (see ``load``)."""
        return cls.from_dict(parse_data(raw, source=source, toml=toml), source=source)

    @classmethod
    def from_dict(cls, data: Any, *, source: str = "<taxonomy>") -> Taxonomy:
        """Validate a mapping into a taxonomy, raising ``ConfigError`` on bad input."""
        try:
            return cls.model_validate(data)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"]) or "<root>"
            raise ConfigError(f"{where}: {first['msg']}", source=source) from None

    @classmethod
    def default(cls) -> Taxonomy:
        """The packaged taxonomy for generic customer support (shared, do not mutate)."""
        return _default_taxonomy()


_Named = TypeVar("_Named", IntentSpec, TeamSpec)


def _by_name(taxonomy: Taxonomy, key: str, items: list[_Named]) -> dict[str, _Named]:
    """``{name: item}`` of ``items`` (the first of a name), built once per list: a lookup per
    record instead of a scan. Rebuilt when the list was replaced or changed length."""
    cache = taxonomy._cached_values()
    found = cache.get(key)
    if found is None or found[0] is not items or found[1] != len(items):
        table: dict[str, _Named] = {}
        for item in items:
            table.setdefault(item.name, item)
        found = cache[key] = (items, len(items), table)
    return found[2]


@lru_cache(maxsize=1)
def _default_taxonomy() -> Taxonomy:
    raw = resources.files("handoff_ai").joinpath("data/taxonomy.toml").read_bytes()
    return Taxonomy.from_bytes(raw, source="handoff_ai/data/taxonomy.toml", toml=True)
