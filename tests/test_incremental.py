"""Incremental handoff: ``Summarizer.update`` / ``aupdate`` and ``handoff_ai.incremental``.

The property that matters: for the rules backend, updating a record of the first
``k`` messages with the rest equals (as JSON) a fresh summary of the whole conversation.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Sequence
from pathlib import Path

import pytest

import handoff_ai as ho
from handoff_ai import Conversation, HandoffRecord, Message, Summarizer, UsageError
from handoff_ai.backends import AsyncBackend, Backend
from handoff_ai.evaluation.datasets import conversation_from_row
from handoff_ai.incremental import FULL_RUN_WARNING, ConversationCache, extend
from handoff_ai.taxonomy import Taxonomy

from .conftest import data_file

TURNS: list[tuple[str, str]] = [
    ("customer", "Hi, my order 4471-AB never arrived and I'm really upset."),
    ("bot", "Sorry to hear that! Could I get your email address?"),
    ("customer", "jo@example.org"),
    ("bot", "What is your PIN?"),
    ("customer", "3941"),
    ("agent", "I restarted the shipment lookup but it failed with an error."),
    ("customer", "Can you refund me instead? My phone is +1 415 555 0134."),
    ("customer", "I ALREADY CONTACTED YOU TWICE about this, as I said before."),
    ("customer", "Can I talk to a real person please?"),
    ("bot", "Connecting you to an agent now."),
]


def _messages(turns: Sequence[tuple[str, str]], start: int = 1) -> list[Message]:
    return [Message(id=f"m{start + i}", role=role, text=text) for i, (role, text) in enumerate(turns)]


def _conversation(turns: Sequence[tuple[str, str]] = TURNS, id: str = "t1") -> Conversation:
    return Conversation(id=id, messages=_messages(turns))


def _json(record: HandoffRecord) -> str:
    return record.to_json()


# -- the equality property ---------------------------------------------------------------


@pytest.mark.parametrize("k", range(len(TURNS) + 1))
def test_update_equals_fresh_summary_at_every_split(k: int) -> None:
    whole = _conversation()
    summarizer = Summarizer()
    first = summarizer.summarize(Conversation(id="t1", messages=whole.messages[:k]))
    updated = summarizer.update(first, whole.messages[k:])
    assert _json(updated) == _json(ho.summarize(whole))


def test_the_new_messages_change_the_record() -> None:
    """The tail brings facts, a secret, an answer to an earlier question and a handoff request."""
    whole = _conversation()
    summarizer = Summarizer()
    first = summarizer.summarize(Conversation(id="t1", messages=whole.messages[:4]))
    updated = summarizer.update(first, whole.messages[4:])
    assert first.handoff.type is None and updated.handoff.trigger == "customer_request"
    assert any(f.withheld for f in updated.facts) and not any(f.withheld for f in first.facts)
    assert "3941" not in updated.to_json()
    assert len(updated.facts) > len(first.facts)
    assert updated.message_count == len(TURNS)


def test_updates_in_several_steps_equal_one_summary() -> None:
    whole = _conversation()
    summarizer = Summarizer()
    record = summarizer.summarize(Conversation(id="t1", messages=whole.messages[:2]))
    for start, stop in ((2, 3), (3, 3), (3, 7), (7, 10)):
        record = summarizer.update(record, whole.messages[start:stop])
    assert _json(record) == _json(ho.summarize(whole))


def test_update_with_a_conversation_and_with_parsed_input() -> None:
    whole = _conversation()
    summarizer = Summarizer(cache_size=0)
    head = Conversation(id="t1", messages=whole.messages[:5])
    first = summarizer.summarize(head)
    tail = Conversation(id="other", messages=whole.messages[5:])
    assert _json(summarizer.update(first, tail, conversation=head)) == _json(ho.summarize(whole))
    as_dicts = [m.model_dump(mode="json", exclude_defaults=True) for m in whole.messages[5:]]
    assert _json(summarizer.update(first, as_dicts, conversation=head)) == _json(ho.summarize(whole))


def test_text_continuation_gets_positional_ids() -> None:
    """A text chunk parsed on its own numbers from m1; appended, it reads like one parse."""
    head = "customer: my order 4471-AB is late\nbot: could I get your email?\n"
    tail = "customer: jo@example.org\ncustomer: can I talk to a human please?\n"
    summarizer = Summarizer()
    updated = summarizer.update(summarizer.summarize(head, format="text"), tail, format="text")
    fresh = ho.summarize(head + tail, format="text")
    assert updated.evidence_ids() == fresh.evidence_ids()
    assert _json(updated) == _json(fresh)


def _abcd_rows(limit: int) -> list[dict[str, object]]:
    with data_file("abcd").open(encoding="utf-8") as handle:
        return [json.loads(line) for _, line in zip(range(limit), handle, strict=False)]


def test_update_equals_fresh_summary_on_abcd() -> None:
    summarizer = Summarizer()
    checked = 0
    for row in _abcd_rows(40):
        whole = conversation_from_row(row)
        fresh = _json(summarizer.summarize(whole))
        n = len(whole.messages)
        for k in sorted({1, n // 3, n // 2, (2 * n) // 3, n - 1} - {0, n}):
            head = Conversation(id=whole.id, messages=whole.messages[:k], metadata=dict(whole.metadata))
            first = summarizer.summarize(head)
            assert _json(summarizer.update(first, whole.messages[k:])) == fresh, (whole.id, k)
            checked += 1
    assert checked > 100


# -- ids ---------------------------------------------------------------------------------


def test_colliding_ids_are_renamed_stably() -> None:
    so_far = Conversation(id="c", messages=[Message(id="a", role="customer", text="hi")])
    new = [
        Message(id="a", role="bot", text="hello"),
        Message(id="a#2", role="customer", text="order 4471-AB"),
        Message(id="a", role="customer", text="again"),
    ]
    extended, added = extend(so_far, new)
    assert extended.ids == ["a", "a#3", "a#2", "a#4"]
    assert [m.metadata.get("original_id") for m in added] == ["a", None, "a"]
    assert extend(so_far, new)[0] == extended  # same inputs, same ids
    assert [m.id for m in new] == ["a", "a#2", "a"] and not new[0].metadata  # inputs untouched
    assert so_far.ids == ["a"]


def test_positional_ids_continue_the_numbering() -> None:
    so_far = _conversation(TURNS[:3])
    extended, _ = extend(so_far, _messages(TURNS[3:5]))  # m1, m2 again
    assert extended.ids == ["m1", "m2", "m3", "m4", "m5"]
    extended, _ = extend(so_far, [Message(id="m1", role="customer", text="x"), *_messages(TURNS[3:4], 4)])
    assert extended.ids == ["m1", "m2", "m3", "m1#2", "m4"]  # m4 is claimed by a new message


def test_renamed_ids_are_cited_by_the_record() -> None:
    summarizer = Summarizer()
    first = summarizer.summarize(Conversation(id="c", messages=[Message(id="x", role="customer", text="hi")]))
    updated = summarizer.update(first, [Message(id="x", role="customer", text="my email is jo@example.org")])
    email = next(f for f in updated.facts if f.kind == "email")
    assert email.evidence == ["x#2"]


def test_channels_participants_and_metadata_are_merged() -> None:
    so_far = Conversation(
        id="c",
        messages=[Message(id="a", role="customer", text="hi", channel="chat", author="Jo")],
        metadata={"k": 1},
    )
    tail = Conversation(
        id="z",
        messages=[Message(id="b", role="agent", text="hello", channel="email", author="Sam")],
        metadata={"k": 2, "j": 3},
    )
    extended, _ = extend(so_far, tail)
    assert extended.id == "c" and extended.channels == ["chat", "email"]
    assert [p.name for p in extended.participants] == ["Jo", "Sam"]
    assert extended.metadata == {"k": 2, "j": 3}


# -- which conversation ------------------------------------------------------------------


def test_missing_conversation_is_a_usage_error() -> None:
    record = ho.summarize(_conversation())  # not through this summarizer
    with pytest.raises(UsageError, match="conversation="):
        Summarizer().update(record, _messages(TURNS[:1], 100))
    with pytest.raises(UsageError, match="conversation="):
        Summarizer(cache_size=0).update(Summarizer(cache_size=0).summarize(_conversation()), [])


def test_a_mismatched_conversation_is_refused() -> None:
    whole = _conversation()
    record = ho.summarize(whole)
    with pytest.raises(UsageError, match="record's"):
        Summarizer().update(record, [], conversation=_conversation(id="other"))
    with pytest.raises(UsageError, match="10 messages"):
        Summarizer().update(record, [], conversation=_conversation(TURNS[:3]))


def test_a_cached_conversation_that_cannot_be_the_records_is_refused() -> None:
    summarizer = Summarizer()
    record = summarizer.summarize(_conversation())
    summarizer.summarize(_conversation(TURNS[:2]))  # same id, shorter: replaces the cached one
    with pytest.raises(UsageError, match="shorter"):
        summarizer.update(record, [])
    other = [Message(id=f"z{i}", role=role, text=text) for i, (role, text) in enumerate(TURNS)]
    summarizer.summarize(Conversation(id="t1", messages=other))  # same id, different messages
    with pytest.raises(UsageError, match="does not contain"):
        summarizer.update(record, [])


def test_an_older_record_updates_from_the_cached_prefix() -> None:
    whole = _conversation()
    summarizer = Summarizer()
    old = summarizer.summarize(Conversation(id="t1", messages=whole.messages[:3]))
    summarizer.update(old, whole.messages[3:6])  # the cache now holds six messages
    again = summarizer.update(old, whole.messages[3:])  # old still means the first three
    assert _json(again) == _json(ho.summarize(whole))


def test_cache_evicts_the_least_recently_used() -> None:
    summarizer = Summarizer(cache_size=2)
    records = {name: summarizer.summarize(_conversation(TURNS[:3], id=name)) for name in ("a", "b")}
    summarizer.update(records["a"], [])  # "a" is now the most recent
    records["c"] = summarizer.summarize(_conversation(TURNS[:3], id="c"))  # evicts "b"
    assert "b" not in summarizer.conversations and len(summarizer.conversations) == 2
    with pytest.raises(UsageError):
        summarizer.update(records["b"], [])
    assert summarizer.update(records["a"], []).message_count == 3
    assert summarizer.update(records["c"], []).message_count == 3


def test_cache_size_is_validated_and_zero_keeps_nothing() -> None:
    with pytest.raises(UsageError):
        Summarizer(cache_size=-1)
    cache = ConversationCache(0)
    cache.put(_conversation())
    assert len(cache) == 0 and cache.get("t1") is None


# -- async ------------------------------------------------------------------------------


def test_aupdate_is_the_async_twin() -> None:
    whole = _conversation()

    async def run() -> tuple[HandoffRecord, HandoffRecord]:
        summarizer = Summarizer()
        first = await summarizer.asummarize(Conversation(id="t1", messages=whole.messages[:4]))
        sync = Summarizer().update(
            first, whole.messages[4:], conversation=Conversation(id="t1", messages=whole.messages[:4])
        )
        return await summarizer.aupdate(first, whole.messages[4:]), sync

    updated, sync = asyncio.run(run())
    assert _json(updated) == _json(sync) == _json(ho.summarize(whole))


def test_aupdate_without_a_conversation_is_a_usage_error() -> None:
    with pytest.raises(UsageError):
        asyncio.run(Summarizer().aupdate(ho.summarize(_conversation()), []))


# -- model backends ----------------------------------------------------------------------


class _Full(Backend):
    """A stand-in model backend with no update hook."""

    name = "full"

    def __init__(self) -> None:
        self.seen: list[int] = []

    def extract(self, conversation: Conversation, taxonomy: Taxonomy) -> HandoffRecord:
        self.seen.append(len(conversation))
        return HandoffRecord(conversation_id=conversation.id, message_count=len(conversation))


class _Cheap(_Full):
    """A stand-in model backend with the cheap path: previous record plus new messages."""

    name = "cheap"

    def __init__(self) -> None:
        super().__init__()
        self.updates: list[tuple[int, list[str]]] = []

    def extract_update(
        self,
        record: HandoffRecord,
        conversation: Conversation,
        new_messages: Sequence[Message],
        taxonomy: Taxonomy,
    ) -> HandoffRecord:
        self.updates.append((record.message_count, [m.id for m in new_messages]))
        return record.model_copy(update={"message_count": len(conversation)})


class _AsyncCheap(AsyncBackend):
    name = "acheap"

    async def aextract(self, conversation: Conversation, taxonomy: Taxonomy) -> HandoffRecord:
        return HandoffRecord(conversation_id=conversation.id, message_count=len(conversation))

    async def aextract_update(
        self,
        record: HandoffRecord,
        conversation: Conversation,
        new_messages: Sequence[Message],
        taxonomy: Taxonomy,
    ) -> HandoffRecord:
        return record.model_copy(
            update={"message_count": len(conversation), "summary": f"+{len(new_messages)}"}
        )


class _AsyncFull(AsyncBackend):
    name = "afull"

    async def aextract(self, conversation: Conversation, taxonomy: Taxonomy) -> HandoffRecord:
        return HandoffRecord(conversation_id=conversation.id, message_count=len(conversation))


def test_a_model_backend_without_a_hook_runs_in_full_and_says_so() -> None:
    backend = _Full()
    summarizer = Summarizer(backend=backend)
    first = summarizer.summarize(_conversation(TURNS[:3]))
    updated = summarizer.update(first, _messages(TURNS[3:], 4))
    assert backend.seen == [3, len(TURNS)]
    assert updated.provenance.warnings == [FULL_RUN_WARNING]
    assert first.provenance.warnings == []
    assert ho.summarize(_conversation()).provenance.warnings == []  # rules updates stay silent


def test_a_model_backend_with_a_hook_gets_only_the_new_messages() -> None:
    backend = _Cheap()
    summarizer = Summarizer(backend=backend)
    first = summarizer.summarize(_conversation(TURNS[:3]))
    updated = summarizer.update(first, _messages(TURNS[3:5]))  # ids m1, m2: renamed
    assert backend.seen == [3] and backend.updates == [(3, ["m4", "m5"])]
    assert updated.message_count == 5 and updated.provenance.warnings == []
    again = asyncio.run(summarizer.aupdate(updated, _messages(TURNS[5:6], 6)))  # sync hook, worker thread
    assert backend.updates[-1] == (5, ["m6"]) and again.message_count == 6


def test_async_model_backends_use_the_async_hook_or_run_in_full() -> None:
    async def run(backend: AsyncBackend) -> HandoffRecord:
        summarizer = Summarizer(backend=backend)
        first = await summarizer.asummarize(_conversation(TURNS[:3]))
        return await summarizer.aupdate(first, _messages(TURNS[3:], 4))

    cheap = asyncio.run(run(_AsyncCheap()))
    assert cheap.summary == f"+{len(TURNS) - 3}" and cheap.provenance.warnings == []
    full = asyncio.run(run(_AsyncFull()))
    assert full.message_count == len(TURNS) and full.provenance.warnings == [FULL_RUN_WARNING]
    with pytest.raises(UsageError, match="aupdate"):
        Summarizer(backend=_AsyncFull()).update(HandoffRecord(), [])


# -- documentation -----------------------------------------------------------------------


def test_the_documented_example_runs() -> None:
    text = (Path(__file__).resolve().parents[1] / "docs" / "incremental.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", text, re.S)
    assert blocks
    for block in blocks:
        exec(compile(block, "docs/incremental.md", "exec"), {})
