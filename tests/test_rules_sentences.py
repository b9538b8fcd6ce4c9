"""Sentence boundaries that never cut a value in half (rules/sentences.py)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from handoff_ai.rules.sentences import first_sentence, sentence_at, sentences, shorten, split_sentences

WHOLE = [
    ("Since version 2.3.1 the app crashes. Help!", ["Since version 2.3.1 the app crashes.", "Help!"]),
    ("I paid $84.50 yesterday. Where is it?", ["I paid $84.50 yesterday.", "Where is it?"]),
    ("My email j.doe@example.com is wrong. Fix it", ["My email j.doe@example.com is wrong.", "Fix it"]),
    ("See https://x.com/a.b?c=1. Thanks!!! ok??", ["See https://x.com/a.b?c=1.", "Thanks!!!", "ok??"]),
    ("Dr. Smith said so. No. 5 is mine.", ["Dr. Smith said so.", "No. 5 is mine."]),
    ("Use a card, e.g. a Visa. Then pay.", ["Use a card, e.g. a Visa.", "Then pay."]),
    ("Call at 5 p.m. tomorrow. Then go.", ["Call at 5 p.m. tomorrow.", "Then go."]),
    ("J. Smith here. Order #A.123 is late", ["J. Smith here.", "Order #A.123 is late"]),
    ("I said no. Then he left.", ["I said no.", "Then he left."]),
    ("I tried... it did not work... Now what", ["I tried... it did not work...", "Now what"]),
    ('He said "stop." Then left.', ['He said "stop."', "Then left."]),
    ("1. open the app\n2. tap pay\nit fails", ["1. open the app", "2. tap pay", "it fails"]),
    ("Ref. 12345 and ext. 204 are mine.", ["Ref. 12345 and ext. 204 are mine."]),
    (
        "Order ORD-2024.11.05 arrived at 10.30am. Broken.",
        ["Order ORD-2024.11.05 arrived at 10.30am.", "Broken."],
    ),
    ("Ça ne marche pas ! Pourquoi ?", ["Ça ne marche pas !", "Pourquoi ?"]),
    ("注文が届きません。助けてください！", ["注文が届きません。", "助けてください！"]),
    ("no punctuation at all", ["no punctuation at all"]),
    ("", []),
    ("   \n\n  ", []),
]


@pytest.mark.parametrize(("text", "expected"), WHOLE)
def test_sentences_keep_values_whole(text: str, expected: list[str]) -> None:
    assert sentences(text) == expected


def test_a_wrapped_email_line_is_one_sentence() -> None:
    text = "I have been trying to reset the password for the account since the\nmorning and nothing works. Please help."
    assert sentences(text) == [
        "I have been trying to reset the password for the account since the\nmorning and nothing works.",
        "Please help.",
    ]


def test_spans_point_into_the_text_and_are_trimmed() -> None:
    text = "  Hi!  My card 4.5% fee is wrong.\n\nThanks  "
    spans = split_sentences(text)
    assert [text[a:b] for a, b in spans] == ["Hi!", "My card 4.5% fee is wrong.", "Thanks"]
    assert all(text[a:b] == text[a:b].strip() for a, b in spans)


def test_sentence_at_returns_the_whole_sentence_around_a_position() -> None:
    text = "Hello. Since version 2.3.1 the app crashes on start. Please fix."
    assert sentence_at(text, text.index("crashes")) == "Since version 2.3.1 the app crashes on start."
    assert sentence_at(text, text.index("2.3.1") + 2) == "Since version 2.3.1 the app crashes on start."
    assert sentence_at(text, len(text) + 10) == "Please fix."
    assert sentence_at("", 0) == ""


def test_first_sentence_skips_a_greeting() -> None:
    assert first_sentence("Hi there! My refund of $84.50 never came.") == "My refund of $84.50 never came."
    assert first_sentence("Hello!") == "Hello!"


def test_shorten_cuts_at_a_word_boundary() -> None:
    text = "word " * 100 + "j.doe@example.com"
    short = shorten(text, 50)
    assert short.endswith("…") and len(short) <= 50
    assert all(part == "word" for part in short[:-1].split())


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab .!?\n$1@…é")), max_size=80))
def test_spans_are_ordered_disjoint_and_cover_every_non_blank_character(text: str) -> None:
    spans = split_sentences(text)
    covered = set()
    end = 0
    for a, b in spans:
        assert end <= a < b <= len(text)
        covered.update(range(a, b))
        end = b
    assert {i for i, c in enumerate(text) if not c.isspace()} <= covered


def test_huge_input_is_linear() -> None:
    text = "The app crashes at 2.3.1. " * 20_000
    assert len(split_sentences(text)) == 20_000


def _shorten_whole(text: str, limit: int) -> str:
    """``shorten`` as first written: the whole text normalized before the cut."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text.rfind(" ", 0, limit)
    return text[: cut if cut > limit // 2 else limit - 1].rstrip(" ,;:-–—") + "…"


def test_shorten_of_a_long_paste_reads_only_its_head() -> None:
    import random

    rnd = random.Random(7)
    pieces = ["a", "bb", "order", "12345,", "—", "x" * 40, "\n\n", "  ", "\t", "é", "🙂", "-", ";"]
    for _ in range(400):
        text = "".join(
            rnd.choice(pieces) + rnd.choice([" ", "", "\n", "   "]) for _ in range(rnd.randint(0, 300))
        )
        for limit in (0, 1, 5, 20, 80, 200):
            assert shorten(text, limit) == _shorten_whole(text, limit), (text, limit)
    paste = "word " * 200_000
    assert shorten(paste) == _shorten_whole(paste, 200)
