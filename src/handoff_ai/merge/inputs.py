"""The inputs of a merge: channels, effective times, turns, canonical rank and label."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from ..models import Conversation
from .identity import _customer_keys

_UTC = timezone.utc
_EARLIEST = datetime.min.replace(tzinfo=_UTC)


@dataclass
class _Input:
    position: int
    conversation: Conversation
    channels: list[str]
    times: list[datetime | None]
    effective: list[datetime | None]
    keys: set[str]
    names: set[str]
    digest: str
    channel: str
    label: str = ""
    file: str = ""
    rank: int = 0
    person: str = ""
    mapped: set[str] = field(default_factory=set)
    turns: list[int] = field(default_factory=list)


def _aware(value: datetime | None) -> datetime | None:
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=_UTC)
    return value


def _stable(value: Any) -> str:
    """Text that is the same for equal metadata whatever its key order (for the tie-break digest)."""
    try:
        return json.dumps(value, sort_keys=True, default=str)
    except (TypeError, ValueError):  # keys that cannot be sorted or encoded
        return repr(value)


def _prepare(position: int, conversation: Conversation) -> _Input:
    messages = conversation.messages
    default = (
        conversation.channels[0]
        if conversation.channels
        else next((m.source.format for m in messages if m.source and m.source.format), None)
        or conversation.id
    )
    # A message without a channel takes its previous neighbour's, else the next one's.
    filled: list[str | None] = []
    for message in messages:
        filled.append(message.channel or (filled[-1] if filled else None))
    first = next((c for c in filled if c), default)
    channels = [c or first for c in filled]
    times = [_aware(m.timestamp) for m in messages]
    current = next((t for t in times if t is not None), None)
    effective: list[datetime | None] = []
    for time in times:
        if time is not None and current is not None and time > current:
            current = time
        effective.append(current)
    digest = hashlib.sha256(_stable(conversation.metadata).encode())
    for message, time in zip(messages, times, strict=True):
        fields = (message.id, message.role, message.kind, message.author, message.channel, message.text)
        digest.update(repr((*fields, time.isoformat() if time else None, message.source)).encode())
        digest.update(_stable(message.metadata).encode())
    keys, names = _customer_keys(conversation)
    item = _Input(
        position, conversation, channels, times, effective, keys, names, digest.hexdigest(), default
    )
    item.file = next((m.source.file for m in messages if m.source and m.source.file), None) or ""
    # A turn is a run of messages of one role: a re-send is only a re-send within its turn.
    turn = 0
    for index, message in enumerate(messages):
        turn += index > 0 and message.role != messages[index - 1].role
        item.turns.append(turn)
    return item


def _rank_and_label(inputs: list[_Input]) -> list[_Input]:
    """Sort inputs canonically (never by argument order) and give each a unique label."""
    ordered = sorted(
        inputs,
        key=lambda i: (
            not i.effective or i.effective[0] is None,
            (i.effective[0] if i.effective and i.effective[0] else _EARLIEST),
            i.channel,
            i.conversation.id,
            i.digest,
        ),
    )
    by_channel: dict[str, int] = {}
    by_pair: dict[tuple[str, str], int] = {}
    for item in ordered:
        by_channel[item.channel] = by_channel.get(item.channel, 0) + 1
        pair = (item.channel, item.conversation.id)
        by_pair[pair] = by_pair.get(pair, 0) + 1
    seen: dict[tuple[str, str], int] = {}
    for rank, item in enumerate(ordered):
        item.rank = rank
        pair = (item.channel, item.conversation.id)
        if by_channel[item.channel] == 1:
            item.label = item.channel
        elif by_pair[pair] == 1:
            item.label = f"{item.channel}:{item.conversation.id}"
        else:
            seen[pair] = seen.get(pair, 0) + 1
            item.label = f"{item.channel}:{item.conversation.id}#{seen[pair]}"
    return ordered
