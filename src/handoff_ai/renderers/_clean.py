"""Cleaning values for display: one line, no control or bidi-override characters, bounded.

Used by every note format (:mod:`._note`) and the notebook view. The JSON rendering
keeps the exact values; only what a human reads is cleaned.
"""

from __future__ import annotations

import unicodedata

__all__ = ["MAX_VALUE_CHARS", "clean", "has_rtl", "humanize", "percent"]

MAX_VALUE_CHARS = 500
"""Longest value shown in a note; the rest is replaced by ``… [+N chars]``."""

# Embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069) can reorder
# what the agent sees; dropped. LRM/RLM marks are harmless and kept.
_BIDI_CONTROLS = frozenset(chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A)))
_RTL_CLASSES = frozenset({"R", "AL"})
_WORDS = {
    "i": "I",
    "id": "ID",
    "ids": "IDs",
    "ai": "AI",
    "url": "URL",
    "iban": "IBAN",
    "otp": "OTP",
    "pin": "PIN",
    "cvv": "CVV",
    "ip": "IP",
    "sku": "SKU",
    "vat": "VAT",
    "imei": "IMEI",
    "sms": "SMS",
    "2fa": "2FA",
}


def clean(value: str, *, limit: int = MAX_VALUE_CHARS) -> str:
    """Make a value safe to lay out on one line.

    Drops control characters (category ``Cc``, other than whitespace) and bidi
    embedding/override/isolate characters, collapses every whitespace run to
    one space, and cuts the result at ``limit`` characters with a marker that
    says how much was left out.
    """
    kept = "".join(
        " " if ch.isspace() else ch
        for ch in value
        if ch not in _BIDI_CONTROLS and (ch.isspace() or unicodedata.category(ch) != "Cc")
    )
    text = " ".join(kept.split())
    if len(text) > limit:
        return f"{text[:limit].rstrip()}… [+{len(text) - limit:,} chars]"
    return text


def has_rtl(text: str) -> bool:
    """True when ``text`` holds a right-to-left letter (Arabic, Hebrew, ...)."""
    return any(unicodedata.bidirectional(ch) in _RTL_CLASSES for ch in text)


def humanize(name: str, *, capitalize: bool = False) -> str:
    """``order_id`` → ``order ID``; ``as_i_said`` → ``as I said``."""
    words = [_WORDS.get(w.lower(), w) for w in clean(name).replace("_", " ").replace("-", " ").split()]
    text = " ".join(words)
    if capitalize and text and text[0].islower():
        text = text[0].upper() + text[1:]
    return text


def percent(value: float) -> str:
    return f"{round(value * 100)}%"
