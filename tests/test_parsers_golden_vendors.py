"""Golden tests for the helpdesk, bot-framework and messaging parsers: input → the exact ``Conversation``.

The inputs are the project's own, written in each vendor's documented payload shape
(``examples/<format>_*.json``) with the ugly cases handoffs meet: Zendesk internal notes and
HTML-only comments with attachments; Intercom bot replies, assignments, notes and a customer
reopening a closed conversation; a Freshdesk ticket description, private note and HTML-only
reply; Chatwoot bot templates, activity lines, private notes and attachment-only messages;
Help Scout threads listed newest first with a line item; a Rasa tracker with ``action_listen``,
slot and session events; Botpress history out of order; Dialogflow CX interactions newest
first with a welcome event and a live-agent handoff; Bot Framework activities with typing,
cards, a missing ``from.role`` and a missing timestamp; an OpenAI thread listed newest first
with same-second messages; Twilio messages newest first with MMS and a queued reply;
Messenger webhook deliveries with echoes, a postback, a read receipt and a reaction.

Run ``python tests/test_parsers_golden_vendors.py --regenerate`` to rewrite the expected
files, then review the diff.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest

from handoff_ai.parsers import load

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures" / "parsers"
CASES: list[tuple[Path, str]] = [
    (ROOT / "examples" / "zendesk_ticket.json", "zendesk"),
    (ROOT / "examples" / "intercom_conversation.json", "intercom"),
    (ROOT / "examples" / "freshdesk_ticket.json", "freshdesk"),
    (ROOT / "examples" / "chatwoot_messages.json", "chatwoot"),
    (ROOT / "examples" / "helpscout_threads.json", "helpscout"),
    (ROOT / "examples" / "rasa_tracker.json", "rasa"),
    (ROOT / "examples" / "botpress_messages.json", "botpress"),
    (ROOT / "examples" / "dialogflow_cx_conversation.json", "dialogflow_cx"),
    (ROOT / "examples" / "botframework_transcript.json", "botframework"),
    (ROOT / "examples" / "openai_thread_messages.json", "openai_thread"),
    (ROOT / "examples" / "twilio_sms_messages.json", "twilio_sms"),
    (ROOT / "examples" / "messenger_webhook_events.json", "messenger"),
]


def normalized(path: Path, format: str = "auto") -> dict[str, Any]:
    """The parsed conversation as JSON, with the file path made machine-independent."""
    dumped: dict[str, Any] = load(path, format).model_dump(mode="json")
    for message in dumped["messages"]:
        assert message["source"]["file"] == str(path)
        message["source"]["file"] = path.name
    return dumped


def expected_path(path: Path) -> Path:
    return FIXTURES / f"example-{path.stem}.expected.json"


@pytest.mark.parametrize(("path", "format"), CASES, ids=[p.name for p, _ in CASES])
def test_golden(path: Path, format: str) -> None:
    expected = json.loads(expected_path(path).read_text(encoding="utf-8"))
    assert normalized(path) == expected  # sniffed
    assert normalized(path, format) == expected  # named


@pytest.mark.parametrize(("path", "format"), CASES, ids=[p.name for p, _ in CASES])
def test_sniffed_format_and_conventions(path: Path, format: str) -> None:
    conversation = load(path)
    assert {m.source.format for m in conversation.messages if m.source} == {format}
    assert conversation.ids == [f"m{i}" for i in range(1, len(conversation) + 1)]
    assert all(m.channel for m in conversation.messages)
    pointers = [m.source.pointer for m in conversation.messages if m.source]
    assert len(set(pointers)) == len(pointers) == len(conversation)
    stamps = [m.timestamp for m in conversation.messages if m.timestamp is not None]
    assert stamps == sorted(stamps)  # oldest first, whatever order the API listed


if __name__ == "__main__" and "--regenerate" in sys.argv:
    for case, _ in CASES:
        target = expected_path(case)
        target.write_text(json.dumps(normalized(case), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        print("wrote", target.relative_to(ROOT))
