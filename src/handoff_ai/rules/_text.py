"""Tokenizing and light normalization shared by the rules recognizers.

Deliberately small and fast: a regular-expression tokenizer over lowercased
text, a memoized suffix-stripping stemmer (enough to make ``charged`` meet
``charge`` and ``packages`` meet ``package``), and a short English stopword
list. Everything is deterministic and works on any Unicode text: words in
other scripts are kept as they are, emoji and punctuation are dropped.
"""

from __future__ import annotations

import re
import string

from .phrases import fold

__all__ = ["STOPWORDS", "stem", "unescape_entities", "words"]

_DIGIT = re.compile(r"\d")

_ENTITIES = {
    "&amp;": "&", "&lt;": "<", "&gt;": ">", "&quot;": '"', "&#39;": "'", "&#x27;": "'", "&apos;": "'"
}  # fmt: skip
_ENTITY = re.compile("|".join(_ENTITIES))


def unescape_entities(text: str) -> str:
    """``text`` with the HTML entities some exports write for ``& < > " '`` as those characters.

    Twitter's API (and so TweetSumm) escapes every tweet: a note quoting one must read
    "AT&T", not "AT&amp;T". One level only ("&amp;gt;" becomes "&gt;"), and only these
    five characters, so no other text changes.
    """
    return _ENTITY.sub(lambda found: _ENTITIES[found.group()], text) if "&" in text else text


_STOPWORDS = """a an the and or but if so as of at by for from in into on onto to with without about
    i me my mine myself we us our ours you your yours he him his she her hers it its they them their
    this that these those there here is am are was were be been being do does did doing have has had
    having will would shall should can could may might must just also too very really please pls
    hi hello hey ok okay yes yeah no not dont thanks thank than then what which who whom when where
    why how all any some one im ive id ill its thats whats get got go going want wanted need like
    would know let able sure well oh uh um"""
STOPWORDS: frozenset[str] = frozenset(_STOPWORDS.split())
"""Function words that never signal an intent on their own (they still form bigrams)."""


# Punctuation becomes a space and apostrophes vanish ("don't" -> "dont"); str.translate
# with an ASCII table and str.split are several times faster than a regex tokenizer.
_PUNCTUATION = (
    string.punctuation.replace("'", "")
    + "\u00a1\u00ab\u00b7\u00bb\u00bf\u2010\u2011\u2012\u2013\u2014\u2022\u2026"
    + "\u201c\u201d\u3001\u3002\uff0c\uff01\uff1f"
)
_TABLE = str.maketrans({**{c: " " for c in _PUNCTUATION}, "'": None, "\u2019": None, "\u2018": None})
_NON_WORD = re.compile(r"[\W_]+")
_MEMO_LIMIT = 200_000


class _Stems(dict[str, str]):
    """Token -> stem, filled on first sight (``dict.__getitem__`` stays in C on hits)."""

    def __missing__(self, token: str) -> str:
        if len(self) >= _MEMO_LIMIT:
            self.clear()
        value = self[token] = stem(fold(token))  # "devolución" meets "devolucion"
        return value


_STEMS = _Stems()


def words(text: str) -> list[str]:
    """Lowercased, stemmed word tokens of ``text`` (punctuation and emoji dropped)."""
    tokens = list(map(_STEMS.__getitem__, text.lower().translate(_TABLE).split()))
    if "" in tokens:
        tokens = [t for t in tokens if t]
    return tokens


def stem(word: str) -> str:
    """A light, deterministic English stem; any token with a digit becomes ``0``.

    Numbers (order ids, amounts, dates) carry no intent, but the fact that one
    was given does, so they collapse to a single token. Only a few common
    inflections are stripped; unknown scripts pass through unchanged.
    """
    if not word.isalnum():
        word = _NON_WORD.sub("", word)
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


# Stopwords are matched after stemming ("there" -> "ther"), so their stems are stopwords too.
STOPWORDS = STOPWORDS | frozenset(stem(word) for word in STOPWORDS)
