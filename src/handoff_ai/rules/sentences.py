"""Sentences of a message: the unit a quoted action or blocker is cut to.

A sentence ends at ``.``, ``!``, ``?`` or a newline, except a dot inside a
number ("the 18.50 train", "version 7.0.0") or after a short title or
abbreviation ("Dr. Johnson", "e.g."), which would cut a quote in half.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

__all__ = ["MAX_DESCRIPTION", "first_sentence", "sentence_at", "sentence_spans", "shorten"]

MAX_DESCRIPTION = 160

_ABBREVIATIONS = frozenset("dr mr mrs ms st jr sr vs approx nr e i e.g i.e a p a.m p.m".split())
_PIECE = re.compile(r"[^.!?\n]+(?:[.!?]+|\n|$)")
_LAST_WORD = re.compile(r"(\w+(?:\.\w+)*)\.$")


def _continues(text: str, start: int, end: int) -> bool:
    """A piece ending in a lone ``.`` that is not a sentence end: ``18.|50``, ``Dr.| Johnson``."""
    if text[end - 1] != "." or end >= len(text) or (end - start > 1 and text[end - 2] in ".!?"):
        return False
    if text[end - 2 : end - 1].isdigit() and text[end].isdigit():
        return True
    word = _LAST_WORD.search(text, max(start, end - 12), end)
    return word is not None and word.group(1).lower() in _ABBREVIATIONS


_GREETING_ONLY = re.compile(
    r"^\s*(?:hi|hello|hey|hiya|good\s+(?:morning|afternoon|evening|day)|greetings|ok(?:ay)?|yes|no|thanks?|"
    r"thank\s+you|sure|hola|bonjour|hallo)(?:\s+(?:there|team|all|guys|folks))?[\s!.,]*$",
    re.IGNORECASE,
)


def shorten(text: str, limit: int = MAX_DESCRIPTION) -> str:
    """White space collapsed; cut with ``…`` past ``limit`` characters."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def sentence_spans(text: str) -> Iterator[tuple[int, int]]:
    """``(start, end)`` of each non-blank sentence, in order."""
    opened: int | None = None  # start of a sentence carried over a "Dr." or "18.50"
    for match in _PIECE.finditer(text):
        start, end = match.span()
        if opened is not None:
            start, opened = opened, None
        if _continues(text, start, end):
            opened = start
            continue
        if text[start:end].strip():
            yield start, end
    if opened is not None and text[opened:].strip():
        yield opened, len(text)


def sentence_at(text: str, position: int) -> str:
    """The sentence of ``text`` that contains ``position``, trimmed."""
    for start, end in sentence_spans(text):
        if start <= position < end:
            return shorten(text[start:end].strip())
    return shorten(text)


def first_sentence(text: str) -> str:
    """The first sentence that says something (a lone "Hi!" is skipped)."""
    first: str | None = None
    for start, end in sentence_spans(text):
        sentence = text[start:end].strip()
        if first is None:
            first = sentence
        if not _GREETING_ONLY.match(sentence):
            return shorten(sentence)
    return shorten(first if first is not None else text)
