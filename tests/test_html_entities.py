"""Free text in a record reads as written for a person: exports that HTML-escape messages
(Twitter's API escapes &, < and >; TweetSumm keeps that) must not leave "&amp;" in the note."""

from __future__ import annotations

import handoff_ai as ho
from handoff_ai.rules._text import unescape_entities


def test_the_five_entities_become_characters() -> None:
    assert unescape_entities("AT&amp;T &lt;3 -&gt; &quot;ok&quot; it&#39;s") == 'AT&T <3 -> "ok" it\'s'


def test_one_level_only_and_nothing_else_changes() -> None:
    assert unescape_entities("&amp;gt;") == "&gt;"
    assert unescape_entities("R&D & co, &nbsp; &copy; &AMP;") == "R&D & co, &nbsp; &copy; &AMP;"
    assert unescape_entities("") == ""
    assert unescape_entities("no ampersand 😀") == "no ampersand 😀"


def _tweets() -> ho.Conversation:
    return ho.load(
        {
            "turns": [
                {
                    "speaker": "customer",
                    "text": "@AirCo my flight &amp; hotel booking failed twice -&gt; card charged both times",
                },
                {
                    "speaker": "agent",
                    "text": "Sorry to hear that! We'll refund the second charge &amp; email you by Friday.",
                },
                {"speaker": "customer", "text": "Still no refund &amp; no email 😡"},
            ]
        },
        id="tweets",
    )


def test_summary_and_items_show_characters_not_entities() -> None:
    record = ho.summarize(_tweets())
    text = record.model_dump_json()
    assert "&amp;" not in text and "&gt;" not in text and "&#39;" not in text
    assert "&" in record.summary or "->" in record.summary


def test_the_messages_themselves_are_left_as_given() -> None:
    conversation = _tweets()
    ho.summarize(conversation)
    assert "&amp;" in conversation.messages[0].text  # evidence points at the source, unchanged
