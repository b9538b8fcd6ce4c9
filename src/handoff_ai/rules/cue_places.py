"""Where a phrase regex matches in lower-cased ASCII text, without a scan of every character.

A cue list's regex (``ruleset._phrase_regex``: ``(?<!\\w)(?:phrase|…)(?!\\w)``) holds hundreds of
phrases: the problem list's costs about 0.3 µs a character even as its case-sensitive twin. In
lower-cased ASCII text a match starts a run of word characters (``[a-z0-9_]``, by its
look-behind), and that run is the phrase's own first run ("can" of "can't log in", "wi" of
"wi-fi is down"): what follows it in the phrase is no word character, and neither is what
follows the phrase. So the regex is tried only where a run of the text is one of its phrases'
first runs (a set lookup each), in order, each at or after the end of the previous match: the
matches ``finditer`` gives, in a few ``match`` calls.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

__all__ = ["first_runs", "tried_at_runs"]

_RUN = re.compile(r"[a-z0-9_]+")
"""A run of word characters in lower-cased ASCII text (``\\w`` there)."""
_LITERAL = re.compile(r"(?:\\s\+|\\[^0-9A-Za-z]|[^\\()\[\]{}?*+|.^$])+")
"""A phrase as ``_phrase_regex`` writes it: characters, escaped punctuation, ``\\s+`` between words."""
_HEAD, _TAIL = "(?<!\\w)(?:", ")(?!\\w)"

_RUNS: dict[int, tuple[re.Pattern[str], frozenset[str] | None]] = {}
"""id(pattern) -> (pattern, its first runs): keyed by identity (hashing a pattern hashes its program)."""


def first_runs(pattern: re.Pattern[str]) -> frozenset[str] | None:
    """The first word-character run of each ASCII phrase of a phrase regex (a phrase in another
    script never matches ASCII text); ``None`` when ``pattern`` is no such regex or a phrase
    starts with another character (no run to look for)."""
    known = _RUNS.get(id(pattern))
    if known is not None and known[0] is pattern:
        return known[1]
    if len(_RUNS) >= 64:
        _RUNS.clear()
    found = _read_runs(pattern.pattern)
    _RUNS[id(pattern)] = (pattern, found)
    return found


def _read_runs(source: str) -> frozenset[str] | None:
    """:func:`first_runs` from the regex's source: each alternative must be a plain phrase
    (characters, escaped punctuation, ``\\s+``), as ``re.escape`` leaves letters, digits and ``_``."""
    if not (source.startswith(_HEAD) and source.endswith(_TAIL)) or "\\|" in source:
        return None
    runs: set[str] = set()
    for phrase in source[len(_HEAD) : -len(_TAIL)].split("|"):
        if not _LITERAL.fullmatch(phrase):
            return None
        if not phrase.isascii():
            continue
        first = _RUN.match(phrase)
        if first is None:
            return None
        runs.add(first.group())
    return frozenset(runs)


def tried_at_runs(twin: re.Pattern[str], runs: frozenset[str], low: str) -> Iterator[re.Match[str]]:
    """``twin.finditer(low)`` for the case-sensitive twin of a phrase regex whose phrases' first
    runs are ``runs``, on lower-cased ASCII text: tried only where a run of ``low`` is one."""
    end = 0
    for run in _RUN.finditer(low):
        start = run.start()
        if start < end or run.group() not in runs:
            continue  # inside the previous match (``finditer`` goes on from its end), or no phrase here
        match = twin.match(low, start)
        if match is not None:
            end = match.end()
            yield match
