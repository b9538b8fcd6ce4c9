"""A social reply opens with the @handles it answers ("@213129 Bob, once Samsung shares the
updates…"): a promise quoted in the record starts with what was promised, not the handle."""

from __future__ import annotations

import handoff_ai as ho


def _reply(text: str) -> ho.Conversation:
    return ho.load(
        {
            "turns": [
                {"speaker": "customer", "text": "@AirCo lost my bag in Rome, no answer for a week"},
                {"speaker": "agent", "text": text},
            ]
        },
        id="reply",
    )


def test_a_promise_quoted_without_the_handles_it_opens_with() -> None:
    record = ho.summarize(_reply("@654205 @AirCoHelp Your miles should be posted within 48 hours."))
    assert [c.text for c in record.commitments] == ["Your miles should be posted within 48 hours."]
    assert "@654205" not in record.summary and "Your miles should be posted" in record.summary
    assert record.commitments[0].evidence == ["m2"]


def test_a_handle_inside_the_promise_stays() -> None:
    record = ho.summarize(_reply("@654205 We'll email you and @AirCoHelp by Friday."))
    assert [c.text for c in record.commitments] == ["We'll email you and @AirCoHelp by Friday."]


def test_a_greeting_by_name_is_not_part_of_the_promise() -> None:
    record = ho.summarize(_reply("@654205 Hi Ray, as advised you'll receive a response within 72 hours."))
    assert [c.text for c in record.commitments] == ["As advised you'll receive a response within 72 hours."]
