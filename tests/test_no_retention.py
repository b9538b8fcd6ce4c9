"""A record's working state goes with the call: nothing per conversation outlives ``summarize``.

A weak-keyed table of dialogue readers once kept every conversation's readers and their
memos alive (each value held its key), growing a long-running ``handoff serve`` or batch
without bound and making every full garbage collection slower.
"""

from __future__ import annotations

import gc

import handoff_ai as ho
from handoff_ai import Conversation, Message
from handoff_ai.rules.dialogue_data import DialogueReader
from handoff_ai.rules.phrases import CueReader


def _chat(n: int) -> Conversation:
    return Conversation(
        id=f"c{n}",
        messages=[
            Message(id="1", role="bot", text="Have you tried restarting the router?"),
            Message(
                id="2", role="customer", text=f"Yes, twice, still down. Order {n}12345, email a{n}@b.org"
            ),
            Message(id="3", role="agent", text="I'll call you back tomorrow at 10."),
        ],
    )


def _alive(kind: type) -> int:
    gc.collect()
    return sum(isinstance(o, kind) for o in gc.get_objects())


def test_readers_do_not_outlive_the_call() -> None:
    conversations = [_chat(n) for n in range(30)]  # kept alive on purpose, as a caller's batch is
    ho.summarize(conversations[0])
    before = (_alive(CueReader), _alive(DialogueReader))
    for conversation in conversations:
        assert ho.summarize(conversation).actions_taken  # the dialogue reader was used
    assert (_alive(CueReader), _alive(DialogueReader)) == before
