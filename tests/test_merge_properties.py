"""Properties of merge() over random message sets split across channels.

For any inputs (random times, missing times, colliding ids, injected copies):
every input message is in the timeline or reported exactly once, each input
keeps its order, the result does not depend on the order of the inputs, and
the timeline is in time order with an event at every channel change.
"""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta, timezone
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import handoff_ai as ho
from handoff_ai import Conversation, MergeReport, Message

T0 = datetime(2024, 5, 1, 9, 0, tzinfo=timezone.utc)
TEXTS = ["hello", "Order A-1 is late", "order a-1 is LATE", "thanks", "refund please", ""]
ROLES = ["customer", "customer", "agent", "bot", "system"]
WINDOW = timedelta(minutes=2)

_message = st.tuples(
    st.sampled_from(ROLES),
    st.sampled_from(TEXTS),
    st.one_of(st.none(), st.integers(0, 900)),  # seconds after T0, or no time
    st.sampled_from([None, "Dana", "Lee"]),
)
_input = st.tuples(
    st.sampled_from(["chat", "email", "whatsapp"]),
    st.sampled_from(["a", "b"]),
    st.lists(_message, max_size=7),
)


def _build(specs: list[tuple[str, str, list[tuple[str, str, int | None, str | None]]]]) -> list[Conversation]:
    conversations = []
    for channel, conversation_id, rows in specs:
        timed = iter(sorted(s for _, _, s, _ in rows if s is not None))  # each input in time order
        messages = []
        for index, (role, text, seconds, author) in enumerate(rows, start=1):
            offset = next(timed) if seconds is not None else None
            fields: dict[str, Any] = {"kind": "event"} if role == "system" else {}
            messages.append(
                Message(
                    id=f"m{index}",
                    role=role,
                    text=text,
                    author=author,
                    channel=channel,
                    timestamp=None if offset is None else T0 + timedelta(seconds=offset),
                    **fields,
                )
            )
        conversations.append(Conversation(id=conversation_id, messages=messages))
    return conversations


@st.composite
def inputs(draw: st.DrawFn) -> list[Conversation]:
    conversations = _build(draw(st.lists(_input, min_size=1, max_size=4)))
    # Inject mirrored copies: a message of one input, re-sent on another input within +-3 minutes.
    for _ in range(draw(st.integers(0, 3))):
        source = draw(st.sampled_from(conversations))
        if not source.messages:
            continue
        original = draw(st.sampled_from(source.messages))
        target = draw(st.sampled_from(conversations))
        shift = timedelta(seconds=draw(st.integers(-180, 180)))
        time = None if original.timestamp is None else original.timestamp + shift
        position = draw(st.integers(0, len(target.messages)))
        copy = original.model_copy(update={"id": f"x{len(target.messages) + 1}", "timestamp": time})
        messages = [*target.messages[:position], copy, *target.messages[position:]]
        if time is not None:  # keep the target in time order: the copy goes where its time says
            messages.sort(key=lambda m: m.timestamp or datetime.min.replace(tzinfo=timezone.utc))
        index = conversations.index(target)
        conversations[index] = Conversation(id=target.id, messages=messages)
    return conversations


def _report(conversation: Conversation) -> MergeReport:
    report = MergeReport.of(conversation)
    assert report is not None
    return report


def _placed(merged: Conversation) -> list[tuple[str, str]]:
    renamed = {r.merged: r.original for r in _report(merged).renamed}
    return [(m.metadata["merge_input"], renamed.get(m.id, m.id)) for m in merged.messages if not _event(m)]


def _event(message: Message) -> bool:
    return bool(message.metadata.get("merge_event"))


def _labels(merged: Conversation, conversations: list[Conversation]) -> list[str]:
    by_position = {i.position: i.label for i in _report(merged).inputs}
    return [by_position[p] for p in range(len(conversations))]


SETTINGS = settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(inputs())
def test_every_message_is_kept_or_reported_exactly_once(conversations: list[Conversation]) -> None:
    merged = ho.merge(conversations, duplicate_window=WINDOW)
    report = _report(merged)
    labels = _labels(merged, conversations)
    expected = sorted(
        (label, m.id) for label, c in zip(labels, conversations, strict=True) for m in c.messages
    )
    reported = [(d.input, d.id) for d in report.duplicates]
    assert sorted(_placed(merged) + reported) == expected
    for duplicate in report.duplicates:
        kept = merged.get(duplicate.kept or "")
        dropped = next(c for label, c in zip(labels, conversations, strict=True) if label == duplicate.input)
        copy = dropped.get(duplicate.id)
        assert kept is not None and copy is not None
        assert kept.role == copy.role and " ".join(kept.text.casefold().split()) == " ".join(
            copy.text.casefold().split()
        )
        assert kept.timestamp is not None and copy.timestamp is not None
        assert abs(kept.timestamp - copy.timestamp) <= WINDOW


@SETTINGS
@given(inputs())
def test_each_input_keeps_its_order(conversations: list[Conversation]) -> None:
    merged = ho.merge(conversations)
    labels = _labels(merged, conversations)
    dropped = {(d.input, d.id) for d in _report(merged).duplicates}
    placed = _placed(merged)
    for label, conversation in zip(labels, conversations, strict=True):
        expected = [m.id for m in conversation.messages if (label, m.id) not in dropped]
        assert [mid for source, mid in placed if source == label] == expected


@SETTINGS
@given(inputs(), st.data())
def test_the_order_of_the_inputs_does_not_matter(
    conversations: list[Conversation], data: st.DataObject
) -> None:
    shuffled = data.draw(st.permutations(conversations))
    one, two = ho.merge(conversations), ho.merge(shuffled)
    assert [m.model_dump() for m in one.messages] == [m.model_dump() for m in two.messages]
    assert one.id == two.id
    without_positions = [
        _report(c).model_dump(exclude={"inputs": {"__all__": {"position"}}}) for c in (one, two)
    ]
    assert without_positions[0] == without_positions[1]


@SETTINGS
@given(inputs())
def test_the_timeline_is_in_time_order_with_an_event_at_every_channel_change(
    conversations: list[Conversation],
) -> None:
    merged = ho.merge(conversations)
    assert len(set(merged.ids)) == len(merged.ids)
    times = [m.timestamp for m in merged.messages if m.timestamp is not None and not _event(m)]
    assert times == sorted(times)
    real = [m for m in merged.messages if not _event(m)]
    switches = sum(a.channel != b.channel for a, b in itertools.pairwise(real))
    assert len(_report(merged).events) == switches
    for index, message in enumerate(merged.messages):
        if _event(message):
            before, after = merged.messages[index - 1], merged.messages[index + 1]
            assert not _event(before) and not _event(after)
            assert message.text == f"Channel switch: {before.channel} → {after.channel}"
            assert message.channel == after.channel
