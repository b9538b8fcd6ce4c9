"""Ownership changes: who held the conversation, when it changed hands, and how.

The owner of a conversation is the bot or agent answering the customer, known by
role and author. A change is one transfer whether it shows as an announcement
("transferring you now"), a logged assignment event, the new owner's first
message, or all three: the pieces are joined into one :class:`Transfer`. A logged
team change with the same person answering is a ``team_change``; an announcement
nobody followed (the data ends at the handoff) is ``announced``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..models import Conversation, Message
from ..rules.phrases import CueReader
from .cues import cues, sentences, tokens
from .models import Transfer

__all__ = ["Ownership", "find_transfers", "owner_key"]


def owner_key(message: Message, current: str | None) -> str:
    """``bot:NAME`` / ``agent:NAME``; an agent with no author continues the current agent."""
    if message.role == "bot":
        return f"bot:{message.author or 'bot'}"
    if message.author:
        return f"agent:{message.author}"
    if current is not None and current.startswith("agent:"):
        return current
    return "agent:?"


@dataclass
class _Pending:
    transfer: Transfer
    from_event: bool  # started by a logged event (a second event is a second transfer)
    has_event: bool
    start_index: int


@dataclass
class Ownership:
    """Transfers and the owner in charge at each message (by position)."""

    transfers: list[tuple[Transfer, int, int]] = field(default_factory=list)
    """(transfer, index where it started, index of the new owner's first message or -1)."""
    owners: list[str | None] = field(default_factory=list)


def _announces(text: str, labels: dict[str, int]) -> bool:
    """A transfer announced in ``text`` (not an offer, a question or a refusal)."""
    if "transfer" not in labels:
        return False
    index = cues().own
    for sentence in sentences(text):
        found = index.scan(tokens(sentence))
        if "transfer" in found and "transfer_not" not in found and not sentence.rstrip().endswith("?"):
            return True
    return False


def _kind(old: str | None, new: str | None) -> str:
    if new is None:
        return "announced"
    if old is None or old == new:
        return "team_change"
    pair = (old.split(":")[0], new.split(":")[0])
    return {
        ("bot", "agent"): "bot_to_agent",
        ("agent", "bot"): "agent_to_bot",
        ("bot", "bot"): "bot_to_bot",
    }.get(pair, "agent_to_agent")


def find_transfers(
    conversation: Conversation, own_labels: dict[int, dict[str, int]], events: CueReader
) -> Ownership:
    """Every ownership change in ``conversation``, in order.

    ``own_labels``: the audit-cue labels of each bot/agent message by position.
    """
    result = Ownership()
    owner: str | None = None
    pending: _Pending | None = None
    channel: str | None = None
    messages = conversation.messages

    def close(p: _Pending, new_owner: str | None, index: int) -> None:
        p.transfer.kind = _kind(p.transfer.from_owner, new_owner)  # type: ignore[assignment]
        p.transfer.to_owner = new_owner
        if index >= 0 and messages[index].id not in p.transfer.evidence:
            p.transfer.evidence.append(messages[index].id)
        result.transfers.append((p.transfer, p.start_index, index))

    for index, message in enumerate(messages):
        if message.kind == "note":
            result.owners.append(owner)
            continue
        if message.role == "system" or message.kind == "event":
            if _ownership_event(message, events):
                if pending is not None and not pending.from_event and not pending.has_event:
                    pending.has_event = True
                    pending.transfer.evidence.append(message.id)
                else:
                    if pending is not None:
                        close(pending, owner, -1)  # an earlier team change, nobody wrote in between
                    pending = _Pending(
                        Transfer(kind="team_change", from_owner=owner, evidence=[message.id]),
                        True,
                        True,
                        index,
                    )
            result.owners.append(owner)
            continue
        if message.role not in ("bot", "agent"):
            channel = message.channel or channel
            result.owners.append(owner)
            continue
        key = owner_key(message, owner)
        switched = bool(channel and message.channel and message.channel != channel)
        channel = message.channel or channel
        closed_team_change = False
        if owner is None:
            owner = key
            if pending is not None:  # an event before anyone wrote: not a change of hands
                pending = None
        elif key != owner:
            if pending is None:
                pending = _Pending(Transfer(kind="agent_to_agent", from_owner=owner), False, False, index)
            pending.transfer.channel_change = pending.transfer.channel_change or switched
            close(pending, key, index)
            pending = None
            owner = key
        elif pending is not None and pending.from_event:
            close(pending, key, index)  # the same person answers after a team change
            pending = None
            closed_team_change = True
        result.owners.append(owner)
        announced = message.kind == "message" and not closed_team_change and pending is None
        if announced and _announces(message.text, own_labels.get(index, {})):
            pending = _Pending(
                Transfer(kind="announced", from_owner=owner, evidence=[message.id]), False, False, index
            )
    if pending is not None:
        close(pending, None if not pending.from_event else owner, -1)
        if pending.from_event:
            pending.transfer.kind = "team_change"
    return result


def _ownership_event(message: Message, events: CueReader) -> bool:
    meta = message.metadata
    if meta.get("channel_switch"):
        return False
    lower = message.text.lower()
    if any(stem in lower for stem in cues().event_stems) and events.labels(message.text):
        return True
    return any(
        meta.get(k) not in (None, "") for k in ("assignee", "assignee_id", "assigned_to", "team", "group")
    )
