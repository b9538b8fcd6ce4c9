"""How a recognizer set picks a message's candidate recognizers: the routing tables and memos.

``RecognizerSet.find`` must not test ~50 recognizers' pre-checks one by one on every message.
So each set unpacks its recognizers' pre-checks once (``_Step``, ``_Checks``) and, per set of
active languages, groups them by what lets each run (``_Route``: always, a digit, a literal, a
gate word); a message's tokens are looked up in memos (``_InWords``: the recognizers a token's
literals let run, markers for a digit and for literal keys; ``_Starts``: the tokens a
recognizer's match may begin at), so a message's candidates come from a few set operations.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable, Iterable, Sequence
from functools import lru_cache

from .prefilter import PatternSet
from .recognizers import Recognizer, Span

_MEMO_LIMIT = 100_000


_HAS_DIGIT = -1_000_000
"""In a token's numbers (``_InWords``): it holds an ASCII digit."""


_ASCII_NEED = -2_000_000


_LITERAL_KEY = -3_000_000
"""``_LITERAL_KEY - index``, in a token's numbers: it holds the longest run of word characters of
the set's ``index``-th other literal ("post" of "post code"), which every ASCII text holding that
literal has in a token."""


_GATE = -4_000_000


_ENDS = -5_000_000


_TOKEN_RUN = -6_000_000
"""``_TOKEN_RUN - number``, in a token's numbers: it, or a part of it between apostrophes, is a run
as long as that recognizer's ``token_run`` (holding a digit when it asks for one)."""
"""``_ENDS - number``, in a token's numbers: it, or one of its parts between apostrophes, is one of
that recognizer's ``ends``."""
"""``_GATE - number``, in a token's numbers: it is one of that recognizer's gate ``words``."""


_WORD_RUN = re.compile(r"[a-z0-9_]+")
"""``_ASCII_NEED - number``, in a token's numbers: it holds one of that recognizer's word
``ascii_needs``."""


@lru_cache(maxsize=256)
def _takes_first(find: Callable[..., Iterable[Span]]) -> bool:
    return "first" in inspect.signature(find).parameters


def _is_word(literal: str) -> bool:
    """Whether ``literal`` is all ASCII word characters (so it lies inside one token)."""
    return literal.isascii() and literal.replace("_", "a").isalnum()


_DIGIT_MARK = frozenset({_HAS_DIGIT})


class _InWords(dict[str, frozenset[int]]):
    """Token -> the recognizers (numbers) it may let run, filled on first sight (hits stay in C):
    those one of whose word literals it contains, and, as ``-1 - number``, those one of whose
    ``bounded`` words it ends with (after its last apostrophe: ``recognizers.stands_alone``);
    ``_HAS_DIGIT`` when it holds an ASCII digit; ``_GATE - number`` when it is one of that
    recognizer's gate words; ``_ENDS - number`` when it, or a part of it between apostrophes, is
    one of that recognizer's ``ends``."""

    def __init__(
        self,
        literals: dict[str, frozenset[int]],
        bounded: dict[str, frozenset[int]],
        gates: dict[str, frozenset[int]],
        ends: dict[str, frozenset[int]],
        runs: Sequence[tuple[int, int, bool]] = (),
    ) -> None:
        super().__init__()
        self._runs = tuple((_TOKEN_RUN - number, length, digit) for number, length, digit in runs)
        self._literals = tuple(sorted(literals.items()))
        self._bounded = {word: frozenset(-1 - n for n in numbers) for word, numbers in bounded.items()}
        self._gates = {word: frozenset(_GATE - n for n in numbers) for word, numbers in gates.items()}
        self._ends = {word: frozenset(_ENDS - n for n in numbers) for word, numbers in ends.items()}

    def __missing__(self, token: str) -> frozenset[int]:
        if len(self) >= _MEMO_LIMIT:
            self.clear()
        value = frozenset().union(*(n for lit, n in self._literals if lit in token))
        alone = self._bounded.get(token.rpartition("'")[2])
        if alone:
            value |= alone
        if any(map(token.__contains__, "0123456789")):
            value |= _DIGIT_MARK
        gate = self._gates.get(token)
        if gate:
            value |= gate
        parts = token.split("'") if "'" in token else (token,)
        for part in parts:
            end = self._ends.get(part)
            if end:
                value |= end
        if self._runs and max(map(len, parts)) >= min(length for _, length, _ in self._runs):
            runs = [
                mark
                for mark, length, digit in self._runs
                for part in parts
                if len(part) >= length and (not digit or any(map(part.__contains__, "0123456789")))
            ]
            if runs:
                value |= frozenset(runs)
        self[token] = value
        return value


_Step = tuple[
    Recognizer,
    "frozenset[str] | None",
    "tuple[str, ...] | re.Pattern[str] | None",
    bool,
    "int | None",
    "re.Pattern[str] | None",
    "re.Pattern[str]",
    "frozenset[str] | None",
    "str | None",
    int,
]
"""One recognizer's unpacked pre-checks: itself, word literals, other literals (or a regex finding
any of them), digit, max length, required regex, regex, gate words, language, its number."""


class _Starts(dict[str, bool]):
    """Token -> whether one of its runs of word characters (the token, or its parts around
    apostrophes) begins with one of a recognizer's ``starts`` (or, for one ending in "$", is it),
    filled on first sight: the first such token is where its search may start."""

    def __init__(self, starts: tuple[str, ...]) -> None:
        super().__init__()
        self._prefixes = tuple(s for s in starts if not s.endswith("$"))
        self._whole = frozenset(s[:-1] for s in starts if s.endswith("$"))

    def __missing__(self, token: str) -> bool:
        if len(self) >= _MEMO_LIMIT:
            self.clear()
        prefixes, whole = self._prefixes, self._whole
        value = self[token] = any(part.startswith(prefixes) or part in whole for part in token.split("'"))
        return value


class _Twins(dict[int, "re.Pattern[str] | None"]):
    """Recognizer number -> its regex's lowered twin (``Recognizer.twin``), looked up on first
    use (most recognizers of a set seldom run)."""

    def __init__(self, recognizers: Sequence[Recognizer]) -> None:
        super().__init__()
        self._recognizers = recognizers

    def __missing__(self, number: int) -> re.Pattern[str] | None:
        value = self[number] = self._recognizers[number].twin()
        return value


_Checks = tuple[
    Recognizer,
    "int | None",
    "re.Pattern[str] | None",
    "re.Pattern[str]",
    bool,
    "_Starts | None",
    "tuple[int, int] | None",
    "re.Pattern[str] | None",
]
"""What runs once a recognizer is a candidate: itself, max length, required regex, regex,
whether its ``find`` resumes from the match the regex's search found (one defined elsewhere may
take ``text`` and ``lower`` alone), the memo of the tokens its matches may begin at, how many
white-space-separated pieces a text it matches has, and its probe."""


class _Route:
    """The recognizers one set of active languages runs, grouped by what lets each run, so a
    message's few candidates come from a handful of set operations instead of a test per
    recognizer: those that always may, those a digit lets run, those a literal lets run
    (word literals through the tokens' memo, others by a substring test), and those a gate
    word lets run (then tested like the others); a ``bounded`` one is then dropped unless one of
    its words stands alone."""

    __slots__ = (
        "_ascii",
        "_plan",
        "accepting",
        "allowed",
        "always",
        "ascii_needs",
        "bounded",
        "digit",
        "ends",
        "gate_words",
        "gated",
        "gates",
        "keyed",
        "keys",
        "literals",
        "patterns",
        "runs",
        "unguarded",
        "unguarded_order",
        "unguarded_set",
        "unkeyed",
    )

    def __init__(self, plan: Sequence[_Step], active: frozenset[str], keys: dict[str, int]) -> None:
        always: set[int] = set()
        digits: set[int] = set()
        allowed: set[int] = set()
        literals: dict[str, set[int]] = {}
        patterns: dict[re.Pattern[str], set[int]] = {}
        gates: dict[str, set[int]] = {}
        bounded: set[int] = set()
        ascii_needs: list[tuple[int, tuple[str, ...]]] = []
        accepting: list[tuple[int, tuple[str, ...], re.Pattern[str]]] = []
        ends: list[int] = []
        runs: list[int] = []
        self._plan = plan
        self._ascii: dict[frozenset[int], _AsciiRun] = {}
        for step in plan:
            recognizer, in_words, others, digit, _, _, _, gate, language, number = step
            if language is not None and language not in active:
                continue
            if recognizer.bounded is not None:
                bounded.add(number)
            if recognizer.ends is not None:
                ends.append(number)
            if recognizer.token_run is not None:
                runs.append(number)
            if recognizer.accepts is not None:
                accepting.append((number, recognizer.accepts_unless, recognizer.accepts))
            if recognizer.ascii_needs is not None:
                ascii_needs.append((number, tuple(n for n in recognizer.ascii_needs if not _is_word(n))))
            if gate is not None:
                for word in gate:
                    gates.setdefault(word, set()).add(number)
            elif in_words is None and others is None:
                (digits if digit else always).add(number)
            else:
                if digit:
                    digits.add(number)
                if in_words is not None:
                    allowed.add(number)
                if isinstance(others, re.Pattern):
                    patterns.setdefault(others, set()).add(number)
                else:
                    for literal in others or ():
                        literals.setdefault(literal, set()).add(number)
        self.allowed = frozenset(allowed)
        """Recognizers a word literal lets run (the tokens' memo also names other languages')."""
        self.always = frozenset(always)
        self.digit = frozenset(digits)
        self.literals = tuple((literal, frozenset(n)) for literal, n in literals.items())
        self.keyed = {keys[literal]: (literal, n) for literal, n in self.literals if literal in keys}
        """On ASCII text, a literal is looked for only when a token holds its key (``_LITERAL_KEY``)."""
        self.keys = frozenset(self.keyed)
        self.unkeyed = tuple((literal, n) for literal, n in self.literals if literal not in keys)
        self.patterns = tuple((pattern, frozenset(n)) for pattern, n in patterns.items())
        self.gates = {word: frozenset(n) for word, n in gates.items()}
        self.gate_words = frozenset(gates)
        self.gated = tuple(sorted({n for numbers in gates.values() for n in numbers}))
        """Recognizers a gate word lets run."""
        self.bounded = tuple(sorted(bounded))
        """Recognizers that also need one of their ``bounded`` words alone."""
        self.ascii_needs = tuple(ascii_needs)
        """Recognizers that, in ASCII text, also need one of their ``ascii_needs``: a token holding
        a word one, or the text one of these others."""
        self.runs = tuple(runs)
        """Recognizers that, in ASCII text without a hyphen, also need their ``token_run``."""
        self.ends = tuple(ends)
        """Recognizers that, in ASCII text, also need one of their ``ends`` as a token or a part of one."""
        self.accepting = tuple(accepting)
        """Recognizers that, in ASCII text, also need one of their ``accepts_unless`` literals in
        the lower-cased text or their ``accepts`` regex to find something in the text."""
        self.unguarded_order = tuple(sorted(self.always | self.digit))
        self.unguarded = frozenset(self.unguarded_order)
        """Recognizers that run on any message with a digit (or on any message at all): on ASCII
        text with several of them to run, one quick set scan rules most out (``RecognizerSet``)."""
        self.unguarded_set: PatternSet | None = None
        """Their regexes' quick set (``prefilter.PatternSet``, ``quick``), built on first use."""

    def ascii_run(self, needed: frozenset[int]) -> _AsciiRun:
        """What ``RecognizerSet._run`` makes of an ASCII text whose tokens' numbers are ``needed``
        (a pure function of them, memoized: few sets of numbers recur): the candidates certain
        from ``needed`` alone, in order, and the substring tests that add more."""
        found = self._ascii.get(needed)
        if found is None:
            if len(self._ascii) >= _MEMO_LIMIT:
                self._ascii.clear()
            found = self._ascii[needed] = self._ascii_run(needed)
        return found

    def _ascii_run(self, needed: frozenset[int]) -> _AsciiRun:
        has_digit = _HAS_DIGIT in needed
        base = set(needed & self.allowed) | self.always
        if has_digit:
            base |= self.digit
        literals: list[tuple[str, set[int]]] = [
            (literal, set(numbers)) for key, (literal, numbers) in self.keyed.items() if key in needed
        ]
        literals += [(literal, set(numbers)) for literal, numbers in self.unkeyed]
        patterns = [(pattern, set(numbers)) for pattern, numbers in self.patterns]
        gated = [n for n in self.gated if _GATE - n in needed]
        for number in gated:  # as ``RecognizerSet._run`` tests a gate word's recognizers
            _, in_words, others, digit, *_ = self._plan[number]
            if in_words is None and others is None:
                if not digit or has_digit:
                    base.add(number)
            elif (digit and has_digit) or number in needed:
                base.add(number)
            elif isinstance(others, re.Pattern):
                patterns.append((others, {number}))
            elif others is not None:
                literals += [(literal, {number}) for literal in others]
        banned = {n for n in self.bounded if -1 - n not in needed}
        banned.update(n for n in self.ends if _ENDS - n not in needed)
        keeps: list[tuple[int, tuple[str, ...], re.Pattern[str] | None]] = []
        needing: list[tuple[int, tuple[str, ...]]] = []
        for number, others in self.ascii_needs:
            if _ASCII_NEED - number in needed:
                continue
            if number in base:  # kept only where one of its literals is
                base.discard(number)
                for _, numbers in (*literals, *patterns):
                    numbers.discard(number)
                literals += [(literal, {number}) for literal in others]
            else:
                needing.append((number, others))
        tested = set().union(*(n for _, n in literals), *(n for _, n in patterns))  # a test may add
        keeps += [(number, others, None) for number, others in needing if number in tested]
        for number in self.runs:
            if _TOKEN_RUN - number not in needed and (number in base or number in tested):
                keeps.append((number, ("-",), None))  # only a hyphen may join shorter tokens' runs
        for number, unless, accepts in self.accepting:
            if number in base or number in tested:
                keeps.append((number, unless, accepts))
        base -= banned
        return (
            tuple(sorted(base)),
            tuple((literal, frozenset(n - banned)) for literal, n in literals if n - banned),
            tuple((pattern, frozenset(n - banned)) for pattern, n in patterns if n - banned),
            tuple((n, others, accepts) for n, others, accepts in keeps if n not in banned),
        )


_AsciiRun = tuple[
    "tuple[int, ...]",
    "tuple[tuple[str, frozenset[int]], ...]",
    "tuple[tuple[re.Pattern[str], frozenset[int]], ...]",
    "tuple[tuple[int, tuple[str, ...], re.Pattern[str] | None], ...]",
]
"""A route's candidates for an ASCII text's ``needed`` numbers (``_Route.ascii_run``): those certain,
in order; literals and patterns whose presence in the lower-cased text adds theirs; and recognizers
then dropped unless one of their literals is in it (``ascii_needs``, ``accepts_unless``) or their
``accepts`` regex finds something in the text."""
