"""Tokenizing and light normalization shared by the rules recognizers.

Deliberately small and fast: a regular-expression tokenizer over lowercased
text, a memoized suffix-stripping stemmer (enough to make ``charged`` meet
``charge`` and ``packages`` meet ``package``), and a short English stopword
list. Everything is deterministic and works on any Unicode text: words in
other scripts are kept as they are, emoji and punctuation are dropped.
"""

from __future__ import annotations

import re
from functools import lru_cache

__all__ = ["STOPWORDS", "stem", "terms", "words"]

_WORD = re.compile(r"\w+")
_DIGIT = re.compile(r"\d")

STOPWORDS: frozenset[str] = frozenset(
    """a an the and or but if so as of at by for from in into on onto to with without about
    i me my mine myself we us our ours you your yours he him his she her hers it its they them their
    this that these those there here is am are was were be been being do does did doing have has had
    having will would shall should can could may might must just also too very really please pls
    hi hello hey ok okay yes yeah no not dont thanks thank than then what which who whom when where
    why how all any some one im ive id ill its thats whats get got go going want wanted need like
    would know let able sure well oh uh um""".split()
)
"""Function words that never signal an intent on their own (they still form bigrams)."""


def words(text: str) -> list[str]:
    """Lowercased word tokens of ``text``, apostrophes removed, then stemmed."""
    return list(map(stem, _WORD.findall(text.lower().replace("'", "").replace("\u2019", ""))))


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """A light, deterministic English stem; any token with a digit becomes ``0``.

    Numbers (order ids, amounts, dates) carry no intent, but the fact that one
    was given does, so they collapse to a single token. Only a few common
    inflections are stripped; unknown scripts pass through unchanged.
    """
    if _DIGIT.search(word):
        return "0"
    n = len(word)
    if n <= 3 or not word.isascii():
        return word
    if word.endswith("ies") and n > 4:
        return word[:-3] + "y"
    if word.endswith("sses"):
        return word[:-2]
    if word.endswith("ing") and n > 5:
        return _undouble(word[:-3])
    if word.endswith("ed") and n > 4:
        base = word[:-2]
        return base[:-1] if base.endswith("e") and not base.endswith("ee") else _undouble(base)
    if word.endswith("es") and n > 4 and word[-3] in "sxzh":
        return word[:-2]
    if word.endswith("s") and not word.endswith(("ss", "us", "is")):
        word = word[:-1]
    if word.endswith("e") and len(word) > 4 and not word.endswith("ee"):
        return word[:-1]
    return word


def _undouble(base: str) -> str:
    if len(base) > 2 and base[-1] == base[-2] and base[-1] not in "lsz":
        return base[:-1]
    return base


def terms(tokens: list[str]) -> list[str | tuple[str, str]]:
    """Unigrams (stopwords left out) and all adjacent bigrams of ``tokens``."""
    out: list[str | tuple[str, str]] = [t for t in tokens if t not in STOPWORDS]
    out.extend(zip(tokens, tokens[1:]))
    return out
