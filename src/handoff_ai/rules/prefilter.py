"""One pass over a message to rule patterns out, before Python's ``re`` decides the spans.

Most of the engine's regular expressions find nothing in most messages, and Python
pays for every one it tries: a call, and a scan that on a long message costs
0.2–0.3 s per pattern for a 1 MB paste. A *set matcher* answers "which of these
patterns can match anywhere in this text?" in one linear pass (RE2's ``Set``), so
only those run through ``re``, and the output stays byte-identical: ``re`` still
decides every span.

Each pattern enters the set as a **superset** of itself: its look-around assertions
are dropped (RE2 has none, and dropping an assertion only lets more text match), and
a pattern the set cannot take (back-references, conditionals, verbose syntax) is
marked "always run". The set is trusted on ASCII text only, where Python's and RE2's
``\\w``, ``\\b``, ``\\d`` and case folding agree; other text runs every pattern,
as the literal pre-checks (``prechecks``) already do. So the set saying "no" means
``re`` finds nothing — ``tests/test_prefilter.py`` checks that on fuzzed and
adversarial strings.

The matcher is an optional dependency (the ``fast`` extra: ``hyperscan``; ``google-re2``
is used when it is the one installed): without one, or with ``HANDOFF_AI_PREFILTER=off``,
every pattern runs, as before. ``HANDOFF_AI_PREFILTER=re2`` picks RE2 when both are there.

A *quick* set (``PatternSet(..., quick=True)``: the dozen recognizers any digit lets run, scanned
on a chat line about to run several of them) is built only with RE2, which compiles it in
milliseconds; without RE2 (or with another engine forced, or the prefilter off) it is inactive.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import Any

__all__ = ["PatternSet", "prefilter_available", "superset"]

_ENV = "HANDOFF_AI_PREFILTER"
_UNSUPPORTED = re.compile(r"\\[1-9]|\(\?P=|\(\?\(|\(\?[aiLmsux]*x")
_MAX_MEM = 64 << 20


@lru_cache(maxsize=1)
def _engine() -> str | None:
    """``"hyperscan"``, ``"re2"`` or ``None``: the first importable, unless switched off."""
    choice = os.environ.get(_ENV, "").lower()
    if choice in ("off", "0", "false", "no"):
        return None
    for name in ("hyperscan", "re2") if choice in ("", "on", "1", "true", "yes") else (choice,):
        try:
            __import__(name)
        except ImportError:
            continue
        return name
    return None


def _quick_engine() -> str | None:
    """The set matcher for a small set built while a conversation is read: RE2 when it is
    installed and no engine is forced (it compiles a dozen patterns in milliseconds, Hyperscan
    takes a third of a second), else ``None``: such a set must never stall a first record."""
    if _engine() is None or os.environ.get(_ENV, "").lower() not in ("", "on", "1", "true", "yes", "re2"):
        return None
    try:
        __import__("re2")
    except ImportError:
        return None
    return "re2"


def prefilter_available() -> str | None:
    """The set matcher in use (``"hyperscan"`` or ``"re2"``), ``None`` when every pattern runs."""
    return _engine()


def superset(source: str) -> str | None:
    """``source`` without its look-around groups, or ``None`` when a set cannot take it.

    Dropping ``(?=…)``, ``(?!…)``, ``(?<=…)`` and ``(?<!…)`` only widens what matches,
    which is all a prefilter needs.
    """
    if _UNSUPPORTED.search(source):
        return None
    out: list[str] = []
    index, size = 0, len(source)
    in_class = False
    while index < size:
        char = source[index]
        if char == "\\":
            out.append(source[index : index + 2])
            index += 2
            continue
        if in_class:
            in_class = char != "]"
            out.append(char)
            index += 1
            continue
        if char == "[":
            in_class = True
            if source.startswith("[^", index):
                out.append("[^")
                index += 2
                if index < size and source[index] == "]":  # "[^]...]": a literal "]"
                    out.append("]")
                    index += 1
                continue
            out.append("[")
            index += 1
            if index < size and source[index] == "]":
                out.append("]")
                index += 1
            continue
        if source.startswith(("(?=", "(?!", "(?<=", "(?<!"), index):
            end = _group_end(source, index)
            if end < 0:
                return None
            index = end
            continue
        out.append(char)
        index += 1
    return "".join(out)


def _group_end(source: str, start: int) -> int:
    """Index just past the group that opens at ``start`` (-1 when unbalanced)."""
    depth, index, in_class = 0, start, False
    while index < len(source):
        char = source[index]
        if char == "\\":
            index += 2
            continue
        if in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
            if source.startswith("[^]", index) or source.startswith("[]", index):
                index += 2 if source[index + 1] == "]" else 3
                continue
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth == 0:
                return index + 1
        index += 1
    return -1


class PatternSet:
    """Compiled patterns behind one set matcher: ``candidates(text)`` says which may match.

    Hyperscan (``HS_FLAG_PREFILTER``: it may report more, never fewer) scans a chat message in
    about 5 µs for 35 patterns, RE2's ``Set`` in about 15 µs; both are linear in the text.
    """

    def __init__(self, patterns: Sequence[re.Pattern[str]], *, quick: bool = False) -> None:
        """``quick``: a small set built on first need, only with a matcher that compiles it at
        once (``_quick_engine``); without one the set is inactive and every pattern runs."""
        self.size = len(patterns)
        self.always: frozenset[int] = frozenset(range(len(patterns)))
        self.engine: str | None = None
        self._match: Callable[[bytes], list[int]] | None = None
        self._made_from = (tuple(patterns), quick)
        engine = _quick_engine() if quick else _engine()
        if engine is None or not patterns:
            return
        bodies: dict[int, str] = {}
        for number, pattern in enumerate(patterns):
            body = superset(pattern.pattern)
            if body is not None:
                bodies[number] = body
        build = _hyperscan if engine == "hyperscan" else _re2_set
        built = build(bodies, patterns)
        if built is None:
            return
        self._match, taken = built
        self.engine = engine
        self.always = frozenset(range(len(patterns))) - taken

    def __reduce__(self) -> tuple[Callable[..., PatternSet], tuple[tuple[re.Pattern[str], ...], bool]]:
        """Pickled as its patterns, compiled again where it is loaded: the matcher's database is
        no Python object (a backend that has read a chat still goes to ``spawn`` workers)."""
        return _pattern_set, self._made_from

    @property
    def active(self) -> bool:
        return self._match is not None

    def candidates(self, text: str) -> frozenset[int] | None:
        """Indexes of the patterns that may match ``text``; ``None``: any may (no set, or not ASCII)."""
        if self._match is None or not text.isascii():
            return None
        found = self._match(text.encode("ascii"))
        return self.always.union(found) if found else self.always


def _pattern_set(patterns: tuple[re.Pattern[str], ...], quick: bool) -> PatternSet:
    return PatternSet(patterns, quick=quick)


def _flags(pattern: re.Pattern[str]) -> str:
    return "".join(
        letter
        for flag, letter in ((re.IGNORECASE, "i"), (re.DOTALL, "s"), (re.MULTILINE, "m"))
        if pattern.flags & flag
    )


def _re2_set(
    bodies: dict[int, str], patterns: Sequence[re.Pattern[str]]
) -> tuple[Callable[[bytes], list[int]], frozenset[int]] | None:
    import re2

    options = re2.Options()
    options.max_mem = _MAX_MEM
    entries = re2.Set.SearchSet(options)
    index: list[int] = []
    for number, body in bodies.items():
        flags = _flags(patterns[number])
        try:
            entries.Add(f"(?{flags}){body}" if flags else body)
        except Exception:  # re2.error: syntax RE2 does not take ("\Z", possessive, ...): always run
            continue
        index.append(number)
    if not index:
        return None
    try:
        entries.Compile()  # returns None; raises when the set is over RE2's memory budget
    except Exception:
        return None

    def match(data: bytes) -> list[int]:
        found = entries.Match(data)
        return [index[i] for i in found] if found else []

    return match, frozenset(index)


_NAMED = re.compile(r"\(\?P<\w+>")


def _hyperscan(
    bodies: dict[int, str], patterns: Sequence[re.Pattern[str]]
) -> tuple[Callable[[bytes], list[int]], frozenset[int]] | None:
    import hyperscan

    base = hyperscan.HS_FLAG_SINGLEMATCH | hyperscan.HS_FLAG_ALLOWEMPTY | hyperscan.HS_FLAG_PREFILTER

    def compiled(numbers: list[int]) -> Any:
        database = hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK)
        database.compile(
            expressions=[_hs_body(bodies[n]) for n in numbers],
            ids=numbers,
            elements=len(numbers),
            flags=[_hs_flags(patterns[n], base) for n in numbers],
        )
        return database

    taken = list(bodies)
    try:  # the whole set at once: compiling each pattern alone first doubled the time
        database = compiled(taken) if taken else None
    except Exception:  # hyperscan.error: find the patterns it refuses, which must not sink the rest
        database = None
    if database is None:
        taken = []
        for number in bodies:
            try:
                compiled([number])
            except Exception:  # always run that pattern
                continue
            taken.append(number)
        if not taken:
            return None
        database = compiled(taken)
    scratch = hyperscan.Scratch(database)
    hits: list[int] = []

    def on_match(pattern_id: int, start: int, end: int, flags: int, context: object) -> None:
        hits.append(pattern_id)

    def match(data: bytes) -> list[int]:
        hits.clear()
        database.scan(data, match_event_handler=on_match, scratch=scratch)
        return list(hits)

    return match, frozenset(taken)


def _hs_body(body: str) -> bytes:
    return _NAMED.sub("(?:", body).encode("utf-8")


def _hs_flags(pattern: re.Pattern[str], base: int) -> int:
    import hyperscan

    flags = base
    if pattern.flags & re.IGNORECASE:
        flags |= hyperscan.HS_FLAG_CASELESS
    if pattern.flags & re.DOTALL:
        flags |= hyperscan.HS_FLAG_DOTALL
    if pattern.flags & re.MULTILINE:
        flags |= hyperscan.HS_FLAG_MULTILINE
    return flags
