"""Masking secrets in free text.

Facts never carry a secret's value, but free text quoted from the conversation
(a summary, an action, a blocker) could. Every backend passes such text through
``scrubber(secrets)`` before it reaches a record: the customer's withheld values
become ``[withheld]`` and Luhn-valid card numbers ``[card ending 1234]``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from .pii import luhn_ok

__all__ = ["Scrub", "scrubber"]

Scrub = Callable[[str], str]
_LONG_DIGITS = re.compile(r"\d(?:[ -]?\d){12,18}")


def _mask_card(match: re.Match[str]) -> str:
    digits = re.sub(r"\D", "", match.group())
    return f"[card ending {digits[-4:]}]" if luhn_ok(digits) else match.group()


def _pattern(secret: str) -> str:
    """A secret's regex; a code of digits also as typed in groups ("482913" as "482 913", "48-29-13")."""
    if secret.isdigit() and len(secret) >= 4:
        return r"[ \-]?".join(secret)
    return re.escape(secret)


def scrubber(secrets: Iterable[str]) -> Scrub:
    """A function masking ``secrets`` (normalized values) and full card numbers in text."""
    patterns = [_pattern(s) for s in sorted({s for s in secrets if s}, key=len, reverse=True)]
    secret_re = re.compile(rf"(?<!\w)(?:{'|'.join(patterns)})(?!\w)", re.IGNORECASE) if patterns else None

    def scrub(text: str) -> str:
        if secret_re is not None:
            text = secret_re.sub("[withheld]", text)
        if _LONG_DIGITS.search(text):
            text = _LONG_DIGITS.sub(_mask_card, text)
        return text

    return scrub
