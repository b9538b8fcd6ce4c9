"""How text becomes intent terms: tokens, durations and example transcripts.

Split from :mod:`handoff_ai.rules._intent_index` because the same reading serves both
sides of the model: compiling a taxonomy's examples (``_intent_build``) and scoring a
conversation (``intent``, ``_intent_index.score``) must turn text into exactly the same
terms. Tokens are ``_text.words`` (lower-cased, stemmed, numbers as ``"0"``), read
through a byte table for ASCII text; a duration keeps its number (``with_durations``);
an example written as a transcript splits into the three feature spaces.
"""

from __future__ import annotations

from itertools import pairwise

from ._text import _STEMS, _TABLE, words

__all__ = [
    "AGENT",
    "CUSTOMER",
    "EVENT",
    "Term",
    "example_groups",
    "intent_words",
    "split_example",
    "texts_tokens",
    "tokens_of",
    "with_durations",
]

Term = str | tuple[str, str]

CUSTOMER, AGENT, EVENT = 0, 1, 2
"""The feature spaces: what the customer says, what agents and bots say, logged events."""
_EXAMPLE_ROLES = {
    "customer": CUSTOMER,
    "user": CUSTOMER,
    "agent": AGENT,
    "bot": AGENT,
    "assistant": AGENT,
    "system": EVENT,
    "action": EVENT,
    "event": EVENT,
}


_SEPARATOR = "\x00"
"""Joins texts tokenized in one pass (``texts_tokens``)."""


def _ascii_tables() -> tuple[bytes, bytes, bytes]:
    """``str.lower`` then ``_TABLE`` on ASCII, as one ``bytes.translate`` table and its deletions;
    and the deletions that keep ``_SEPARATOR``.

    Control characters that ``str.split`` does not split on are deleted too: ``stem`` drops
    them anyway ("ab\\x01c" and "abc" have one stem), so no token of ASCII text stems to an
    empty string.
    """
    table = bytearray(range(256))
    delete = bytearray()
    for code in range(128):
        char = chr(code)
        lowered = char.lower()
        mapped = _TABLE.get(ord(lowered), lowered)
        if mapped is None or (not char.isprintable() and not char.isspace()):
            delete.append(code)
        else:
            table[code] = mapped if isinstance(mapped, int) else ord(mapped)
    return bytes(table), bytes(delete), bytes(delete).replace(_SEPARATOR.encode(), b"")


_ASCII_TABLE, _ASCII_DELETE, _ASCII_DELETE_JOINED = _ascii_tables()


def tokens_of(text: str) -> list[str]:
    """``words(text)``: ASCII text (nearly all of it) is lower-cased and split on bytes, one
    C pass instead of ``str.lower`` and a ``str.translate`` by dictionary (half the time)."""
    if not text.isascii():
        return words(text)
    blanked = text.encode().translate(_ASCII_TABLE, _ASCII_DELETE).decode()
    return list(map(_STEMS.__getitem__, blanked.split()))


def texts_tokens(texts: list[str]) -> list[list[str]]:
    """``[tokens_of(text) for text in texts]``: ASCII texts are joined and put through the byte
    table at once, then split per text (a conversation's customer messages cost one pass)."""
    joined = _SEPARATOR.join(texts)
    if not joined.isascii() or joined.count(_SEPARATOR) != len(texts) - 1:
        return list(map(tokens_of, texts))
    stems = _STEMS.__getitem__
    blanked = joined.encode().translate(_ASCII_TABLE, _ASCII_DELETE_JOINED).decode()
    return [list(map(stems, part.split())) for part in blanked.split(_SEPARATOR)]


# Durations keep their number: "2 days ago" and "8 days ago" are different cases
# (a promo code still valid or expired, a parcel late or lost), while other
# numbers -- ids, amounts, phone numbers -- stay the single token "0".
_UNITS = frozenset(words("minute minutes hour hours day days week weeks month months year years"))
_LONGEST_KEPT = 2  # digits


def intent_words(text: str) -> list[str]:
    """``words(text)``, except that a number of at most two digits followed by a unit
    of time stays itself (``"n8"``, then ``"day"``) instead of becoming ``"0"``."""
    tokens = tokens_of(text)
    return with_durations(text, tokens) if "0" in tokens else tokens


def with_durations(text: str, tokens: list[str]) -> list[str]:
    """``tokens`` (``words(text)``) with the numbers of durations restored (see ``intent_words``)."""
    if _UNITS.isdisjoint(tokens):
        return tokens
    raw = text.lower().translate(_TABLE).split()
    if len(raw) != len(tokens):  # a token vanished in stemming: positions do not align
        return tokens
    for i, (token, following) in enumerate(pairwise(tokens)):
        if token == "0" and following in _UNITS:
            number = raw[i]
            if number.isdigit() and len(number) <= _LONGEST_KEPT:
                tokens[i] = f"n{int(number)}"
    return tokens


def example_groups(example: str) -> tuple[list[list[str]], list[str], list[str]]:
    """An example as the (customer token lists, agent texts, event texts) ``score`` takes."""
    customer: list[list[str]] = []
    agent: list[str] = []
    event: list[str] = []
    for space, text in split_example(example):
        if space == CUSTOMER:
            tokens = intent_words(text)
            if tokens:
                customer.append(tokens)
        elif text:
            (agent if space == AGENT else event).append(text)
    return customer, agent, event


def split_example(example: str) -> list[tuple[int, str]]:
    """An example as ``(space, text)`` parts.

    A plain utterance is one customer part. A transcript -- lines starting with
    ``customer:``, ``agent:``, ``bot:``, ``system:`` (or ``user:``,
    ``assistant:``, ``action:``) -- gives one part per line; lines without a
    role continue the previous one.
    """
    parts: list[tuple[int, str]] = []
    transcript = False
    for line in example.splitlines():
        head, sep, rest = line.partition(":")
        space = _EXAMPLE_ROLES.get(head.strip().lower()) if sep else None
        if space is not None:
            transcript = True
            parts.append((space, rest.strip()))
        elif parts:
            parts[-1] = (parts[-1][0], f"{parts[-1][1]}\n{line}")
        else:
            parts.append((CUSTOMER, line))
    if not transcript:
        return [(CUSTOMER, example)]
    return parts
