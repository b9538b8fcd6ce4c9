"""Phrase lookup by words: every cue list checked in one pass over a message.

Cue lists (``rules.toml``) are plain phrases. Instead of one regex per list per
message, all phrases go into one index keyed by their first word; a message is
tokenized once and each token is a dictionary lookup. A phrase matches where
its words appear consecutively — the same as a word-bounded, case-insensitive
regex of the phrase — and every label whose phrase matches is reported with
the token index of its first match.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from itertools import compress
from typing import Any

__all__ = ["PhraseIndex", "any_literal", "char_offset", "fold", "tokens"]

_TOKEN = re.compile(r"\w+(?:'\w+)*")


def any_literal(literals: Iterable[str]) -> re.Pattern[str]:
    """A regex whose ``search`` finds whether ``text`` holds any of ``literals`` (not which one).

    Written as a trie ("ur(?:gen|l)" rather than "urgen|url"): Python's ``re`` tries a flat
    alternation's branches one by one at every position, a trie's first letters once, which
    makes a 90-word check about twice as fast. A literal that starts with another is dropped
    (text holding "urgency" holds "urgen"). No literals: a regex that never matches.
    """
    kept: list[str] = []
    for literal in sorted(set(literals)):
        if literal and not (kept and literal.startswith(kept[-1])):
            kept.append(literal)
    if not kept:
        return re.compile("(?!)")
    trie: dict[str, Any] = {}
    for literal in kept:
        node = trie
        for char in literal:
            node = node.setdefault(char, {})

    def render(node: dict[str, Any]) -> str:
        branches = [re.escape(char) + render(child) for char, child in node.items()]
        if len(branches) <= 1:
            return "".join(branches)
        return "(?:" + "|".join(branches) + ")"

    return re.compile(render(trie))


def fold(text: str) -> str:
    """``text`` without accents ("pásame" → "pasame"): combining marks dropped, then recomposed.

    Only marks go, so words keep their boundaries and count: a phrase found in the folded
    text is at the same token index in the original.
    """
    if text.isascii():
        return text
    decomposed = unicodedata.normalize("NFD", text)
    if len(decomposed) == len(text):
        return text
    return unicodedata.normalize("NFC", "".join(c for c in decomposed if not unicodedata.combining(c)))


_ASCII_WORD = frozenset(b"abcdefghijklmnopqrstuvwxyz0123456789_")
_ASCII_SPACES = bytes(code if code in _ASCII_WORD else 32 for code in range(256))
"""Every byte but a lower-case ``\\w`` one becomes a space: what ``_TOKEN`` splits on in lower-case
ASCII text without an apostrophe."""


def tokens(text: str) -> list[str]:
    """Lower-cased, accent-folded word tokens (apostrophes kept: ``can't``; curly quotes folded)."""
    lowered = text.lower()
    if not lowered.isascii():
        lowered = fold(lowered.replace("’", "'"))
    elif "'" not in lowered:  # most chat lines: a byte table and a split, half the regex's cost
        return lowered.encode().translate(_ASCII_SPACES).decode().split()
    return _TOKEN.findall(lowered)


def char_offset(text: str, token_index: int) -> int:
    """Where in ``text`` the ``token_index``-th token starts (0 if out of range)."""
    for index, match in enumerate(_TOKEN.finditer(text)):
        if index == token_index:
            return match.start()
    return 0


class PhraseIndex:
    """Labelled phrases, matched token by token."""

    def __init__(self, labelled: Mapping[str, Iterable[str]]) -> None:
        # First word -> (labels of one-word phrases, second word -> [(rest, label)]), in
        # registration order: a common first word ("i") costs one lookup, not one test per phrase.
        heads: dict[str, tuple[list[str], dict[str, list[tuple[tuple[str, ...], str]]]]] = {}
        for label, phrases in labelled.items():
            for phrase in phrases:
                words = tuple(tokens(phrase))
                if not words:
                    continue
                singles, pairs = heads.setdefault(words[0], ([], {}))
                if len(words) == 1:
                    singles.append(label)
                else:
                    pairs.setdefault(words[1], []).append((words[2:], label))
        # Kept as tuples: a compiled rule set holds thousands of these for the life of the
        # process, and tuples of strings drop out of the garbage collector's scans (lists never do).
        self._heads: dict[str, tuple[tuple[str, ...], dict[str, tuple[tuple[tuple[str, ...], str], ...]]]] = {
            head: (tuple(singles), {second: tuple(group) for second, group in pairs.items()})
            for head, (singles, pairs) in heads.items()
        }
        self.heads = frozenset(heads)
        """The first word of every phrase: a text whose words hold none of these matches nothing."""
        self.labels = tuple(labelled)
        self._parts: dict[tuple[str, ...], PhraseIndex] = {}

    def phrase_words(self) -> Iterator[tuple[str, tuple[str, ...]]]:
        """``(label, the phrase's tokens)`` of every phrase, grouped by first word: for a reader
        that picks its own key words per list (signals: one rare word of each phrase)."""
        for head, (singles, pairs) in self._heads.items():
            for label in singles:
                yield label, (head,)
            for second, group in pairs.items():
                for rest, label in group:
                    yield label, (head, second, *rest)

    def part(self, labels: tuple[str, ...]) -> PhraseIndex:
        """The phrases of ``labels`` alone, in an index of their own (built once): a label's
        first match is the same in it as here, and a text is scanned for far fewer first words
        (for a reader that needs a few labels of a big index)."""
        part = self._parts.get(labels)
        if part is None:
            wanted: dict[str, list[str]] = {label: [] for label in labels}
            for label, words in self.phrase_words():
                if label in wanted:
                    wanted[label].append(" ".join(words))
            part = self._parts[labels] = PhraseIndex(wanted)
        return part

    def scan(self, words: Sequence[str]) -> dict[str, int]:
        """``{label: token index of its first match}`` for every label found."""
        found: dict[str, int] = {}
        heads = self._heads
        count = len(words)
        for index in compress(range(count), map(heads.__contains__, words)):
            singles, pairs = heads[words[index]]
            for label in singles:
                if label not in found:
                    found[label] = index
            if not pairs or index + 1 == count:
                continue
            group = pairs.get(words[index + 1])
            if group is None:
                continue
            for rest, label in group:
                if label in found:
                    continue
                if not rest:
                    found[label] = index
                    continue
                end = index + 2 + len(rest)
                if end <= count and tuple(words[index + 2 : end]) == rest:
                    found[label] = index
        return found


class _Memo(dict[str, Any]):
    """Text -> a value made from it on first sight: a hit is one C-level dict lookup.

    Keyed by the text itself (a string caches its hash), so equal texts share one entry.
    """

    __slots__ = ("_make",)

    def __init__(self, make: Callable[[str], Any]) -> None:
        super().__init__()
        self._make = make

    def __missing__(self, text: str) -> Any:
        value = self[text] = self._make(text)
        return value


class CueReader:
    """Cue lookups for one conversation: each message is tokenized and scanned once.

    ``words(text)`` is ``tokens(text)`` and ``labels(text)`` is ``{cue list: token index}``,
    both memoized per text: the stages ask for the same messages a hundred times a
    conversation, so each call is a bound ``dict.__getitem__``, not a Python method.
    """

    words: Callable[[str], list[str]]
    labels: Callable[[str], dict[str, int]]
    dialogue: Any
    """The conversation's dialogue reader (``dialogue_data.dialogue_reader``), built on first use."""

    def __init__(self, index: PhraseIndex) -> None:
        self._index = index
        self.dialogue = None
        words = _Memo(tokens)
        self.words = words.__getitem__
        self.labels = _Memo(lambda text: index.scan(words[text])).__getitem__

    def fresh(self, text: str) -> dict[str, int]:
        """``labels(text)`` without the memo: for a temporary string (a sentence cut from a message)."""
        return self._index.scan(tokens(text))

    def has(self, label: str, text: str) -> bool:
        return label in self.labels(text)

    def find(self, label: str, text: str) -> int | None:
        """Character offset of the first phrase of ``label`` in ``text``, or ``None``."""
        index = self.labels(text).get(label)
        return None if index is None else char_offset(text.lower().replace("’", "'"), index)


def scan_longest(index: PhraseIndex, words: Sequence[str]) -> list[tuple[int, str]]:
    """Leftmost-longest, non-overlapping matches as ``(token index, label)``.

    At one position the longest phrase wins and consumes its words, so
    "user name" is one match (not also "name") and "email address" is not
    also "address". Equal lengths go to the label registered first.
    """
    matches: list[tuple[int, str]] = []
    heads = index._heads
    count = len(words)
    done = 0  # words before this are consumed by a match
    for position in compress(range(count), map(heads.__contains__, words)):
        if position < done:
            continue
        singles, pairs = heads[words[position]]
        best_end, best = (position + 1, singles[0]) if singles else (0, None)
        group = pairs.get(words[position + 1]) if pairs and position + 1 < count else None
        for rest, label in group or ():
            end = position + 2 + len(rest)
            if end > best_end and end <= count and (not rest or tuple(words[position + 2 : end]) == rest):
                best_end, best = end, label
        if best is not None:
            matches.append((position, best))
            done = best_end
    return matches
