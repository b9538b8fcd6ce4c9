"""Rule data: cue phrases and patterns, validated and compiled once.

Rules are data so users can extend them without code: the packaged
``rules/data/rules.toml`` is loaded first and a user file is layered on top
(lists are extended, patterns replaced, recognizers added). The schema is
strict: an unknown cue or a pattern that does not compile is a ``ConfigError``
naming the file and the entry.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ..exceptions import ConfigError
from ..taxonomy import RecognizerSpec
from .languages import language_section
from .lowered_twins import folds_to_ascii
from .phrases import PhraseIndex, fold
from .prechecks import GuardedPattern

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

__all__ = [
    "CUE_NAMES", "HANDOFF_LABELS", "PATTERN_NAMES", "WORD_LIST_NAMES", "LanguagePatterns", "RuleSet",
    "case_sensitive_twin", "load_rules",
]  # fmt: skip

CUE_NAMES = (
    "handoff_request", "escalation_request", "transfer", "bot_failure", "as_i_said", "threat_to_leave",
    "negative", "positive", "urgent", "deadline", "repeat_contact", "problem", "resolved", "impact",
    "not_handoff", "handoff_alone", "tier_transfer", "impact_high", "deadline_soft", "shift_handover",
    "urgent_soft", "deadline_day",
)  # fmt: skip
WORD_LIST_NAMES = ("handoff_alone_with",)
"""Cue entries that are word sets, not phrases: not scanned for, read by one rule."""
HANDOFF_LABELS = ("not_handoff", "escalation_request", "handoff_request", "handoff_alone")
"""The lists read together, leftmost-longest, to decide whether a customer asks for a person."""
PATTERN_NAMES = ("done", "failed", "pending", "tried", "tried_failed")


class _Cues(BaseModel):
    model_config = ConfigDict(extra="forbid")
    handoff_request: list[str] = Field(default_factory=list)
    escalation_request: list[str] = Field(default_factory=list)
    transfer: list[str] = Field(default_factory=list)
    bot_failure: list[str] = Field(default_factory=list)
    as_i_said: list[str] = Field(default_factory=list)
    threat_to_leave: list[str] = Field(default_factory=list)
    negative: list[str] = Field(default_factory=list)
    positive: list[str] = Field(default_factory=list)
    urgent: list[str] = Field(default_factory=list)
    urgent_soft: list[str] = Field(default_factory=list)
    deadline: list[str] = Field(default_factory=list)
    repeat_contact: list[str] = Field(default_factory=list)
    problem: list[str] = Field(default_factory=list)
    resolved: list[str] = Field(default_factory=list)
    impact: list[str] = Field(default_factory=list)
    not_handoff: list[str] = Field(default_factory=list)
    handoff_alone: list[str] = Field(default_factory=list)
    handoff_alone_with: list[str] = Field(default_factory=list)
    tier_transfer: list[str] = Field(default_factory=list)
    impact_high: list[str] = Field(default_factory=list)
    deadline_soft: list[str] = Field(default_factory=list)
    deadline_day: list[str] = Field(default_factory=list)
    shift_handover: list[str] = Field(default_factory=list)


class _Patterns(BaseModel):
    model_config = ConfigDict(extra="forbid")
    done: str | None = None
    failed: str | None = None
    pending: str | None = None
    tried: str | None = None
    tried_failed: str | None = None


class _PatternWords(BaseModel):
    model_config = ConfigDict(extra="forbid")
    done: list[str] | None = None
    failed: list[str] | None = None
    pending: list[str] | None = None
    tried: list[str] | None = None
    tried_failed: list[str] | None = None


class _Language(BaseModel):
    """One language's cue phrases (``[languages.<code>.cues]``), added to ``[cues]``, and its
    patterns (``[languages.<code>.patterns]``), each tried beside the main one of its name
    (never replacing it): a German "ich habe den Router neu gestartet" needs its own regex."""

    model_config = ConfigDict(extra="forbid")
    cues: _Cues = Field(default_factory=_Cues)
    patterns: _Patterns = Field(default_factory=_Patterns)
    pattern_words: _PatternWords = Field(default_factory=_PatternWords)


class _RuleFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    cues: _Cues = Field(default_factory=_Cues)
    languages: dict[str, _Language] = Field(default_factory=dict)
    patterns: _Patterns = Field(default_factory=_Patterns)
    pattern_words: _PatternWords = Field(default_factory=_PatternWords)
    recognizers: list[RecognizerSpec] = Field(default_factory=list)


_NEVER = re.compile(r"(?!)")


class LanguagePatterns:
    """A pattern and the languages' own of the same name, searched like one ``re.Pattern``: the
    leftmost match wins (the main pattern's on a tie). A language's regex is tried only when the
    text may hold one of its words, so English text pays for German and French almost nothing.

    ASCII text is lower-cased once per search: the main pattern's case-sensitive twin
    (:func:`case_sensitive_twin`) finds where it matches, about four times cheaper than ignoring
    case, and the languages' word checks read the same lowered text."""

    __slots__ = ("_twin", "main", "others")

    def __init__(
        self, main: re.Pattern[str], others: tuple[tuple[re.Pattern[str], GuardedPattern | None], ...]
    ) -> None:
        self.main = main
        self.others = others
        self._twin = case_sensitive_twin(main)

    def search(self, text: str, pos: int = 0) -> re.Match[str] | None:
        lowered = text.lower() if text.isascii() else None  # the languages' word checks read it too
        if self._twin is None or lowered is None:
            best = self.main.search(text, pos)
        else:
            best = self._twin.search(lowered, pos)
            if best is not None:  # the same span: read it again on ``text`` for the caller's match object
                best = self.main.match(text, best.start())
        for regex, guard in self.others:
            if guard is not None and lowered is not None and not guard.may_match_lowered(lowered):
                continue
            found = regex.search(text, pos)
            if found is not None and (best is None or found.start() < best.start()):
                best = found
        return best

    def finditer(self, text: str, pos: int = 0) -> Iterator[re.Match[str]]:
        """Every match of each pattern (no pre-check), in text order."""
        regexes = (self.main, *(regex for regex, _ in self.others))
        found = [match for regex in regexes for match in regex.finditer(text, pos)]
        yield from sorted(found, key=lambda match: match.start())


def case_sensitive_twin(pattern: re.Pattern[str]) -> re.Pattern[str] | None:
    """``pattern`` (case ignored) without ``re.IGNORECASE``, for lower-cased ASCII text: the same
    matches at the same places when its source has no capital ASCII letter (a rule regex is
    written in lower case) and no character that ignoring case equates with an ASCII letter
    ("ſ", "ı", the Kelvin sign). ``None`` when that cannot be shown."""
    source = pattern.pattern
    if not isinstance(source, str) or not pattern.flags & re.IGNORECASE:
        return None
    if any(c.isupper() for c in source if c.isascii()):
        return None
    if any(folds_to_ascii(char) for char in {c for c in source if not c.isascii()}):
        return None
    return re.compile(source, pattern.flags & ~re.IGNORECASE)


def _phrase_regex(phrases: list[str]) -> re.Pattern[str]:
    """One alternation for a cue list: longest first, word-bounded, spaces flexible."""
    if not phrases:
        return _NEVER
    parts = sorted(
        {re.escape(p.strip().lower()).replace(r"\ ", r"\s+") for p in phrases if p.strip()}, key=len
    )
    body = "|".join(reversed(parts))
    return re.compile(rf"(?<!\w)(?:{body})(?!\w)", re.IGNORECASE)


def _guard(words: frozenset[str] | None) -> GuardedPattern | None:
    """A pre-check only (``may_match``): one of ``words`` is in every match of the regex it guards."""
    return GuardedPattern(_NEVER, " ".join(sorted(words))) if words else None


class _LazyRegexes(dict[str, re.Pattern[str]]):
    """Cue list name -> its regex, compiled on first use: the engine reads most lists through
    the phrase index, so compiling them all would only slow the first record of a process."""

    def __init__(self, lists: dict[str, list[str]]) -> None:
        super().__init__()
        self._lists = lists

    def __missing__(self, name: str) -> re.Pattern[str]:
        if name not in self._lists:
            raise KeyError(name)
        value = self[name] = _phrase_regex(self._lists[name])
        return value

    def __contains__(self, name: object) -> bool:
        return name in self._lists

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self._lists)

    def __len__(self) -> int:
        return len(self._lists)

    def keys(self):  # type: ignore[no-untyped-def]
        return self._lists.keys()

    def items(self):  # type: ignore[no-untyped-def]
        return [(name, self[name]) for name in self._lists]

    def values(self):  # type: ignore[no-untyped-def]
        return [self[name] for name in self._lists]


@dataclass(frozen=True)
class RuleSet:
    """Compiled rules: one regex per cue list and per pattern."""

    cues: dict[str, re.Pattern[str]]
    phrases: PhraseIndex
    patterns: dict[str, re.Pattern[str] | LanguagePatterns]
    pattern_words: dict[str, frozenset[str] | None]
    """Per pattern, words one of which every match contains (``None``: always try it)."""
    recognizers: tuple[RecognizerSpec, ...]
    sources: tuple[str, ...]
    handoff: PhraseIndex
    """The lists of ``HANDOFF_LABELS`` alone, for a leftmost-longest reading of a request."""
    handoff_alone_with: frozenset[str]
    """Words that may stand beside a ``handoff_alone`` word ("agent please")."""
    lists: dict[str, tuple[str, ...]]
    """Every cue list as phrases, all languages merged (for readers with their own index)."""


def _read(raw: bytes, source: str) -> _RuleFile:
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise ConfigError(f"not valid TOML: {exc}", source=source) from None
    try:
        return _RuleFile.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "<root>"
        raise ConfigError(f"{where}: {first['msg']}", source=source) from None


def _compile(files: list[tuple[str, _RuleFile]]) -> RuleSet:
    cues: dict[str, list[str]] = {name: [] for name in (*CUE_NAMES, *WORD_LIST_NAMES)}
    patterns: dict[str, str | None] = dict.fromkeys(PATTERN_NAMES)
    words: dict[str, frozenset[str] | None] = dict.fromkeys(PATTERN_NAMES)
    recognizers: list[RecognizerSpec] = []
    added: dict[str, list[tuple[str, frozenset[str] | None]]] = {name: [] for name in PATTERN_NAMES}
    for source, rule_file in files:
        for block in (rule_file.cues, *(language.cues for language in rule_file.languages.values())):
            for name in cues:
                cues[name].extend(getattr(block, name))
        for language in rule_file.languages.values():
            for name in PATTERN_NAMES:
                value = getattr(language.patterns, name)
                if value is None:
                    continue
                try:
                    re.compile(value)
                except re.error as exc:
                    raise ConfigError(
                        f"patterns.{name}: invalid regular expression: {exc}", source=source
                    ) from None
                given = getattr(language.pattern_words, name)
                folded = frozenset(fold(w.lower()) for w in given) if given is not None else None
                added[name].append((value, folded))
        for name in PATTERN_NAMES:
            value = getattr(rule_file.patterns, name)
            if value is not None:
                try:
                    re.compile(value)
                except re.error as exc:
                    raise ConfigError(
                        f"patterns.{name}: invalid regular expression: {exc}", source=source
                    ) from None
                patterns[name] = value
                words[name] = None  # a replaced pattern keeps no stale pre-check
            given = getattr(rule_file.pattern_words, name)
            if given is not None:
                words[name] = frozenset(w.lower() for w in given)
        recognizers.extend(rule_file.recognizers)
    word_lists = {name: cues.pop(name) for name in WORD_LIST_NAMES}
    compiled: dict[str, re.Pattern[str] | LanguagePatterns] = {
        name: re.compile(value, re.IGNORECASE) if value else _NEVER for name, value in patterns.items()
    }
    for name in PATTERN_NAMES:
        if not added[name]:
            continue
        others = tuple((re.compile(value, re.IGNORECASE), _guard(words)) for value, words in added[name])
        main = compiled[name]
        assert isinstance(main, re.Pattern)
        compiled[name] = LanguagePatterns(main, others)
        # The message-word pre-check (``pattern_words``) admits the languages' words too.
        main_words, more = words[name], [given for _, given in added[name]]
        words[name] = None if main_words is None or None in more else main_words.union(*more)  # type: ignore[arg-type]
    return RuleSet(
        cues=_LazyRegexes({name: list(values) for name, values in cues.items()}),
        # "not_handoff" only matters beside a request: it is read by ``handoff`` alone.
        phrases=PhraseIndex({name: values for name, values in cues.items() if name != "not_handoff"}),
        patterns=compiled,
        pattern_words=words,
        recognizers=tuple(recognizers),
        sources=tuple(source for source, _ in files),
        handoff=PhraseIndex({label: cues[label] for label in HANDOFF_LABELS}),
        handoff_alone_with=frozenset(w.lower() for w in word_lists["handoff_alone_with"]),
        lists={name: tuple(values) for name, values in cues.items()},
    )


@lru_cache(maxsize=1)
def _packaged() -> tuple[str, _RuleFile]:
    raw = resources.files("handoff_ai").joinpath("rules/data/rules.toml").read_bytes()
    return "handoff_ai/rules/data/rules.toml", _read(raw, "handoff_ai/rules/data/rules.toml")


@lru_cache(maxsize=1)
def _language_files() -> tuple[tuple[str, _RuleFile], ...]:
    """Each language file's ``[cues]``, ``[patterns]`` and ``[pattern_words]``, as a rule file of one
    language block."""
    files = []
    sections = {name: language_section(name) for name in ("cues", "patterns", "pattern_words")}
    for code in dict.fromkeys(code for section in sections.values() for code in section):
        source = f"handoff_ai/rules/data/languages/{code}.toml"
        block = {name: section[code] for name, section in sections.items() if code in section}
        try:
            files.append((source, _RuleFile.model_validate({"languages": {code: block}})))
        except ValidationError as exc:
            first = exc.errors()[0]
            raise ConfigError(
                f"{'.'.join(str(p) for p in first['loc'][2:])}: {first['msg']}", source=source
            ) from None
    return tuple(files)


@lru_cache(maxsize=1)
def _default_ruleset() -> RuleSet:
    return _compile([_packaged(), *_language_files()])


def load_rules(*extra: str | Path) -> RuleSet:
    """The packaged rules, extended by each file in ``extra`` (TOML) in order.

    Raises:
        ConfigError: a file cannot be read or does not follow the rule schema.
    """
    if not extra:
        return _default_ruleset()
    files = [_packaged(), *_language_files()]
    for path in extra:
        path = Path(path)
        try:
            raw = path.read_bytes()
        except OSError as exc:
            raise ConfigError(f"cannot read rules file ({exc.strerror})", source=str(path)) from None
        files.append((str(path), _read(raw, str(path))))
    return _compile(files)
