"""The merge itself: inputs ordered, duplicates collapsed, ids kept unique, channel
switches marked (the rules are in the package docstring, :mod:`handoff_ai.merge`)."""

from __future__ import annotations

import copy
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from ..exceptions import UsageError
from ..models import Conversation, Message
from .identity import _resolve_people
from .inputs import _EARLIEST, _Input, _prepare, _rank_and_label
from .report import DuplicateMessage, DuplicateReason, MergedInput, MergeReport, RenamedId

__all__ = ["DuplicateMessage", "MergeReport", "MergedInput", "RenamedId", "merge", "split"]

_SPACE = re.compile(r"\s+")


# -- the merge ------------------------------------------------------------------------------


@dataclass
class _Entry:
    item: _Input
    index: int
    message: Message
    merged_id: str = ""


def _normal_text(text: str) -> str:
    return _SPACE.sub(" ", unicodedata.normalize("NFKC", text).casefold()).strip()


def _same_author(a: Message, b: Message) -> bool:
    if a.role == "customer":
        return True  # the key already holds the resolved person
    return not a.author or not b.author or a.author.strip().casefold() == b.author.strip().casefold()


def _same_turn_or_input(kept: _Entry, entry: _Entry) -> bool:
    """Copies in different inputs may mirror each other; within one input, only a copy sent
    again before anyone else spoke is a re-send (a repeat after a reply is a repeat)."""
    return kept.item is not entry.item or kept.item.turns[kept.index] == entry.item.turns[entry.index]


def _assign_ids(ordered: list[_Input]) -> dict[tuple[int, int], str]:
    owners: dict[str, set[int]] = {}
    for item in ordered:
        for message in item.conversation.messages:
            owners.setdefault(message.id, set()).add(item.rank)
    taken = {mid for mid, ranks in owners.items() if len(ranks) == 1}
    ids: dict[tuple[int, int], str] = {}
    for item in ordered:
        for index, message in enumerate(item.conversation.messages):
            if len(owners[message.id]) == 1:
                ids[item.rank, index] = message.id
                continue
            candidate, suffix = f"{item.label}:{message.id}", 1
            while candidate in taken:
                suffix += 1
                candidate = f"{item.label}:{message.id}#{suffix}"
            taken.add(candidate)
            ids[item.rank, index] = candidate
    return ids


def merge(
    conversations: Sequence[Conversation],
    *,
    identities: Mapping[str, str] | None = None,
    duplicate_window: timedelta = timedelta(minutes=2),
    allow_multiple_customers: bool = False,
    id: str | None = None,
) -> Conversation:
    """One timeline from several conversations of one customer.

    Args:
        conversations: the inputs (chat, email thread, WhatsApp export, ...).
            Their order does not matter: see the tie-break rule above.
        identities: raw identifier (email, phone, customer id or display name)
            → your person id; links inputs that share no identifier, and
            separates people the data cannot tell apart.
        duplicate_window: how far apart two copies of a message may be and
            still be collapsed (``timedelta(0)``: same instant only).
        allow_multiple_customers: merge inputs that resolve to different
            customers instead of raising (a shared inbox, a group chat).
        id: the merged conversation's id; default: the input ids joined by ``+``.

    Returns:
        The merged ``Conversation``; ``MergeReport.of(result)`` (also in
        ``result.metadata["merge"]``) says what was collapsed and renamed.

    Raises:
        UsageError: no inputs, a non-``Conversation`` input, a negative window,
            or inputs of different customers without ``allow_multiple_customers``.
    """
    if isinstance(conversations, Conversation) or not conversations:
        raise UsageError("merge() needs a non-empty sequence of conversations")
    for position, conversation in enumerate(conversations):
        if not isinstance(conversation, Conversation):
            raise UsageError(
                f"merge() input {position} is a {type(conversation).__name__}, not a Conversation"
            )
    if duplicate_window < timedelta(0):
        raise UsageError("duplicate_window must not be negative")
    ordered = _rank_and_label([_prepare(p, c) for p, c in enumerate(conversations)])
    people = _resolve_people(ordered, identities or {}, allow_multiple_customers)
    ids = _assign_ids(ordered)
    report = MergeReport(people=people)

    entries = [
        _Entry(item, index, message, ids[item.rank, index])
        for item in ordered
        for index, message in enumerate(item.conversation.messages)
    ]
    entries.sort(
        key=lambda e: (
            e.item.effective[e.index] is None,
            e.item.effective[e.index] or _EARLIEST,
            e.item.rank,
            e.index,
        )
    )

    kept, source_of, dropped_count = _collapse(entries, duplicate_window, report)
    timeline = _with_switch_events(kept, report)
    _account(entries, source_of, report)
    for item in ordered:
        messages = len(item.conversation.messages)
        kinds = sorted({k.split(":", 1)[0] for k in item.keys} | ({"mapped"} if item.mapped else set()))
        report.inputs.append(
            MergedInput(
                label=item.label, conversation_id=item.conversation.id, position=item.position,
                channel=item.channel, messages=messages, kept=messages - dropped_count.get(item.rank, 0),
                person=item.person, identifiers=kinds,
            )
        )  # fmt: skip
        untimed = sum(t is None for t in item.times)
        if untimed == messages and messages:
            report.warnings.append(f"input {item.label!r} has no timestamps: placed after the timed inputs")
        elif untimed:
            report.warnings.append(
                f"input {item.label!r}: {untimed} message(s) without a timestamp take their neighbour's time"
            )
    metadata: dict[str, Any] = {"merge": report.model_dump(mode="json")}
    given = {item.label: item.conversation.metadata for item in ordered if item.conversation.metadata}
    if given:
        metadata["inputs"] = given
    merged_id = id if id is not None else "+".join(dict.fromkeys(i.conversation.id for i in ordered))
    return Conversation(id=merged_id, messages=timeline, metadata=metadata)


def _collapse(
    entries: list[_Entry], window: timedelta, report: MergeReport
) -> tuple[list[Message], dict[str, _Entry], dict[int, int]]:
    """Walk the timeline, dropping copies (reported) and copying what stays.

    Returns the kept messages, the entry behind each kept id, and how many
    messages each input (by rank) lost.
    """
    kept: list[Message] = []
    source_of: dict[str, _Entry] = {}
    dropped: dict[int, int] = {}
    # (effective time, time, message) per key, in timeline order: effective times never decrease.
    candidates: dict[tuple[str, ...], list[tuple[datetime, datetime, Message]]] = {}
    for entry in entries:
        item, message = entry.item, entry.message
        if message.metadata.get("merge_event"):
            report.duplicates.append(
                DuplicateMessage(input=item.label, id=message.id, kept=None, reason="regenerated")
            )
            dropped[item.rank] = dropped.get(item.rank, 0) + 1
            continue
        time = item.times[entry.index]
        logged = message.role == "system" or message.kind == "event"
        text = "" if logged else _normal_text(message.text)
        key = (message.role, message.kind, item.person if message.role == "customer" else "", text)
        original: Message | None = None
        if time is not None and text:
            for effective, other_time, other in reversed(candidates.get(key, [])):
                if effective < time - window:
                    break  # this one and every earlier one are too old
                if (
                    abs(time - other_time) <= window
                    and _same_author(message, other)
                    and _same_turn_or_input(source_of[other.id], entry)
                ):
                    original = other
                    break
        if original is not None:
            resent = source_of[original.id].item is item and item.channels[entry.index] == original.channel
            reason: DuplicateReason = "resent" if resent else "mirrored"
            report.duplicates.append(
                DuplicateMessage(input=item.label, id=message.id, kept=original.id, reason=reason)
            )
            original.metadata.setdefault("duplicates", []).append(
                {"input": item.label, "id": message.id, "reason": reason}
            )
            dropped[item.rank] = dropped.get(item.rank, 0) + 1
            continue
        copy = _copy(entry, time)
        effective_time = item.effective[entry.index]
        if time is not None and text and effective_time is not None:
            candidates.setdefault(key, []).append((effective_time, time, copy))
        source_of[copy.id] = entry
        kept.append(copy)
    return kept, source_of, dropped


def _copy(entry: _Entry, time: datetime | None) -> Message:
    """The message as it appears in the timeline: merged id, channel, aware time, merge metadata."""
    message, item = entry.message, entry.item
    metadata = copy.deepcopy(message.metadata)
    metadata["merge_input"] = item.label
    if message.role == "customer":
        metadata["merge_person"] = item.person
    if entry.merged_id != message.id:
        metadata.setdefault("original_id", message.id)
    update = {"id": entry.merged_id, "channel": item.channels[entry.index], "timestamp": time,
              "metadata": metadata}  # fmt: skip
    return message.model_copy(update=update)


def _with_switch_events(kept: list[Message], report: MergeReport) -> list[Message]:
    taken = {m.id for m in kept}
    timeline: list[Message] = []
    previous: str | None = None
    for message in kept:
        if previous is not None and message.channel != previous:
            number = len(report.events) + 1
            event_id, suffix = f"channel-switch-{number}", 1
            while event_id in taken:
                suffix += 1
                event_id = f"channel-switch-{number}#{suffix}"
            taken.add(event_id)
            report.events.append(event_id)
            timeline.append(
                Message(
                    id=event_id,
                    role="system",
                    kind="event",
                    text=f"Channel switch: {previous} → {message.channel}",
                    timestamp=message.timestamp,
                    channel=message.channel,
                    metadata={
                        "merge_event": True,
                        "channel_switch": {"from": previous, "to": message.channel},
                    },
                )
            )
        timeline.append(message)
        previous = message.channel
    return timeline


def _account(entries: list[_Entry], source_of: dict[str, _Entry], report: MergeReport) -> None:
    """Check that every input message is in the timeline or reported, exactly once; record renames."""
    placed = {(e.item.label, e.message.id) for e in source_of.values()}
    reported = [(d.input, d.id) for d in report.duplicates]
    everything = {(e.item.label, e.message.id) for e in entries}
    if len(placed) + len(reported) != len(entries) or placed | set(reported) != everything:
        raise AssertionError("merge lost or doubled a message")  # a bug in merge, never the input's fault
    for merged_id, entry in source_of.items():
        if merged_id != entry.message.id:
            report.renamed.append(
                RenamedId(input=entry.item.label, original=entry.message.id, merged=merged_id)
            )
    report.renamed.sort(key=lambda r: r.merged)


# -- split ----------------------------------------------------------------------------------


def split(conversation: Conversation, *, by: Literal["thread"] = "thread") -> list[Conversation]:
    """One conversation per thread of a shared channel (Slack ``thread_ts``, email ``thread``).

    A message's thread is ``metadata["thread_ts"]``, else ``metadata["thread"]``,
    else its own Slack ``ts`` (a top-level post starts its own thread); messages
    with none of these form one conversation together. Threads come in order of
    their first message; message ids and order are kept. Each part's id is
    ``<id>:<thread>`` and its ``metadata["split"]`` names the thread.

    Raises:
        UsageError: ``by`` is not ``"thread"``.
    """
    if by != "thread":
        raise UsageError(f"split(by={by!r}) is not supported; use by='thread'")
    groups: dict[str, list[Message]] = {}
    for message in conversation.messages:
        meta = message.metadata
        thread = next((meta[k] for k in ("thread_ts", "thread", "ts") if isinstance(meta.get(k), str)), "")
        groups.setdefault(thread, []).append(message.model_copy(deep=True))
    parts: list[Conversation] = []
    for thread, messages in groups.items():
        metadata = {**conversation.metadata, "split": {"by": by, "thread": thread, "from": conversation.id}}
        part_id = f"{conversation.id}:{thread}" if thread else conversation.id
        parts.append(Conversation(id=part_id, messages=messages, metadata=metadata))
    return parts
