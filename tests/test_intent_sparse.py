"""Intent features for sparse taxonomies: durations keep their number ("2 days ago" is not
"8 days ago"), and utterance examples pull confusable intents apart when compiled."""

from __future__ import annotations

import pytest

from handoff_ai.models import Conversation, Message
from handoff_ai.rules._intent_words import intent_words
from handoff_ai.rules.intent import classify
from handoff_ai.taxonomy import IntentSpec, Taxonomy


def said(*texts: str) -> Conversation:
    return Conversation(
        messages=[Message(id=f"m{i + 1}", role="customer", text=t) for i, t in enumerate(texts)]
    )


def promo_taxonomy() -> Taxonomy:
    """Two intents whose examples differ only by how long ago the code was issued
    (as in ABCD, where codes last 7 days)."""
    return Taxonomy(
        intents=[
            IntentSpec(
                name="promo_code_invalid",
                description="promo code invalid",
                examples=[
                    "my promo code says invalid, I got it 2 days ago",
                    "the discount code is not working, received it 3 days ago",
                ],
            ),
            IntentSpec(
                name="promo_code_out_of_date",
                description="promo code out of date",
                examples=[
                    "my promo code says invalid, I got it 9 days ago",
                    "the discount code is not working, received it 10 days ago",
                ],
            ),
        ]
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("I got it 8 days ago, 2 weeks", ["i", "got", "it", "n8", "day", "ago", "n2", "week"]),
        ("Order 12345678, 3 items", ["order", "0", "0", "item"]),  # not a duration
        ("100 days, 007 hours", ["0", "day", "0", "hour"]),  # more than two digits
        ("waited 45min then 3-4 hours!!", ["wait", "0", "then", "0", "n4", "hour"]),
        ("", []),
        ("😡 9 días", ["0", "dia"]),  # an emoji token vanishes: positions unsure, left alone
    ],
)
def test_intent_words(text: str, expected: list[str]) -> None:
    assert intent_words(text) == expected


def test_number_of_days_decides_between_otherwise_equal_intents() -> None:
    taxonomy = promo_taxonomy()
    recent = classify(said("hi", "my promo code doesn't work", "I got it 2 days ago"), taxonomy)
    old = classify(said("hi", "my promo code doesn't work", "I got it 9 days ago"), taxonomy)
    assert recent.label == "promo_code_invalid"
    assert old.label == "promo_code_out_of_date"


def test_other_numbers_still_collapse() -> None:
    """Ids, amounts and phone numbers never become features of their own."""
    taxonomy = promo_taxonomy()
    a = classify(said("my promo code doesn't work, order 4411", "it was 2 days ago"), taxonomy)
    b = classify(said("my promo code doesn't work, order 9075", "it was 2 days ago"), taxonomy)
    assert a == b


# -- compiling: utterance examples pull confusable intents apart ---------------------------


def _sums(documents: list[list[dict]]) -> list[dict]:
    """Centroid sums as build_index makes them (idf 1): each example normalized, times 1/n."""
    sums = []
    for examples in documents:
        total: dict = {}
        for vector in examples:
            length = sum(v * v for v in vector.values()) ** 0.5
            for key, value in vector.items():
                total[key] = total.get(key, 0.0) + value / length / len(examples)
        sums.append(total)
    return sums


def test_push_apart_leaves_separated_intents_alone() -> None:
    from handoff_ai.rules._intent_build import _push_apart

    a = [{(0, "refund"): 1.0, (0, "money"): 1.0}, {(0, "refund"): 1.0}]
    b = [{(0, "parcel"): 1.0, (0, "late"): 1.0}, {(0, "parcel"): 1.0}]
    sums = _sums([a, b])
    before = [dict(s) for s in sums]
    idf = {key: 1.0 for vectors in (a, b) for v in vectors for key in v}
    _push_apart(
        sums,
        [
            (a, {}, {}),
            (b, {}, {}),
        ],
        idf,
    )
    assert sums == before


def test_push_apart_moves_an_example_that_reads_as_the_rival() -> None:
    from handoff_ai.rules._intent_build import _push_apart

    # The second "invalid" example shares everything with the "expired" intent.
    invalid = [{(0, "code"): 1.0, (0, "broken"): 1.0}, {(0, "code"): 1.0, (0, "expir"): 1.0}]
    expired = [{(0, "code"): 1.0, (0, "expir"): 1.0}, {(0, "code"): 1.0, (0, "expir"): 1.0}]
    sums = _sums([invalid, expired])
    before = [dict(s) for s in sums]
    idf = {key: 1.0 for vectors in (invalid, expired) for v in vectors for key in v}
    _push_apart(sums, [(invalid, {}, {}), (expired, {}, {})], idf)
    assert sums[0][(0, "expir")] > before[0][(0, "expir")]  # dragged towards its example
    assert sums[1][(0, "expir")] < before[1][(0, "expir")]  # the rival pushed away
    assert all(value >= 0.0 for s in sums for value in s.values())
