"""Fact recognizers: small objects that find typed values in one message.

Each recognizer returns ``Span`` objects (kind, offsets, the exact text, and
the rule that matched). Recognizers run in priority order and a later match
that overlaps an earlier one is discarded, so an email is never also a URL and
a date is never also a phone number. Secret-bearing spans (PINs, passwords,
one-time codes, full card numbers) are marked ``withheld``: the record keeps
that they were given, never their value. Running them together over a message is
:mod:`.recognizer_set`; the recognizers that check what their regex found are in
:mod:`.typed_recognizers` (English) and :mod:`.lang_recognizers` (other languages).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import chain

from ..privacy.pii import luhn_ok
from ..taxonomy import RecognizerSpec
from .lowered_twins import lowered_twin
from .phrases import tokens

__all__ = ["STOPWORDS", "Recognizer", "Span", "is_placeholder", "luhn_ok", "stands_alone", "user_recognizers"]


@dataclass(slots=True)
class Span:
    """A recognized value inside one message's text."""

    kind: str
    start: int
    end: int
    value: str | None
    rule: str
    withheld: bool = False


_TRAILING = ".,;:!?)]}'\""

# Words that end a name or are never a value on their own.
STOPWORDS = frozenset(
    """a an and or but the my your our his her their its it it's is was are were be been am i i'm im me we
    you to of in on at for from with by as so if then than that this these those there here what which
    who whom when where why how please thanks thank thx ok okay yes yeah yep no nope not sure hi hello
    hey also just really very too still already again now today tomorrow yesterday account email order
    number id username user name zip code phone pin password address is's would like need want have has
    had do does did can could will shall should may might must help sorry trying looking calling writing
    contacting having getting going good great fine well new old first last full same other another""".split()
)


_PLACEHOLDERS = frozenset(
    """number num no id none null nil n/a na tbd tba unknown redacted placeholder hidden masked example sample
    value your order account xxx""".split()
)
_MASK_CHARS = "xX*#•_-"


def is_placeholder(value: str) -> bool:
    """A template slot or a masked value, not a real one: NUMBER, XXXX, ****1234, <order id>, N/A."""
    bare = value.strip(_TRAILING + "<>[]{}")
    if not bare or bare.lower() in _PLACEHOLDERS or value.startswith(("<", "[", "{")):
        return True
    if "x" not in bare and "X" not in bare and "*" not in bare and "#" not in bare and "•" not in bare:
        return False  # the common case: nothing masked
    masked = sum(map(bare.count, _MASK_CHARS))
    return masked >= 3 and masked * 2 >= len(bare) and not any(c.isdigit() for c in bare[:2])


def stands_alone(bounded: frozenset[str], text: str, words: Sequence[str]) -> bool:
    """Whether one of the ``bounded`` words (lower-case, of word characters) may stand in ``text``
    between non-word characters (``words``: ``phrases.tokens(text)``); always true on text that is
    not ASCII, where case folding and accents make tokens no exact guide.

    On ASCII text a token is a run of word characters, or several joined by apostrophes
    ("rock'n'roll"), so such a word is a token or a token's part after an apostrophe."""
    if not text.isascii() or not bounded.isdisjoint(words):
        return True
    return "'" in text and any(w.rpartition("'")[2] in bounded for w in words if "'" in w)


class Recognizer:
    """Finds spans of one kind with one regex (group ``value`` if present)."""

    def __init__(
        self,
        name: str,
        kind: str,
        pattern: str | re.Pattern[str],
        *,
        flags: int = re.IGNORECASE,
        needs: tuple[str, ...] = (),
        digit: bool = False,
        withheld: bool = False,
    ) -> None:
        self.name = name
        self.kind = kind
        self.regex = pattern if isinstance(pattern, re.Pattern) else re.compile(pattern, flags)
        self.prefilter(needs, digit=digit)
        self.withheld = withheld
        self.language: str | None = None
        """Run only in conversations in this language ("*": any but English; "en": English only);
        ``None``: always."""
        names = [g for g in ("value", "v2", "v3") if g in self.regex.groupindex]
        self._value_groups: tuple[str | int, ...] = tuple(names) or ((1,) if self.regex.groups else ())
        self._twin: re.Pattern[str] | bool | None = False  # not made yet

    def twin(self) -> re.Pattern[str] | None:
        """The regex's ``lowered_twin`` (made on first use): searched in lower-cased ASCII text."""
        if self._twin is False:
            self._twin = lowered_twin(self.regex)
        return self._twin  # type: ignore[return-value]

    def prefilter(
        self,
        needs: Sequence[str] = (),
        *,
        digit: bool = False,
        max_len: int | None = None,
        requires: str | None = None,
        words: Iterable[str] = (),
        bounded: Iterable[str] = (),
        starts: Iterable[str] = (),
        ascii_needs: Iterable[str] = (),
        pieces: tuple[int, int] | None = None,
        probe: str | None = None,
        accepts: str | None = None,
        accepts_unless: Iterable[str] = (),
        ends: Iterable[str] = (),
        token_run: tuple[int, bool] | None = None,
    ) -> None:
        """Skip this recognizer unless the text has one of ``needs`` (lower-cased
        substrings) or, with ``digit``, a digit; and is at most ``max_len`` long;
        and ``requires`` finds something in it (a cheap regex, run on the text as
        is, that every match of the recognizer's regex contains); and, when
        ``words`` are given, one of them is a word of the text (``phrases.tokens``,
        shared with the other passes: a set test, cheaper than a substring scan);
        and, when ``bounded`` words are given, one of them stands alone (``stands_alone``):
        for a regex every match of which holds one between non-word characters
        (``\\b(?:from|to)\\s``); ``starts``: lower-cased beginnings one of which every match's
        first word (a run of word characters) has, so on ASCII text the search starts at the first
        token (or part of one after an apostrophe) that begins with one (``\\b(?:order|account)``), or is
        one ending in "$" without it (``\\b(?:my|this)\\s``); ``ascii_needs``: lower-cased
        literals one of which every match holds, trusted on ASCII text only (where ignoring case
        equates no other character with an ASCII letter); ``pieces``: the fewest and most
        white-space-separated pieces a text it matches has (a whole-text pattern); ``probe``: a
        quick regex (no leading ``\\b``: Python's ``re`` then skips to its first characters) that
        matches, in ASCII text, wherever a match of the recognizer's regex begins: the regex is
        searched from the probe's first hit, or not at all without one; ``accepts``: a quick regex
        that, in ASCII text, finds something wherever a match is accepted (``accept``: an id needs
        a digit or capitals), unless one of ``accepts_unless`` (lower-cased literals) is in it;
        ``ends``: lower-cased runs of word characters one of which every match holds whole (between
        non-word characters: the last word of its label), so in ASCII text one of the tokens, or
        of their parts between apostrophes, is one of them; ``token_run``: ``(length, digit)``, every
        match holds a run of word characters that long (holding a digit, with ``digit``), so in
        ASCII text without a hyphen a token, or a part of one between apostrophes, is one."""
        self.needs = tuple(needs)
        self.digit = digit
        self.max_len = max_len
        self.words = frozenset(words) if words else None
        self.bounded = frozenset(bounded) if bounded else None
        self.starts = tuple(starts) or None
        self.ascii_needs = tuple(ascii_needs) or None
        self.pieces = pieces
        self.probe = re.compile(probe) if probe else None
        self.accepts = re.compile(accepts) if accepts else None
        self.accepts_unless = tuple(accepts_unless)
        self.ends = frozenset(ends) or None
        self.token_run = token_run
        self._needs_re = re.compile("|".join(map(re.escape, self.needs))) if self.needs else None
        self._requires_re = re.compile(requires) if requires else None

    def applies(self, text: str, lower: str, has_digit: bool, words: Sequence[str] | None = None) -> bool:
        """Cheap pre-check before running the regex (most messages fail it)."""
        if self.max_len is not None and len(text) > self.max_len:
            return False
        if self.pieces is not None and not self.pieces[0] <= len(text.split()) <= self.pieces[1]:
            return False
        if self.ascii_needs is not None and text.isascii() and not any(n in lower for n in self.ascii_needs):
            return False
        if self.probe is not None and text.isascii() and self.probe.search(text) is None:
            return False
        if self.words is not None and self.words.isdisjoint(tokens(text) if words is None else words):
            return False
        if self.bounded is not None and not stands_alone(
            self.bounded, text, tokens(text) if words is None else words
        ):
            return False
        if self._needs_re is None:
            found = has_digit or not self.digit
        else:
            found = (self.digit and has_digit) or self._needs_re.search(lower) is not None
        return found and (self._requires_re is None or self._requires_re.search(text) is not None)

    def value_span(self, match: re.Match[str]) -> tuple[int, int]:
        """The ``value`` group (or its alternative ``v2``), else group 1, else the match."""
        for group in self._value_groups:
            span = match.span(group)
            if span[0] >= 0:  # (-1, -1): the group did not take part
                return span
        return match.span()

    def accept(self, value: str, match: re.Match[str]) -> str | None:
        """The kind to record for ``value``, or ``None`` to reject the match."""
        return self.kind

    def matches(
        self, text: str, first: re.Match[str] | None = None, lower: str | None = None
    ) -> Iterator[re.Match[str]]:
        """``self.regex.finditer(text)``; ``first``: its first match when the caller already has it
        (``self.regex.search(text)``), so the scan goes on from its end instead of starting over
        (the same matches: a scan after a non-empty match resumes at its end). ``lower``:
        ``text.lower()``, in which the twin (``twin``) scans on, on ASCII text."""
        if first is None or first.end() == first.start():
            return self.regex.finditer(text)
        twin = self.twin() if lower is not None and text.isascii() else None
        if twin is None or lower is None:
            return chain((first,), self.regex.finditer(text, first.end()))
        return chain((first,), self._twin_matches(text, lower, twin, first.end()))

    def _twin_matches(
        self, text: str, lower: str, twin: re.Pattern[str], pos: int
    ) -> Iterator[re.Match[str]]:
        """``self.regex.finditer(text, pos)`` on ASCII text: the twin scans ``lower``, and where it
        found a match the regex matches, to give it in the text's case."""
        match = self.regex.match
        for hit in twin.finditer(lower, pos):
            found = match(text, hit.start())
            if found is not None:  # always: the twin finds what the regex finds (``lowered_twins``)
                yield found

    def find(self, text: str, lower: str, first: re.Match[str] | None = None) -> Iterable[Span]:
        """The spans in ``text`` (``lower``: ``text.lower()``; ``first``: see ``matches``)."""
        for match in self.matches(text, first, lower):
            start, end = self.value_span(match)
            while end > start and text[end - 1] in _TRAILING:
                end -= 1
            value = text[start:end]
            if not value.strip():
                continue
            kind = self.accept(value, match)
            if kind is not None:
                yield Span(kind, start, end, value, self.name, self.withheld)


def user_recognizers(specs: Sequence[RecognizerSpec]) -> list[Recognizer]:
    """Recognizers from a taxonomy or rules file (``kind`` + regex)."""
    return [
        Recognizer(
            f"user.{spec.kind}", spec.kind, spec.pattern, flags=re.IGNORECASE if spec.ignore_case else 0
        )
        for spec in specs
    ]
