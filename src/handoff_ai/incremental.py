"""Incremental handoff: refresh a record as the conversation continues.

``Summarizer.update(record, new_messages)`` needs the conversation the record was
built from. The rule, in order:

1. ``conversation=`` given: that is the conversation so far. Its id must equal
   ``record.conversation_id`` (when the record has one) and its length must equal
   ``record.message_count``; otherwise ``UsageError``.
2. Otherwise the summarizer's cache: every ``summarize``/``update`` (and async twin)
   remembers the conversation it read, keyed by conversation id, least recently used
   first out (``Summarizer(cache_size=N)``; ``0`` keeps nothing). The record's
   conversation is the first ``record.message_count`` messages of the cached one, so an
   older record of the same conversation still updates correctly. A cached conversation
   that cannot be the record's (too short, or missing a message the record cites) is
   refused with ``UsageError``, never guessed at.
3. Neither: ``UsageError`` saying to pass ``conversation=``.

New messages are appended in order. A new message whose id is already taken (by the
conversation so far, or by an earlier new message) is renamed: a positional id
``m<N>`` (what parsers give messages without one) becomes ``m<position>``, its
1-based place in the extended conversation, when that is free; any other id becomes
``<id>#2``, ``#3``... — the first free suffix, as parsers rename repeated ids. The
original id is kept in ``metadata["original_id"]``. Same inputs, same ids.

Backends: the rules backend re-runs on the extended conversation (about a
millisecond), so the result equals a fresh ``summarize`` of the whole conversation.
A model backend may offer the cheap path — the previous record plus only the new
messages — by implementing ``SupportsUpdate.extract_update`` (or
``SupportsAsyncUpdate.aextract_update``); otherwise the update is a full extraction
and the record says so in ``provenance.warnings`` (``FULL_RUN_WARNING``).
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from collections.abc import Sequence
from typing import Protocol, runtime_checkable

from .exceptions import UsageError
from .models import Conversation, HandoffRecord, Message, Participant
from .taxonomy import Taxonomy

__all__ = [
    "DEFAULT_CACHE_SIZE",
    "FULL_RUN_WARNING",
    "ConversationCache",
    "SupportsAsyncUpdate",
    "SupportsUpdate",
    "conversation_of",
    "extend",
]

DEFAULT_CACHE_SIZE = 128
"""Conversations a ``Summarizer`` remembers for ``update`` unless told otherwise."""
FULL_RUN_WARNING = "incremental update ran a full extraction"
"""Added to ``provenance.warnings`` when a model backend had no cheap update path."""

_POSITIONAL = re.compile(r"m\d+")


@runtime_checkable
class SupportsUpdate(Protocol):
    """A sync backend that can refresh a record from the new messages alone."""

    def extract_update(
        self,
        record: HandoffRecord,
        conversation: Conversation,
        new_messages: Sequence[Message],
        taxonomy: Taxonomy,
    ) -> HandoffRecord:
        """The refreshed record for ``conversation`` (the extended one; its last
        ``len(new_messages)`` messages are new), given the previous ``record``."""
        ...


@runtime_checkable
class SupportsAsyncUpdate(Protocol):
    """An async backend that can refresh a record from the new messages alone."""

    async def aextract_update(
        self,
        record: HandoffRecord,
        conversation: Conversation,
        new_messages: Sequence[Message],
        taxonomy: Taxonomy,
    ) -> HandoffRecord:
        """Async twin of ``SupportsUpdate.extract_update``."""
        ...


class ConversationCache:
    """A thread-safe LRU of conversations by id (the ones a summarizer has read).

    Holds transcripts, which are personal data: size it to what ``update`` needs,
    or ``0`` to keep nothing.
    """

    def __init__(self, size: int = DEFAULT_CACHE_SIZE) -> None:
        if size < 0:
            raise UsageError(f"cache_size must be 0 or more, not {size}")
        self.size = size
        self._items: OrderedDict[str, Conversation] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._items)

    def __contains__(self, conversation_id: object) -> bool:
        return conversation_id in self._items

    def put(self, conversation: Conversation) -> None:
        """Remember ``conversation`` (replacing one of the same id), evicting the oldest."""
        if not self.size:
            return
        with self._lock:
            self._items[conversation.id] = conversation
            self._items.move_to_end(conversation.id)
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def get(self, conversation_id: str) -> Conversation | None:
        """The cached conversation with this id (now most recently used), or ``None``."""
        with self._lock:
            found = self._items.get(conversation_id)
            if found is not None:
                self._items.move_to_end(conversation_id)
            return found

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


def conversation_of(
    record: HandoffRecord, cache: ConversationCache, conversation: Conversation | None = None
) -> Conversation:
    """The conversation ``record`` was built from, by the rule in the module docstring.

    Raises:
        UsageError: the given conversation does not match the record, or none is known.
    """
    if conversation is not None:
        if record.conversation_id and conversation.id != record.conversation_id:
            raise UsageError(
                f"conversation id {conversation.id!r} is not the record's ({record.conversation_id!r})"
            )
        if len(conversation) != record.message_count:
            raise UsageError(
                f"the record was built from {record.message_count} messages, "
                f"but the conversation given has {len(conversation)}"
            )
        return conversation
    cached = cache.get(record.conversation_id)
    if cached is None:
        raise UsageError(
            f"no conversation known for record {record.conversation_id!r}: pass conversation= "
            "(the conversation so far), or update a record this Summarizer produced "
            f"(it remembers the last {cache.size} conversations)"
        )
    if record.message_count > len(cached):
        raise UsageError(
            f"the cached conversation {record.conversation_id!r} is shorter than the record "
            f"({len(cached)} < {record.message_count} messages): pass conversation="
        )
    prefix = cached.messages[: record.message_count]
    if not record.evidence_ids() <= {m.id for m in prefix}:
        raise UsageError(
            f"the cached conversation {record.conversation_id!r} does not contain every message "
            "the record cites (another conversation with the same id?): pass conversation="
        )
    if len(prefix) == len(cached):
        return cached
    return Conversation(
        id=cached.id, messages=prefix, metadata=dict(cached.metadata)
    )  # channels and participants derive from the prefix


def _rename(message_id: str, position: int, taken: set[str]) -> str:
    if _POSITIONAL.fullmatch(message_id) and f"m{position}" not in taken:
        return f"m{position}"
    suffix = 2
    while f"{message_id}#{suffix}" in taken:
        suffix += 1
    return f"{message_id}#{suffix}"


def extend(
    conversation: Conversation, new: Conversation | Sequence[Message]
) -> tuple[Conversation, list[Message]]:
    """``conversation`` with ``new`` appended, and the new messages as appended (renamed
    where their ids were taken; see the module docstring). Neither input is modified.

    The result keeps ``conversation``'s id; channels and participants are the union of
    both in order of first appearance; metadata is ``conversation``'s updated by ``new``'s.
    """
    incoming = list(new.messages if isinstance(new, Conversation) else new)
    existing = {m.id for m in conversation.messages}
    taken = existing | {m.id for m in incoming}
    seen: set[str] = set()
    added: list[Message] = []
    for offset, message in enumerate(incoming):
        if message.id in existing or message.id in seen:
            renamed = _rename(message.id, len(conversation.messages) + offset + 1, taken)
            taken.add(renamed)
            metadata = {**message.metadata, "original_id": message.metadata.get("original_id", message.id)}
            message = message.model_copy(update={"id": renamed, "metadata": metadata})
        seen.add(message.id)
        added.append(message)
    tail = new if isinstance(new, Conversation) else Conversation(messages=added)
    channels = list(dict.fromkeys([*conversation.channels, *tail.channels]))
    people = dict.fromkeys((p.name, p.role) for p in [*conversation.participants, *tail.participants])
    extended = Conversation(
        id=conversation.id,
        messages=[*conversation.messages, *added],
        channels=channels,
        participants=[Participant(name=name, role=role) for name, role in people],
        metadata={**conversation.metadata, **(new.metadata if isinstance(new, Conversation) else {})},
    )
    return extended, added
