"""Running recognizers together over one message: priority order, cheap pre-checks, no overlaps.

``RecognizerSet.find`` is the hot loop of fact extraction. A message's candidates come from a
few set operations, not a test per recognizer (``recognizer_routes``): its tokens, looked up in
a memo, name the recognizers their word literals, gate words and place prepositions let run; a
digit and the other literals add theirs. On a long message (or from three candidates on, once a
long message had the set compiled) the prefilter's set scan (``prefilter``) rules most of them
out in one pass. A candidate's regex is searched once (on ASCII text from its first start word
and its probe's first hit, case-ignoring ones by their lowered twin: ``lowered_twins``) and its
recognizer resumes from that match. A later span that overlaps an earlier one is dropped (an
email is never also a URL), and values inside attachment file names are not facts.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable, Iterator, Sequence

from .phrases import tokens
from .prefilter import PatternSet
from .recognizer_routes import (
    _ASCII_NEED,
    _LITERAL_KEY,
    _WORD_RUN,
    _Checks,
    _InWords,
    _is_word,
    _Route,
    _Starts,
    _Step,
    _takes_first,
    _Twins,
)
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
    Saturday Sunday Today Tomorrow Dr Mr Mrs Ms Transit Stock DM DMs WiFi Wifi Bluetooth Settings Gold Silver
    Bronze Platinum Premium Guest Cheap Expensive Moderate""".split()
)
"""Capitalized words after "in"/"at"/"to" that name no place: a status ("in Transit", "in Stock"), a
channel or a setting ("to DM", "in Settings"), a membership tier ("at Gold"), a price range ("in the
Cheap price category")."""


_SET_SCAN_MIN = 256
"""Characters from which a message is scanned by the prefilter's set before its regexes run
(building the set on first use: hyperscan takes a second or two to compile it, which only a long
message's many regex scans pay back)."""
_SET_SCAN_RUN = 3
"""Regexes about to run from which a shorter message is scanned too, once the set is built
(~4 µs a chat turn, about one regex's search)."""
_ENGLISH = frozenset({"en"})


class RecognizerSet:
    """Recognizers in priority order, with their pre-checks unpacked and routed.

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
            others = tuple(sorted({n for n in r.needs if not _is_word(n)})) or None
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
        substrings = sorted({literal for step in plan if isinstance(step[2], tuple) for literal in step[2]})
        self._keys = {
            literal: _LITERAL_KEY - index
            for index, literal in enumerate(substrings)
            if literal.isascii() and _WORD_RUN.search(literal)
        }
        """Other literal -> its key's marker (those with a run of word characters)."""
        self._checks: tuple[_Checks, ...] = ()  # made with the first route
        self._routes: dict[frozenset[str], _Route] = {}  # by active languages, made from ``_plan``
        self._in_words: _InWords | None = None  # made with the first route
        self._prefilter: PatternSet | None = None  # built on first use (compiling it takes a while)
        self._twins = _Twins(self.recognizers)

    def _candidates(self, text: str) -> frozenset[int] | None:
        """The recognizers whose regex may match ``text`` (``None``: any may; see ``prefilter``)."""
        if self._prefilter is None:
            self._prefilter = PatternSet([r.regex for r in self.recognizers])
        return self._prefilter.candidates(text)

    def _unguarded_misses(self, route: _Route, text: str) -> frozenset[int]:
        """The route's unguarded recognizers (``_Route.unguarded``) whose regex cannot match
        ``text`` (ASCII), by one scan of their quick set; none when there is no quick matcher."""
        if route.unguarded_set is None:
            route.unguarded_set = PatternSet([self._plan[n][6] for n in route.unguarded_order], quick=True)
            if not route.unguarded_set.active:
                route.unguarded = frozenset()  # no quick matcher: never asked again
                return route.unguarded
        found = route.unguarded_set.candidates(text)
        if found is None:
            return frozenset()
        return route.unguarded.difference(map(route.unguarded_order.__getitem__, found))

    def _route(self, active: frozenset[str]) -> _Route:
        if self._in_words is None:
            literals: dict[str, set[int]] = {}
            bounded: dict[str, set[int]] = {}
            gates: dict[str, set[int]] = {}
            ends: dict[str, set[int]] = {}
            for recognizer, in_words, *_, number in self._plan:
                for word in recognizer.ends or ():
                    ends.setdefault(word, set()).add(number)
                for word in recognizer.words or ():
                    gates.setdefault(word, set()).add(number)
                for literal in in_words or ():
                    literals.setdefault(literal, set()).add(number)
                for word in recognizer.bounded or ():
                    bounded.setdefault(word, set()).add(number)
                for literal in recognizer.ascii_needs or ():
                    if _is_word(literal):
                        literals.setdefault(literal, set()).add(_ASCII_NEED - number)
            for literal, marker in self._keys.items():
                key = max(_WORD_RUN.findall(literal), key=len)
                literals.setdefault(key, set()).add(marker)
            self._checks = tuple(
                (
                    r,
                    max_len,
                    requires,
                    regex,
                    _takes_first(type(r).find),
                    _Starts(r.starts) if r.starts else None,
                    r.pieces,
                    r.probe,
                )
                for r, _, _, _, max_len, requires, regex, *_ in self._plan
            )
            self._in_words = _InWords(
                {k: frozenset(v) for k, v in literals.items()},
                {k: frozenset(v) for k, v in bounded.items()},
                {k: frozenset(v) for k, v in gates.items()},
                {k: frozenset(v) for k, v in ends.items()},
                [(n, *r.token_run) for r, *_, n in self._plan if r.token_run is not None],
            )
        route = self._routes[active] = _Route(self._plan, active, self._keys)
        return route

    def __iter__(self) -> Iterator[Recognizer]:
        return iter(self.recognizers)

    def _run(
        self, text: str, lower: str, words: Sequence[str], route: _Route, ascii_text: bool
    ) -> Sequence[int]:
        """The numbers of the recognizers whose pre-checks ``text`` passes, in priority order."""
        assert self._in_words is not None  # made with the route, before any run
        needed = frozenset().union(*map(self._in_words.__getitem__, words))
        if ascii_text:  # what the tokens' numbers decide is memoized on the route
            certain, literals, patterns, keeps = route.ascii_run(needed)
            more: set[int] | None = None
            for literal, numbers in literals:
                if literal in lower:
                    more = set(certain).union(numbers) if more is None else more.union(numbers)
            for pattern, numbers in patterns:
                if pattern.search(lower) is not None:
                    more = set(certain).union(numbers) if more is None else more.union(numbers)
            chosen: Sequence[int] = certain if more is None else sorted(more)
            for number, unless, accepts in keeps:
                if (
                    number in chosen
                    and not any(map(lower.__contains__, unless))  # map: no generator per message
                    and (accepts is None or accepts.search(text) is None)
                ):
                    chosen = [n for n in chosen if n != number]
            return chosen
        # Other text: no token is an exact guide (Unicode digits, case folding, accents).
        has_digit = _DIGIT.search(text) is not None
        run = set(needed & route.allowed)
        run |= route.always
        if has_digit:
            run |= route.digit
        for literal, numbers in route.literals:
            if literal in lower:
                run |= numbers
        for pattern, numbers in route.patterns:
            if pattern.search(lower) is not None:
                run |= numbers
        present = route.gate_words.intersection(words)
        if present:
            for number in frozenset().union(*map(route.gates.__getitem__, present)):
                _, in_words, others, digit, *_ = self._plan[number]
                if in_words is None and others is None:
                    if digit and not has_digit:
                        continue
                elif not (digit and has_digit) and number not in needed:
                    if others is None:
                        continue
                    if isinstance(others, re.Pattern):
                        if others.search(lower) is None:
                            continue
                    elif not any(literal in lower for literal in others):
                        continue
                run.add(number)
        return sorted(run)

    def find(
        self, text: str, words: Sequence[str] | None = None, languages: frozenset[str] = frozenset()
    ) -> list[Span]:
        """Every non-overlapping span in ``text``, earlier recognizers winning, in text order.

        ``words``: ``phrases.tokens(text)`` when the caller has them (else made on demand).
        ``languages``: the codes whose recognizers run ("*" for those of any language but
        English); none means English, whose own recognizers ("en") run only then; a recognizer
        of no language always runs.
        """
        active = languages or _ENGLISH
        route = self._routes.get(active) or self._route(active)
        if words is None:
            words = tokens(text)
        lower = text.lower()
        ascii_text = text.isascii()  # tokens and lower-cased offsets are the text's own
        run = self._run(text, lower, words, route, ascii_text)
        if run and (
            len(text) >= _SET_SCAN_MIN or (self._prefilter is not None and len(run) >= _SET_SCAN_RUN)
        ):
            candidates = self._candidates(text)  # one set scan rules most of them out
            if candidates is not None:
                run = [number for number in run if number in candidates]
        elif ascii_text and len(route.unguarded.intersection(run)) >= _SET_SCAN_RUN:
            # A chat line with a digit: a dozen recognizers no word gates would each search it.
            misses = self._unguarded_misses(route, text)
            if misses:
                run = [number for number in run if number not in misses]
        size = len(text)
        checks = self._checks
        twins = self._twins
        taken: list[Span] = []  # non-overlapping, sorted by start (so also by end)
        starts: list[int] = []
        files: list[tuple[int, int]] | None = None  # attachment file names, once needed
        for number in run:
            recognizer, max_len, requires, regex, takes_first, starter, pieces, probe = checks[number]
            if max_len is not None and size > max_len:
                continue
            if pieces is not None and not pieces[0] <= len(text.split()) <= pieces[1]:
                continue
            if requires is not None and requires.search(text) is None:
                continue
            if ascii_text:
                at = 0
                if starter is not None:
                    # No match begins before the first word its matches may begin with: search from
                    # there (a word's first occurrence is at or before that word; look-behinds still
                    # see the text before it), or not at all without one.
                    word = next(filter(starter.__getitem__, words), None)
                    if word is None:
                        continue
                    at = lower.find(word)
                if probe is not None:  # no match begins before the probe's first hit
                    hit = probe.search(text, at)
                    if hit is None:
                        continue
                    at = hit.start()
                twin = twins[number]
                if twin is None:
                    first = regex.search(text, at)
                else:  # the twin finds where the first match is; the regex reads it in the text's case
                    hit = twin.search(lower, at)
                    first = None if hit is None else regex.match(text, hit.start())
            else:
                first = regex.search(text)
            if first is None:  # the common case: no match, no generator
                continue
            found = recognizer.find(text, lower, first) if takes_first else recognizer.find(text, lower)
            for span in found:
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
