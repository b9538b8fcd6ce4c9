"""A reply to a "where?" question is a place only when it names one: "Perfect!", "Proceed", "More
details please", "thats good thanks. Goodbye" or "a lot" after "Do you know how to reach your
destination?" is no place for the record; "the hospital", "Chicago", "just Airport" are. A
price range ("in the Cheap price category") is no place either."""

from __future__ import annotations

import pytest

import handoff_ai as ho


def _places(reply: str, question: str = "Where do you need to go?") -> list[str]:
    conversation = ho.load(
        {
            "turns": [
                {"speaker": "customer", "text": "Hi, I need directions please."},
                {"speaker": "agent", "text": question},
                {"speaker": "customer", "text": reply},
            ]
        },
        id="places",
    )
    return [f.value for f in ho.summarize(conversation).facts if f.kind in ("place", "city")]


@pytest.mark.parametrize(
    "reply",
    [
        "Perfect!",
        "Proceed",
        "More details please",
        "thats good thanks. Goodbye",
        "awesome, i found it!",
        "a lot",
        "so confused",
        "Oh the horror",
    ],
)
def test_an_acknowledgement_is_no_place(reply: str) -> None:
    question = "Your destination will be on the left. Do you know how to reach your destination?"
    assert _places(reply, question) == []
    assert _places(reply) == []


@pytest.mark.parametrize(
    ("reply", "place"),
    [
        ("the hospital", "the hospital"),
        ("the airport", "the airport"),
        ("just Airport", "just Airport"),
        ("Chicago", "Chicago"),
        ("the University", "the University"),
    ],
)
def test_a_place_answer_is_still_a_place(reply: str, place: str) -> None:
    assert place in _places(reply)


def test_a_price_range_is_no_place() -> None:
    conversation = ho.load(
        {
            "turns": [
                {"speaker": "customer", "text": "Find me a hotel in the West part of town."},
                {
                    "speaker": "agent",
                    "text": "OK, I have found the 'Hilton Hotel', located West. It is in the Cheap price category.",
                },
                {"speaker": "customer", "text": "Something expensive please."},
            ]
        },
        id="price",
    )
    values = {f.value.lower() for f in ho.summarize(conversation).facts if f.kind in ("place", "city")}
    assert not values & {"cheap", "expensive"}


def test_a_crossing_is_a_place_not_a_date() -> None:
    conversation = ho.load(
        {
            "turns": [
                {"speaker": "customer", "text": "I need a ride please."},
                {"speaker": "agent", "text": "Where are you departing from?"},
                {"speaker": "customer", "text": "5th and Main"},
                {"speaker": "agent", "text": "And when do you want to travel?"},
                {"speaker": "customer", "text": "On the 5th and 6th of May, or the 18th."},
            ]
        },
        id="crossing",
    )
    facts = ho.summarize(conversation).facts
    assert ("place", "5th and Main") in {(f.kind, f.value) for f in facts}
    dates = [f for f in facts if f.kind == "date"]
    assert not [d for d in dates if "m3" in d.evidence]  # the crossing gives no date
    assert "18th" in {d.value for d in dates}  # "the 5th and 6th of May" still does


@pytest.mark.parametrize(
    ("said", "dates"),
    [
        ("I want to leave on the 13th and the 19th.", {"13th", "19th"}),
        ("On the 3rd and I would prefer to come back on the 9th.", {"3rd", "9th"}),
        ("the 14th and first class if possible", {"14th"}),
    ],
)
def test_an_ordinal_before_and_is_still_a_date_unless_a_street_follows(said: str, dates: set[str]) -> None:
    conversation = ho.load(
        {
            "turns": [
                {"speaker": "customer", "text": "Book me a hotel please"},
                {"speaker": "agent", "text": "When would you like to travel?"},
                {"speaker": "customer", "text": said},
            ]
        },
        id="ordinals",
    )
    assert {f.value for f in ho.summarize(conversation).facts if f.kind == "date"} == dates
