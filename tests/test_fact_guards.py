"""Round-3 pre-checks rule out only texts their regex finds nothing in."""

from __future__ import annotations

import random

from handoff_ai.rules.catalog import default_recognizers
from handoff_ai.rules.fact_asks import _REQUEST, _requests
from handoff_ai.rules.phrases import tokens

_PIECES = (
    "$", "USD", "usd", "Dollars", "euro", "EUR", "pounds", "bucks", "yen", "inr", "40", "12.50", "1,200", " ", "  ",
    "\t", "\n", ".", "!", "?", "'", "John", "Smith", "Mary-Jane", "O'Neil", "a", "please", "Please", "can", "you",
    "Could", "I", "may", "let", "me", "start", "by", "your", "full", "name", "what's", "don't", "know", "get",
    "getting", "type", "order", "é", "ſ", "€", "£", "KB5034441", "kb503444", "2.3.1", "app", "version", "v",
)  # fmt: skip


def _texts(seed: int, count: int = 3000) -> list[str]:
    rng = random.Random(seed)
    return [
        "".join(rng.choice(_PIECES) + rng.choice(("", " ", " ", "\n")) for _ in range(rng.randint(1, 8)))
        for _ in range(count)
    ]


def test_ascii_needs_and_pieces_never_rule_out_a_match() -> None:
    checked = 0
    for recognizer in default_recognizers():
        if recognizer.ascii_needs is None and recognizer.pieces is None:
            continue
        checked += 1
        for text in _texts(len(recognizer.name)):
            if recognizer.regex.search(text) is None:
                continue
            if recognizer.pieces is not None:
                low, high = recognizer.pieces
                assert low <= len(text.split()) <= high, (recognizer.name, text)
            if recognizer.ascii_needs is not None and text.isascii():
                assert any(n in text.lower() for n in recognizer.ascii_needs), (recognizer.name, text)
    assert checked >= 2


def test_requests_read_from_tokens_as_the_regex_reads_the_text() -> None:
    for text in _texts(5):
        assert _requests(text, tokens(text)) == (_REQUEST.search(text) is not None), text


def test_filler_twin_ends_where_the_filler_regex_ends() -> None:
    from handoff_ai.rules.fact_answers import _FILLER_HEAD, _FILLER_TWIN

    assert _FILLER_TWIN is not None
    pieces = (
        "Sure,",
        "yes",
        "OK",
        "okay.",
        "my",
        "Full",
        "name",
        "Zip Code",
        "is",
        "it's",
        "That's",
        "I'm",
        "x",
    )
    rng = random.Random(3)
    for _ in range(3000):
        piece = " ".join(rng.choice(pieces) for _ in range(rng.randint(1, 6)))
        assert _FILLER_TWIN.match(piece.lower()).end() == _FILLER_HEAD.match(piece).end(), piece


def test_token_run_read_from_tokens_as_the_regex_reads_the_text() -> None:
    from handoff_ai.rules.stated_facts import _TOKEN_RUN, _has_token_run

    rng = random.Random(4)
    pieces = ("sk", "live", "8fK2mQ9xR4tZ", "abcdefghijklmnop", "a_b", "-", "'", "don't", " ", "é", "x" * 15)
    for _ in range(3000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 6)))
        assert _has_token_run(text, tokens(text)) == (_TOKEN_RUN.search(text) is not None), text


def test_a_probe_matches_wherever_its_regex_match_begins() -> None:
    rng = random.Random(6)
    pieces = (
        "from", "From", "to", "To", "towards", "in", "In", "at", "near", "around", "the", "'", '"', "Boston",
        "New", "York", "5th", "and", "Main", "CA", "ca", "NY,", "ny", "90210", "12345-6789", "SW1A", "1AA",
        "B33", "8TH", "x", ",", " ", "  ", "\n",
    )  # fmt: skip
    probed = [r for r in default_recognizers() if r.probe is not None]
    assert len(probed) >= 3
    for _ in range(4000):
        text = " ".join(rng.choice(pieces) for _ in range(rng.randint(1, 8)))
        for recognizer in probed:
            for match in recognizer.regex.finditer(text):
                assert recognizer.probe.match(text, match.start()) is not None, (recognizer.name, text)
