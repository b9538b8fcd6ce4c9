"""Lowered twins (``rules.lowered_twins``) find what their case-ignoring regex finds, on ASCII text."""

from __future__ import annotations

import random
import re

import pytest

from handoff_ai.rules.catalog import default_recognizers
from handoff_ai.rules.lowered_twins import lowered_twin

_PIECES = (
    "my name is", "I'm", "im", "this is", "Call me", "order", "Order ID", "account number", "acct", "#", ":",
    "zip", "Postal Code", "is", "was", "the", "code", "PIN", "password", "pass", "Security Answer", "OTP",
    "Gold", "member", "Tier", "level", "$", "USD", "dollars", "eur", "Jan", "March", "1st", "22nd", "of",
    "Monday", "tuesday", "at", "5pm", "12:30", "A.M.", "noon", "ID", "ab12CD34", "12345", "555-123-4567",
    "(555)", "+44", "2024-03-01", "3/4/2024", "v2.3.1", "version", "app", "iPhone 13 Pro", "Android 14",
    "error", "E-404", "room", "reading", "domain", "example.com", "www.", "https://x.org/a",
    "bob@mail.example", "login", "bob", "/", "Summer2024!", "ending in", "4242", "last four", "tenant",
    "acme-prod", "from", "To", "airport", "Main", "St", "and", "-", "_", "'", ".", ",", "!", "?", "\n",
)  # fmt: skip


def _texts(seed: int, count: int) -> list[str]:
    rng = random.Random(seed)
    out = []
    for _ in range(count):
        words = [rng.choice(_PIECES) for _ in range(rng.randint(1, 12))]
        words = [w.upper() if rng.random() < 0.1 else w for w in words]
        out.append("".join(w + rng.choice(("", " ", " ", "  ")) for w in words))
    return out


_TWINNED = [r for r in default_recognizers() if lowered_twin(r.regex) is not None]


def test_most_case_ignoring_recognizers_have_a_twin() -> None:
    assert len(_TWINNED) >= 30


@pytest.mark.parametrize("recognizer", _TWINNED, ids=lambda r: r.name)
def test_twin_finds_the_same_matches(recognizer) -> None:
    twin = lowered_twin(recognizer.regex)
    assert twin is not None
    for text in _texts(hash(recognizer.name) & 0xFFFF, 400):
        lower = text.lower()
        for pos in (0, len(text) // 3):
            expected = [m.span() for m in recognizer.regex.finditer(text, pos)]
            assert [m.span() for m in twin.finditer(lower, pos)] == expected, text
            for span in expected:
                assert recognizer.regex.match(text, span[0]).span() == span


@pytest.mark.parametrize(
    "source",
    [r"[A-z]", r"[.-Z]", r"[\.-z]", r"(?-i:UTC)", r"(?i)x", r"(a)\1", r"\x41", r"\d*", r"ſ", r"(?=a)"],
)
def test_no_twin_where_lower_casing_is_not_enough(source: str) -> None:
    assert lowered_twin(re.compile(source, re.IGNORECASE)) is None


def test_no_twin_without_ignorecase() -> None:
    assert lowered_twin(re.compile("abc")) is None


def test_twin_of_classes_and_groups() -> None:
    twin = lowered_twin(re.compile(r"(?P<Label>Order)\s*[A-Za-z0-9_-]+\D", re.IGNORECASE))
    assert twin is not None
    assert twin.pattern == r"(?P<Label>order)\s*[a-za-z0-9_-]+\D"
