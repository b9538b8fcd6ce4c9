"""Pre-checks that skip regexes must never change what is found.

``GuardedPattern`` and ``RecognizerSet`` test literals before running a regex;
these tests compare them with the unguarded regex / the per-recognizer
substring test on ugly text (apostrophes, curly quotes, underscores, other
scripts, e-mail and link punctuation).
"""

from __future__ import annotations

import re

import pytest

from handoff_ai.rules.catalog import default_recognizers
from handoff_ai.rules.phrases import tokens
from handoff_ai.rules.prechecks import GuardedPattern
from handoff_ai.rules.recognizer_set import RecognizerSet

TEXTS = [
    "",
    "   ",
    "My order number is ORD-88213 and my zip code is 94107.",
    "I’m Jane Doe, call me on +1 (415) 555-0199 — the PIN is 4455",
    "im locked out of my acct, login: bob_smith / Summer2024!",
    "ERR_CONNECTION_RESET on www.example.com, then EXC_BAD_ACCESS",
    "the post code is SW1A 1AA; I am at the airport near Heathrow",
    "Shipping to room 412 on Friday, last 4 digits end in 1234",
    "Mein Name ist Jürgen, Bestellnummer 12345 — Postleitzahl 10115",
    "配送先の郵便番号は 100-0001 です。注文番号 A123456",
    "reach me at jane.doe+test@example.co.uk or https://x.io/a?b=c",
    "My tier is Gold member since 2021-03-01, membership id GLD-0001",
    "password reset didn't work; security answer: fluffy",
    "ſecurity ſervice: KELVIN K sign",
    "Order# 5521 / ticket #77 / case: 8812 / invoice INV-2024-03311",
    "Mein Passwort ist Sommer2024!, die TAN war 482913, Kundennummer 55-201, 1.234,50 € am 5. März",
    "mot de passe : Soleil2024, n° de commande 4711, payé 49,99 € le 5 mars, tél 06 12 34 56 78",
    "mi contraseña es Verano2024, pedido #A-77, CEP 01310-100, R$ 1.234,56 em 5 de março",
]


@pytest.mark.parametrize("text", TEXTS)
def test_guarded_pattern_finds_what_the_regex_finds(text: str) -> None:
    regex = re.compile(r"\b(?:pin|password|zip\s+code|order)\b", re.IGNORECASE)
    guarded = GuardedPattern(regex, "pin password zip order")
    assert (guarded.search(text) is None) == (regex.search(text) is None)


def test_guarded_pattern_without_words_never_matches_ascii() -> None:
    assert GuardedPattern(re.compile("a"), "").search("a") is None


@pytest.mark.parametrize("text", TEXTS)
def test_recognizer_set_gates_like_a_substring_test(text: str) -> None:
    fast = RecognizerSet(default_recognizers())
    # The same set with every "needs" literal searched in the text, as each Recognizer does.
    plain = RecognizerSet(fast.recognizers)
    plain._plan = tuple(
        (r, None, r._needs_re, r.digit, r.max_len, r._requires_re, r.regex, r.words, r.language, number)
        for number, r in enumerate(fast.recognizers)
    )
    assert fast.find(text) == plain.find(text)
    assert fast.find(text, tokens(text)) == plain.find(text, tokens(text))
    every = frozenset({"de", "fr", "es", "pt", "*"})  # with every language's recognizers too
    assert fast.find(text, tokens(text), every) == plain.find(text, tokens(text), every)


def test_any_literal_finds_exactly_the_texts_holding_a_literal() -> None:
    """The trie-shaped regex says what a flat alternation of the literals says, on ugly text."""
    import random

    from handoff_ai.rules.phrases import any_literal

    literals = ["urgen", "urgency", "url", "###", "inst]", "you are no", "a.b", "(x", "", "zz"]
    flat = re.compile("|".join(map(re.escape, [w for w in literals if w])))
    trie = any_literal(literals)
    rng = random.Random(7)
    alphabet = "urgenclyo ab.#[]inst(xz\n😀é"
    texts = ["", "URGENT", "urgent!", "the url", "## #", "[inst]", "you are not", "a.b", "ab", "(x)"]
    texts += ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40))) for _ in range(3000)]
    for text in texts:
        assert (trie.search(text) is None) == (flat.search(text) is None), text
    assert any_literal([]).search("anything") is None
