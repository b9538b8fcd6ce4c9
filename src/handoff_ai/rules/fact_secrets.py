"""Customer values withheld as secrets from their context, not their shape.

A bare number is an id by its shape, but typed right after "what's your PIN?", or in a turn
that names a code or password, it is most likely the secret: it is withheld (kept as given,
never its value). This module reads whether a turn names a secret (a literal pre-check from
the tokens before the regex) and withholds such values; the proper nouns of a reply to a
security question are its answer.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from .fact_answers import GENERIC_KINDS
from .prechecks import GuardedPattern
from .recognizers import Span

_SECRET_LITERALS = ("pin", "pass", "code", "secur")


_SECRET_WORD = GuardedPattern(
    re.compile(
        r"\b(?:pin|password|passcode|(?<!zip\s)(?<!promo\s)(?<!error\s)(?<!postal\s)(?<!area\s)(?<!discount\s)"
        r"(?<!coupon\s)(?<!country\s)(?<!tracking\s)(?<!status\s)code|security\s+answer)\b",
        re.IGNORECASE,
    ),
    " ".join(_SECRET_LITERALS),
)


_MEMO_LIMIT = 100_000


class _SecretLiteral(dict[str, bool]):
    """Token -> whether it holds one of ``_SECRET_WORD``'s literals, filled on first sight."""

    def __missing__(self, token: str) -> bool:
        if len(self) >= _MEMO_LIMIT:
            self.clear()
        value = self[token] = any(literal in token for literal in _SECRET_LITERALS)
        return value


_SECRET_TOKEN = _SecretLiteral()


def _names_secret(text: str, words: Sequence[str]) -> bool:
    """``_SECRET_WORD.search(text) is not None`` (``words``: ``tokens(text)``), its literal pre-check
    read from the tokens: on ASCII text a literal of word characters is in the lower-cased text
    exactly when it is inside one of its tokens."""
    if text.isascii() and not any(map(_SECRET_TOKEN.__getitem__, words)):
        return False
    return _SECRET_WORD.regex.search(text) is not None  # other text: the regex decides, as there


_BARE_TOKEN = re.compile(r"\s*[A-Za-z]*\d[\w-]*[.!]?\s*")


_PROPER_NOUN = re.compile(r"(?<![.!?]\s)(?<!^)\b[A-Z][a-z'’-]+\b")


def _proper_nouns(text: str) -> list[Span]:
    """Capitalised words that do not start a sentence, as withheld security answers."""
    return [
        Span("security_answer", m.start(), m.end(), m.group(), "answer.security_answer", withheld=True)
        for m in _PROPER_NOUN.finditer(text)
        if m.group() not in ("I", "I'm", "I've", "I'll", "I'd")
    ]


def _protect_secrets(
    text: str, words: Sequence[str], spans: list[Span], outstanding: str | None, prompted: Callable[[], bool]
) -> None:
    """Withhold bare numbers that are most likely a secret.

    A digit run in a message that talks about a PIN/password/code, or a message
    that is nothing but a number while a secret is still outstanding, is taken
    as the secret rather than recorded as an id. ``prompted``: whether the prompt (or the turn's
    language's secret words) named a secret, asked only when a span could be withheld.
    """
    bare = outstanding is not None and _BARE_TOKEN.fullmatch(text) is not None
    if not bare and not any(
        s.kind in GENERIC_KINDS and not s.withheld and any(c.isdigit() for c in s.value or "") for s in spans
    ):
        return  # nothing to withhold: whether the turn or its prompt names a secret does not matter
    if not bare and not prompted() and not _names_secret(text, words):
        return
    for span in spans:
        if span.kind in GENERIC_KINDS and not span.withheld and any(c.isdigit() for c in span.value or ""):
            span.kind, span.withheld, span.rule = outstanding or "code", True, "secret.context"
    if bare and not spans:
        stripped = text.strip()
        start = text.find(stripped)
        spans.append(
            Span(outstanding or "code", start, start + len(stripped), stripped, "secret.context", True)
        )
