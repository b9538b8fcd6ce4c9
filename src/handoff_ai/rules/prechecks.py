"""Exact pre-checks that skip a costly regex when it cannot match.

A case-insensitive regex with look-behinds (``(?<!zip\\s)code``) costs
microseconds per message even when nothing matches, and most messages match
nothing. When every match must contain one of a few literal words, a
substring test on the lower-cased text rules the regex out first. The test is
only trusted for ASCII text (``str.isascii`` is O(1)): there a
case-insensitive match of an ASCII literal is exactly a substring of the
lower-cased text. Other text always goes to the regex, since Unicode case
folding lets ``ſ`` match ``s`` and the Kelvin sign match ``k``.
"""

from __future__ import annotations

import re

from .phrases import any_literal

__all__ = ["GuardedPattern"]


class GuardedPattern:
    """A compiled regex behind a literal-word pre-check; ``search`` as on ``re.Pattern``.

    Args:
        regex: the pattern.
        words: space-separated literals, one of which (ignoring case) is in
            every match of ``regex``.
    """

    __slots__ = ("_any_word", "_words", "regex")

    def __init__(self, regex: re.Pattern[str], words: str) -> None:
        self.regex = regex
        self._words = tuple(words.lower().split())
        # One scan for any of the literals: faster than a substring test per literal.
        self._any_word = any_literal(self._words)  # one scan for all (none: never matches)

    def may_match(self, text: str) -> bool:
        """False only when no match is possible."""
        if not text.isascii():
            return True
        return self._any_word.search(text.lower()) is not None

    def may_match_lowered(self, lowered: str) -> bool:
        """``may_match`` for ASCII text already lower-cased by the caller."""
        return self._any_word.search(lowered) is not None

    def search(self, text: str) -> re.Match[str] | None:
        return self.regex.search(text) if self.may_match(text) else None
