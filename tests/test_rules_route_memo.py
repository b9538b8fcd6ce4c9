"""The route memo and the token-level pre-checks of recognizer sets (accepts, ends, token_run):
recognizers are skipped only where they could find nothing, and still find what they should."""

from __future__ import annotations

import pytest

from handoff_ai.rules.catalog import default_recognizers
from handoff_ai.rules.phrases import tokens
from handoff_ai.rules.recognizer_set import _ENGLISH, RecognizerSet


@pytest.fixture(scope="module")
def recognizers() -> RecognizerSet:
    return RecognizerSet(default_recognizers())


def _candidates(recognizers: RecognizerSet, text: str) -> set[str]:
    recognizers.find("warm up")
    route = recognizers._routes[_ENGLISH]
    run = recognizers._run(text, text.lower(), tokens(text), route, text.isascii())
    return {recognizers.recognizers[n].name for n in run}


@pytest.mark.parametrize(
    ("text", "skipped"),
    [
        ("I want to cancel my shipping order", {"secret.inline", "id.labelled", "name.labelled"}),
        ("yes I would like the status of my order", {"id.labelled", "name.labelled"}),
        ("it cost 40 dollars", {"id.generic", "secret.token", "postal_code.us"}),
    ],
)
def test_turns_that_cannot_hold_a_value_skip_its_recognizer(
    recognizers: RecognizerSet, text: str, skipped: set[str]
) -> None:
    assert not skipped & _candidates(recognizers, text)


@pytest.mark.parametrize(
    ("text", "rule", "value"),
    [
        ("my order is ABCDE", "id.labelled", "ABCDE"),
        ("order A___B please", "id.labelled", "A___B"),
        ("I'm Sarah Brown", "name.labelled", "Sarah Brown"),
        ("this is Idris", "name.labelled", "Idris"),
        ("my name is sarah", "name.labelled", "sarah"),
        ("my pincode is 4821", "secret.inline", None),
        ("first pet's name is Rex", "secret.inline", None),
        ("the code: 99812", "secret.inline", None),
        ("ref ab-12-cd-34 is mine", "id.labelled", "ab-12-cd-34"),
        ("see X7-Q2-3 and AB1234", "id.generic", "X7-Q2-3"),  # short tokens a hyphen joins
        ("Springfield, IL 62704", "postal_code.us", "62704"),
    ],
)
def test_values_are_still_found(recognizers: RecognizerSet, text: str, rule: str, value: str | None) -> None:
    spans = [s for s in recognizers.find(text, tokens(text)) if s.rule == rule]
    assert spans, text
    if value is not None:
        assert spans[0].value == value
    else:
        assert spans[0].withheld


def test_a_hyphen_joins_a_key_of_short_tokens(recognizers: RecognizerSet) -> None:
    text = "token ab12-cd34-ef56-gh78-ij90"
    assert {"secret.token", "id.generic"} <= _candidates(recognizers, text)


def test_the_memo_gives_the_same_candidates_twice(recognizers: RecognizerSet) -> None:
    text = "my order 12345678, email bob@example.com"
    assert _candidates(recognizers, text) == _candidates(recognizers, text)
