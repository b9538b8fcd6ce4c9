"""``[pattern_words]`` only skips patterns that cannot match.

The rules backend skips a statement pattern on messages that contain none of its
listed words. That is only sound if every match of the pattern contains one of
them; these tests check it on hand-picked sentences and on every message of the
shared data sets.
"""

from __future__ import annotations

import json

import pytest

from handoff_ai.rules.phrases import tokens
from handoff_ai.rules.ruleset import PATTERN_NAMES, load_rules

from .conftest import data_file

SENTENCES = [
    "I've reset your password.",
    "We have just re-sent the confirmation email",
    "Your refund has been initiated",
    "The booking is now all confirmed!",
    "I'm unable to verify your account",
    "We couldn't process the payment",
    "My promo code won't work. It keeps coming up 'invalid'",
    "The card was declined twice",
    "I'll escalate this to billing",
    "Your replacement will be shipped tomorrow",
    "Verification in progress...",
    "I already restarted the router twice",
    "we've re-entered the address and turned it off and on",
    "I had tried logging out",
]


def _misses(texts: list[str]) -> list[tuple[str, str]]:
    rules = load_rules()
    misses = []
    for text in texts:
        words = tokens(text)
        for name in PATTERN_NAMES:
            needed = rules.pattern_words[name]
            if needed is not None and rules.patterns[name].search(text) and needed.isdisjoint(words):
                misses.append((name, text))
    return misses


def test_listed_words_cover_every_match_in_examples() -> None:
    assert _misses(SENTENCES) == []


@pytest.mark.data
@pytest.mark.parametrize("dataset", ["abcd", "star"])
def test_listed_words_cover_every_match_in_real_data(dataset: str) -> None:
    path = data_file(dataset)
    texts = [turn["text"] for line in path.open() for turn in json.loads(line)["turns"]]
    assert _misses(texts) == []


def test_a_replaced_pattern_drops_its_words(tmp_path: pytest.TempPathFactory) -> None:
    custom = tmp_path / "rules.toml"  # type: ignore[operator]
    custom.write_text('[patterns]\ndone = "\\\\bsorted\\\\b"\n')
    rules = load_rules(custom)
    assert rules.pattern_words["done"] is None
    assert rules.pattern_words["failed"] is not None
