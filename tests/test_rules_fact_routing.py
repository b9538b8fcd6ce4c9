"""A recognizer set's routed pre-checks find what each recognizer's own pre-checks let through.

``RecognizerSet.find`` picks a turn's candidate recognizers by set unions (those that always
run, a digit, a literal, a gate word, a place preposition standing alone) and resumes each
recognizer's scan from the match its pre-check found. The reference here tests every
recognizer on its own (``Recognizer.applies``) and scans from the start, as the set once did.
"""

from __future__ import annotations

import random
from bisect import bisect_right

import pytest

from handoff_ai.rules.catalog import default_recognizers
from handoff_ai.rules.fact_answers import _SHAPED, _shape_fits
from handoff_ai.rules.phrases import tokens
from handoff_ai.rules.recognizer_set import _IN_FILE_NAME_OK, _NOT_PLACES, RecognizerSet, in_file_names
from handoff_ai.rules.recognizers import Recognizer, Span, stands_alone

_FRAGMENTS = [
    "from ", "From ", "to ", "To ", "in ", "at ", "near ", "towards ", "around ", "the ", "The ", "'", "’",
    "I'm ", "im ", "my name is ", "Name: ", "John ", "Smith", "Mary-Jane ", "O'Neil ", "12345", "4111 1111 1111 1111",
    "@", "jane@x.com ", "order ", "#", "-", "room 12 ", "zip ", "zip code 10115 ", "é", "ſ", "K", "\n", " ", ". ",
    "Boston", "New York ", "iPhone 12 ", "build 123 ", "login bob / Summer2024! ", "http://a.b/c ", "5th and Main ",
    "rock'n'roll'to Paris ", "x'at Paris ", "don't ", "PIN 4821 ", "password: hunter2 ", "on Monday ", "3pm ",
    "$42.17 ", "+1 (555) 123-4567 ", "ORD-55120 ", "v5.4.2 ", "Windows 11 ", "KB5034441 ", "NullPointerException ",
    "airport ", "to the airport ", "mot de passe : Soleil2024 ", "Kundennummer 55-201 ", "5. März ", "1.234,50 € ",
    "tenant id: acme-prod ", "gold member ", "reading 04512 ", "scan 2024-03-01.pdf ", "call me Al ", "this is Bo ",
]  # fmt: skip
_LANGUAGES = [frozenset(), frozenset({"de", "*"}), frozenset({"de", "fr", "es", "pt", "*", "en"})]


def _texts(count: int = 600) -> list[str]:
    rng = random.Random(11)
    return ["".join(rng.choice(_FRAGMENTS) for _ in range(rng.randint(1, 9))) for _ in range(count)]


def _reference(recognizers: RecognizerSet, text: str, languages: frozenset[str]) -> list[Span]:
    """Each recognizer's own pre-checks, then a scan from the start; the set's overlap rules."""
    active = languages or frozenset({"en"})
    lower, words = text.lower(), tokens(text)
    has_digit = any(c.isdecimal() for c in text)
    taken: list[Span] = []
    starts: list[int] = []
    files = in_file_names(text, lower)
    for recognizer in recognizers:
        if recognizer.language is not None and recognizer.language not in active:
            continue
        if not recognizer.applies(text, lower, has_digit, words):
            continue
        for span in recognizer.find(text, lower):
            if span.kind == "place" and (span.value or "").split()[0] in _NOT_PLACES:
                continue
            inside = any(fs <= span.start and span.end <= fe for fs, fe in files)
            if inside and span.kind not in _IN_FILE_NAME_OK and not span.withheld:
                continue
            at = bisect_right(starts, span.start)
            if (at and taken[at - 1].end > span.start) or (at < len(taken) and taken[at].start < span.end):
                continue
            starts.insert(at, span.start)
            taken.insert(at, span)
    return taken


@pytest.mark.parametrize("languages", _LANGUAGES, ids=["en", "de", "all"])
def test_routed_find_matches_each_recognizers_own_prechecks(languages: frozenset[str]) -> None:
    recognizers = RecognizerSet(default_recognizers())
    for text in _texts():
        assert recognizers.find(text, tokens(text), languages) == _reference(recognizers, text, languages), (
            text
        )


def test_place_prepositions_gate_exactly() -> None:
    """Every match of a place recognizer holds one of its ``bounded`` words standing alone."""
    for recognizer in default_recognizers():
        if recognizer.bounded is None:
            continue
        for text in _texts(1500):
            if recognizer.regex.search(text) is not None:
                assert stands_alone(recognizer.bounded, text, tokens(text)), (recognizer.name, text)


def test_a_find_without_first_is_still_called() -> None:
    """A recognizer written before ``first`` (``find(text, lower)``) runs as before."""

    class Old(Recognizer):
        def find(self, text: str, lower: str):  # type: ignore[override]
            yield Span("thing", 0, 3, text[:3], self.name)

    recognizers = RecognizerSet([Old("old", "thing", r"abc")])
    assert [s.value for s in recognizers.find("abc def")] == ["abc"]


@pytest.mark.parametrize("kind", ["email", "date", "time", "date_of_birth", "tracking", "secret"])
def test_kinds_without_a_shape_never_fit(kind: str) -> None:
    assert kind not in _SHAPED
    for value in ["12345", "John Smith", "gold", "Monday", "jane@x.com", "AB-123456", "10115", "hunter2"]:
        assert not _shape_fits(kind, value)
