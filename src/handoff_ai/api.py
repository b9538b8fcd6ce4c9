"""The entry points: ``summarize``, ``asummarize`` and the reusable ``Summarizer``.

With no backend given, the rules backend answers: no key, no network.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

from .backends import (
    AsyncBackend,
    AsyncFallbackBackend,
    AsyncOpenAIBackend,
    Backend,
    FallbackBackend,
    OpenAIBackend,
    RulesBackend,
    get_backend,
)
from .backends.note_language import with_note_language
from .escalation import should_escalate
from .escalation.policy import PolicyLike
from .exceptions import UsageError
from .incremental import (
    DEFAULT_CACHE_SIZE,
    FULL_RUN_WARNING,
    ConversationCache,
    SupportsAsyncUpdate,
    SupportsUpdate,
    conversation_of,
    extend,
)
from .models import Conversation, HandoffRecord, Message
from .parsers import load
from .taxonomy import Taxonomy

__all__ = ["Summarizer", "asummarize", "summarize"]

BackendLike = Backend | AsyncBackend | str | None
TaxonomyLike = Taxonomy | str | Path | dict[str, Any] | None
EscalationLike = bool | PolicyLike


@lru_cache(maxsize=1)
def _rules_backend() -> RulesBackend:
    return RulesBackend()


def _default_backend(*, asynchronous: bool = False) -> Backend | AsyncBackend:
    """Rules, or — when ``HANDOFF_AI_MODEL`` is set (read at call time) — the model
    backend with the rules backend as its fallback."""
    if not os.environ.get("HANDOFF_AI_MODEL"):
        return _rules_backend()
    if asynchronous:
        return AsyncFallbackBackend(AsyncOpenAIBackend(), _rules_backend())
    return FallbackBackend(OpenAIBackend(), _rules_backend())


def _resolve_backend(backend: BackendLike, *, asynchronous: bool = False) -> Backend | AsyncBackend:
    if backend is None:
        return _default_backend(asynchronous=asynchronous)
    if isinstance(backend, str):
        return get_backend(backend)
    if isinstance(backend, (Backend, AsyncBackend)):
        return backend
    raise UsageError(f"backend must be a Backend, an AsyncBackend or a name, not {type(backend).__name__}")


def _resolve_taxonomy(taxonomy: TaxonomyLike) -> Taxonomy:
    if taxonomy is None:
        return Taxonomy.default()
    if isinstance(taxonomy, Taxonomy):
        return taxonomy
    if isinstance(taxonomy, (str, Path)):
        return Taxonomy.load(taxonomy)
    if isinstance(taxonomy, dict):
        return Taxonomy.from_dict(taxonomy)
    raise UsageError(f"taxonomy must be a Taxonomy, a path or a dict, not {type(taxonomy).__name__}")


class Summarizer:
    """A configured pipeline: build once, call for every conversation.

    Args:
        backend: a backend instance or registered name; default: rules, or
            ``FallbackBackend(OpenAIBackend(), RulesBackend())`` when the
            ``HANDOFF_AI_MODEL`` environment variable names a model (read at call time).
        taxonomy: a ``Taxonomy``, a path to a TOML/JSON taxonomy, or a dict;
            default: the packaged generic-support taxonomy.
        format: input format for sources that are not ``Conversation`` objects.
        cache_size: how many conversations (by id, least recently used out) to remember
            so ``update`` can extend them without ``conversation=``; ``0`` keeps none.
            They are transcripts: personal data held in memory.
        escalation: ``True`` (the packaged policy), an ``EscalationPolicy``, a policy dict or
            a TOML/JSON path: every record then carries ``handoff.decision``, the
            ``should_escalate`` decision for the same messages. Off by default: it about
            doubles the rules engine's time per conversation.
        note_language: the language of the record's own words — summary frames, next
            steps, the note's labels, a model's free text: ``"en"``, ``"de"``, ``"fr"``,
            ``"es"``, ``"pt"`` (or the English name). Default: the conversation's language
            when the rules read it, else English. Quoted words stay as written.
    """

    def __init__(
        self,
        *,
        backend: BackendLike = None,
        taxonomy: TaxonomyLike = None,
        format: str = "auto",
        cache_size: int = DEFAULT_CACHE_SIZE,
        escalation: EscalationLike = False,
        note_language: str | None = None,
    ) -> None:
        self.backend = _resolve_backend(backend)
        # With no backend given and a model configured, asummarize uses the async twin.
        self._async_backend = (
            _resolve_backend(backend, asynchronous=True) if backend is None else self.backend
        )
        if note_language is not None:
            self.backend = with_note_language(self.backend, note_language)
            self._async_backend = with_note_language(self._async_backend, note_language)
        self.taxonomy = _resolve_taxonomy(taxonomy)
        self.format = format
        self.escalation = escalation
        self.conversations = ConversationCache(cache_size)

    def _conversation(self, source: Any, format: str | None) -> Conversation:
        if isinstance(source, Conversation):
            return source
        return load(source, format=format or self.format)

    def summarize(self, source: Any, *, format: str | None = None) -> HandoffRecord:
        """The handoff record for ``source`` (a Conversation or anything ``load`` accepts)."""
        conversation = self._conversation(source, format)
        if isinstance(self.backend, AsyncBackend):
            raise UsageError("this backend is async: use asummarize() / Summarizer.asummarize()")
        record = self.backend.extract(conversation, self.taxonomy)
        self.conversations.put(conversation)
        return self._decided(record, conversation)

    async def asummarize(self, source: Any, *, format: str | None = None) -> HandoffRecord:
        """Async twin of ``summarize``. Sync model backends run in a worker thread."""
        conversation = self._conversation(source, format)
        record = await self._aextract(conversation)
        self.conversations.put(conversation)
        return self._decided(record, conversation)

    async def _aextract(self, conversation: Conversation) -> HandoffRecord:
        backend = self._async_backend
        if isinstance(backend, AsyncBackend):
            return await backend.aextract(conversation, self.taxonomy)
        if isinstance(backend, RulesBackend):  # CPU-only and fast: no thread hop
            return backend.extract(conversation, self.taxonomy)
        return await asyncio.to_thread(backend.extract, conversation, self.taxonomy)

    # -- incremental ------------------------------------------------------------------

    def _extended(
        self, record: HandoffRecord, new_messages: Any, conversation: Conversation | None, format: str | None
    ) -> tuple[Conversation, list[Message]]:
        so_far = conversation_of(record, self.conversations, conversation)
        if (
            isinstance(new_messages, Sequence)
            and not isinstance(new_messages, (str, bytes))
            and all(isinstance(m, Message) for m in new_messages)  # also the empty list
        ):
            return extend(so_far, list(new_messages))
        return extend(so_far, self._conversation(new_messages, format))

    def update(
        self,
        record: HandoffRecord,
        new_messages: Any,
        *,
        conversation: Conversation | None = None,
        format: str | None = None,
    ) -> HandoffRecord:
        """``record`` refreshed with the messages that came after it (see ``handoff_ai.incremental``).

        Args:
            record: a record of the conversation so far.
            new_messages: a ``Conversation``, a sequence of ``Message``, or anything
                ``load`` accepts; appended in order, taken ids renamed.
            conversation: the conversation ``record`` was built from; default: the one
                this summarizer remembers under ``record.conversation_id``.
            format: input format of ``new_messages`` when it must be parsed.

        The rules backend re-runs on the whole conversation, so the result equals a fresh
        ``summarize``. A model backend with ``extract_update`` gets the previous record
        and the new messages; without it the update is a full extraction, noted in
        ``provenance.warnings``.

        Raises:
            UsageError: no conversation is known for the record, or it does not match.
        """
        if isinstance(self.backend, AsyncBackend):
            raise UsageError("this backend is async: use aupdate()")
        extended, added = self._extended(record, new_messages, conversation, format)
        backend = self.backend
        if isinstance(backend, RulesBackend):
            fresh = backend.extract(extended, self.taxonomy)
        elif isinstance(backend, SupportsUpdate):
            fresh = backend.extract_update(record, extended, added, self.taxonomy)
        else:
            fresh = _full_run(backend.extract(extended, self.taxonomy))
        self.conversations.put(extended)
        return self._decided(fresh, extended)

    async def aupdate(
        self,
        record: HandoffRecord,
        new_messages: Any,
        *,
        conversation: Conversation | None = None,
        format: str | None = None,
    ) -> HandoffRecord:
        """Async twin of ``update``."""
        extended, added = self._extended(record, new_messages, conversation, format)
        backend = self._async_backend
        if isinstance(backend, RulesBackend):
            fresh = backend.extract(extended, self.taxonomy)
        elif isinstance(backend, SupportsAsyncUpdate):
            fresh = await backend.aextract_update(record, extended, added, self.taxonomy)
        elif isinstance(backend, SupportsUpdate):
            fresh = await asyncio.to_thread(backend.extract_update, record, extended, added, self.taxonomy)
        else:
            fresh = _full_run(await self._aextract(extended))
        self.conversations.put(extended)
        return self._decided(fresh, extended)

    def _decided(self, record: HandoffRecord, conversation: Conversation) -> HandoffRecord:
        """``record`` with ``handoff.decision`` filled when this summarizer was asked for it."""
        if self.escalation is False or self.escalation is None:
            return record
        policy = None if self.escalation is True else self.escalation
        decision = should_escalate(conversation, policy=policy, taxonomy=self.taxonomy, record=record)
        handoff = record.handoff.model_copy(update={"decision": decision})
        return record.model_copy(update={"handoff": handoff})


def _full_run(record: HandoffRecord) -> HandoffRecord:
    """Say in the record that the \"update\" was a full extraction (no cheap path)."""
    warnings = [*record.provenance.warnings, FULL_RUN_WARNING]
    return record.model_copy(
        update={"provenance": record.provenance.model_copy(update={"warnings": warnings})}
    )


def summarize(
    source: Any,
    *,
    backend: BackendLike = None,
    taxonomy: TaxonomyLike = None,
    format: str = "auto",
    escalation: EscalationLike = False,
    note_language: str | None = None,
) -> HandoffRecord:
    """Summarize one conversation into a handoff record.

    Args:
        source: a ``Conversation``, or a path, str, bytes, dict or list that
            ``handoff_ai.load`` understands.
        backend: backend instance or name; default: the offline rules backend, or the
            model backend with rules as its fallback when ``HANDOFF_AI_MODEL`` is set.
        taxonomy: intents and teams (``Taxonomy``, path or dict); default: packaged.
        format: input format name, or ``"auto"`` to detect it.
        escalation: ``True`` or a policy to fill ``record.handoff.decision`` (see
            ``Summarizer``).
        note_language: the language of the record's own words and labels (see
            ``Summarizer``); default: the conversation's, when the rules read it.

    Raises:
        UsageError: bad arguments (unknown format/backend, invalid taxonomy).
        ParseError: the input is malformed.
        BackendError / ExtractionError: a model backend failed (strict mode only).
    """
    if (
        backend is None
        and taxonomy is None
        and not escalation
        and note_language is None
        and isinstance(source, Conversation)
        and not os.environ.get("HANDOFF_AI_MODEL")
    ):  # the common embedded case, without building a Summarizer
        return _rules_backend().extract(source, Taxonomy.default())
    summarizer = Summarizer(
        backend=backend, taxonomy=taxonomy, format=format, escalation=escalation, note_language=note_language
    )
    return summarizer.summarize(source)


async def asummarize(
    source: Any,
    *,
    backend: BackendLike = None,
    taxonomy: TaxonomyLike = None,
    format: str = "auto",
    escalation: EscalationLike = False,
    note_language: str | None = None,
) -> HandoffRecord:
    """Async twin of ``summarize``."""
    summarizer = Summarizer(
        backend=backend, taxonomy=taxonomy, format=format, escalation=escalation, note_language=note_language
    )
    return await summarizer.asummarize(source)
