"""Running recognizers together over one message: priority order, cheap pre-checks, no overlaps.

``RecognizerSet.find`` is the hot loop of fact extraction: each recognizer's literal
pre-checks are unpacked once, word literals are looked up in the message's tokens, a
later span that overlaps an earlier one is dropped (an email is never also a URL), and
values inside attachment file names are not facts.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable, Iterator, Sequence

from .phrases import any_literal, tokens
from .prefilter import PatternSet
from .recognizers import Recognizer, Span

__all__ = ["RecognizerSet", "find_spans", "in_file_names"]


_DIGIT = re.compile(r"\d")
_EXTENSIONS = r"\.(?:pdf|png|jpe?g|gif|heic|webp|docx?|xlsx?|csv|txt|zip|log|mov|mp4|json|xml|eml)\b"
_FILE_EXT = re.compile(_EXTENSIONS)
_NAME_BREAK = re.compile(r"[\s\"'<>()\[\]]")
_IN_FILE_NAME_OK = frozenset({"url", "email"})


def in_file_names(text: str, lower: str | None = None) -> list[tuple[int, int]]:
    """Offsets of attachment-like file names ("scan 2024-03-01.pdf" has no date for the record)."""
    lower = text.lower() if lower is None else lower
    names: list[tuple[int, int]] = []
    done = 0  # a name never starts before the end of the previous one: linear on "a.a.a....pdf"
    for ext in _FILE_EXT.finditer(lower):  # a literal "." first: a fast scan
        start = ext.start()
        while start > done and not _NAME_BREAK.match(lower, start - 1):
            start -= 1
        if start < ext.start():
            names.append((start, ext.end()))
        done = ext.end()
    return names


_NOT_PLACES = frozenset(
    """I The A An My Your Our This That It Hi Hello Thanks Thank Please Yes No Ok Okay Customer Support
    Agent Bot Order Account January February March April May June July August September October November
    December Jan Feb Mar Apr Jun Jul Aug Sep Sept Oct Nov Dec Monday Tuesday Wednesday Thursday Friday
    Saturday Sunday Today Tomorrow Dr Mr Mrs Ms""".split()
)


_MEMO_LIMIT = 100_000
_SET_SCAN_MIN = 256
"""Characters from which a message is scanned by the prefilter's set before its regexes run."""
_ENGLISH = frozenset({"en"})


def _is_word(literal: str) -> bool:
    """Whether ``literal`` is all ASCII word characters (so it lies inside one token)."""
    return literal.isascii() and literal.replace("_", "a").isalnum()


class _InWords(dict[str, frozenset[str]]):
    """Token -> the needed literals it contains, filled on first sight (hits stay in C)."""

    def __init__(self, literals: Iterable[str]) -> None:
        super().__init__()
        self._literals = tuple(sorted(set(literals)))

    def __missing__(self, token: str) -> frozenset[str]:
        if len(self) >= _MEMO_LIMIT:
            self.clear()
        value = self[token] = frozenset(filter(token.__contains__, self._literals))
        return value


_Step = tuple[
    Recognizer,
    "frozenset[str] | None",
    "re.Pattern[str] | None",
    bool,
    "int | None",
    "re.Pattern[str] | None",
    "re.Pattern[str]",
    "frozenset[str] | None",
    "str | None",
    int,
]
"""One recognizer's unpacked pre-checks: itself, word literals, other literals, digit, max length,
required regex, regex, gate words, language, its place in the prefilter's pattern set."""


class RecognizerSet:
    """Recognizers in priority order, with their pre-checks unpacked for a tight loop.

    A ``needs`` literal made of word characters occurs in the lower-cased text exactly when
    it occurs inside one of its tokens (``phrases.tokens`` keeps every run of word
    characters whole), so those literals are found once per message from the tokens
    (memoized per token) instead of one substring regex per recognizer; only the other
    literals ("@", "i'm", "post code") are still searched in the text.
    """

    def __init__(self, recognizers: Iterable[Recognizer]) -> None:
        self.recognizers = tuple(recognizers)
        plan: list[_Step] = []
        for number, r in enumerate(self.recognizers):
            in_words = frozenset(n for n in r.needs if _is_word(n)) or None
            rest = [n for n in r.needs if not _is_word(n)]
            others = any_literal(rest) if rest else None
            plan.append(
                (
                    r,
                    in_words,
                    others,
                    r.digit,
                    r.max_len,
                    r._requires_re,
                    r.regex,
                    r.words,
                    r.language,
                    number,
                )
            )
        self._plan = tuple(plan)
        self._plan_en = tuple(p for p in self._plan if p[-2] in (None, "en"))
        """``_plan`` without the recognizers of other languages: what an English message needs."""
        # Every gate word: a message's words are intersected with these once, then each gate
        # is tested against that (usually empty) intersection.
        self._gate_words = frozenset().union(*(r.words for r in self.recognizers if r.words))
        self._in_words = _InWords(n for _, in_words, *_ in plan for n in in_words or ())
        self._prefilter: PatternSet | None = None  # built on first use (compiling it takes a while)

    def _candidates(self, text: str) -> frozenset[int] | None:
        """The recognizers whose regex may match ``text`` (``None``: any may; see ``prefilter``)."""
        if self._prefilter is None:
            self._prefilter = PatternSet([r.regex for r in self.recognizers])
        return self._prefilter.candidates(text)

    def __iter__(self) -> Iterator[Recognizer]:
        return iter(self.recognizers)

    def find(
        self, text: str, words: Sequence[str] | None = None, languages: frozenset[str] = frozenset()
    ) -> list[Span]:
        """Every non-overlapping span in ``text``, earlier recognizers winning, in text order.

        ``words``: ``phrases.tokens(text)`` when the caller has them (else made on demand).
        ``languages``: the codes whose recognizers run ("*" for those of any language but
        English); none means English, whose own recognizers ("en") run only then; a recognizer
        of no language always runs.
        """
        # English: the other languages' recognizers are not even looked at.
        plan = self._plan if languages else self._plan_en
        active = languages or _ENGLISH
        lower = text.lower()
        has_digit = _DIGIT.search(text) is not None
        size = len(text)
        taken: list[Span] = []  # non-overlapping, sorted by start (so also by end)
        starts: list[int] = []
        files: list[tuple[int, int]] | None = None  # attachment file names, once needed
        present: frozenset[str] | None = None  # the message's gate words, once needed
        needed: set[str] | None = None  # the word literals of ``needs`` in the message, once needed
        if words is None:
            words = tokens(text)
        candidates: frozenset[int] | bool | None = False  # the prefilter's answer, once asked
        for recognizer, in_words, others, digit, max_len, requires, regex, gate, language, number in plan:
            if language is not None and language not in active:
                continue
            if max_len is not None and size > max_len:
                continue
            if gate is not None:
                if present is None:
                    present = self._gate_words.intersection(words)
                if gate.isdisjoint(present):
                    continue
            if in_words is None and others is None:
                if digit and not has_digit:
                    continue
            elif not (digit and has_digit):
                if in_words is not None:
                    if needed is None:
                        needed = set().union(*map(self._in_words.__getitem__, words))
                    found = not in_words.isdisjoint(needed)
                else:
                    found = False
                if not found and (others is None or others.search(lower) is None):
                    continue
            if candidates is False:  # a regex is about to run: one set scan rules most of them out
                # (on a short chat turn the literal pre-checks above already did: the scan costs more)
                candidates = self._candidates(text) if size >= _SET_SCAN_MIN else None
            if candidates is not None and number not in candidates:  # type: ignore[operator]
                continue
            if requires is not None and requires.search(text) is None:
                continue
            if regex.search(text) is None:  # the common case: no match, no generator
                continue
            for span in recognizer.find(text, lower):
                if span.kind == "place" and (span.value or "").split()[0] in _NOT_PLACES:
                    continue
                if span.kind not in _IN_FILE_NAME_OK and not span.withheld:
                    if files is None:
                        files = in_file_names(text, lower)
                    if files and any(fs <= span.start and span.end <= fe for fs, fe in files):
                        continue
                # Only the neighbours can overlap: linear even with thousands of spans.
                at = bisect_right(starts, span.start)
                if at and taken[at - 1].end > span.start:
                    continue
                if at < len(taken) and taken[at].start < span.end:
                    continue
                starts.insert(at, span.start)
                taken.insert(at, span)
        return taken


def find_spans(text: str, recognizers: Iterable[Recognizer]) -> list[Span]:
    """Every non-overlapping span in ``text`` (see ``RecognizerSet.find``)."""
    plan = recognizers if isinstance(recognizers, RecognizerSet) else RecognizerSet(recognizers)
    return plan.find(text)
