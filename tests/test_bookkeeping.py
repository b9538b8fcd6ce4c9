"""Bot-framework housekeeping is not "Already tried" (issue 16).

Rasa's ``action_session_start``, slot and restart events, Dialogflow's WELCOME trigger and Bot
Framework's ``conversationUpdate`` used to fill the actions list as ``unknown``; parsers now mark
them ``metadata["bookkeeping"]``, the rules engine skips them, and provenance lists their ids.
"""

from __future__ import annotations

from pathlib import Path

import handoff_ai as ho
from handoff_ai import Conversation, Message

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
HOUSEKEEPING = ("action_session_start", "session started", "slot ", "conversation restarted", "members added")


def _descriptions(name: str) -> list[str]:
    return [a.description for a in ho.summarize(EXAMPLES / name).actions_taken]


def test_rasa_lists_the_bots_real_actions_with_what_they_found() -> None:
    actions = _descriptions("rasa_tracker.json")
    assert not [a for a in actions if any(word in a for word in HOUSEKEEPING)]
    assert "ran action_check_order → Order A-20931 is delayed at the carrier hub." in actions


def test_housekeeping_is_listed_in_provenance_by_id_never_text() -> None:
    record = ho.summarize(EXAMPLES / "rasa_tracker.json")
    [note] = [w for w in record.provenance.warnings if "bookkeeping" in w]
    assert note.endswith("m1, m2, m4, m10, m11") and "slot" not in note and "session" not in note
    conversation = ho.load(EXAMPLES / "rasa_tracker.json")
    marked = [m.id for m in conversation.messages if m.metadata.get("bookkeeping")]
    assert marked == ["m1", "m2", "m4", "m10", "m11"]  # still in the timeline, only marked


def test_dialogflow_welcome_and_bot_framework_joins_are_not_actions() -> None:
    assert not any("WELCOME" in a for a in _descriptions("dialogflow_cx_conversation.json"))
    assert "live agent handoff requested" in _descriptions("dialogflow_cx_conversation.json")
    botframework = _descriptions("botframework_transcript.json")
    assert not any("members added" in a for a in botframework)
    assert any("handoff.initiate" in a for a in botframework)


def test_a_no_match_event_still_counts() -> None:
    turn = {
        "request": {"queryInput": {"event": {"event": "sys.no-match-default"}}},
        "response": {"queryResult": {"responseMessages": [{"text": {"text": ["Sorry, again?"]}}]}},
        "createTime": "2024-05-06T14:00:00Z",
    }
    conversation = ho.load({"interactions": [turn]})
    assert not conversation.messages[0].metadata.get("bookkeeping")


def test_unmarked_events_are_still_actions() -> None:
    conversation = Conversation(
        id="c",
        messages=[
            Message(id="e1", role="system", kind="event", text="refund_payment failed", metadata={}),
            Message(id="e2", role="system", kind="event", text="slot x set", metadata={"bookkeeping": True}),
        ],
    )
    actions = ho.summarize(conversation).actions_taken
    assert [a.evidence for a in actions] == [["e1"]]
