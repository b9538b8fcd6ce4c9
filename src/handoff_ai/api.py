"""The entry points: ``summarize``, ``asummarize`` and the reusable ``Summarizer``.

With no backend given, the rules backend answers: no key, no network.
"""

from __future__ import annotations

import asyncio
from functools import lru_cache
from pathlib import Path
from typing import Any

from .backends import AsyncBackend, Backend, RulesBackend, get_backend
from .exceptions import UsageError
from .models import Conversation, HandoffRecord
from .parsers import load
from .taxonomy import Taxonomy

__all__ = ["Summarizer", "asummarize", "summarize"]

BackendLike = Backend | AsyncBackend | str | None
TaxonomyLike = Taxonomy | str | Path | dict[str, Any] | None


@lru_cache(maxsize=1)
def _default_backend() -> RulesBackend:
    return RulesBackend()


def _resolve_backend(backend: BackendLike) -> Backend | AsyncBackend:
    if backend is None:
        return _default_backend()
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
        backend: a backend instance or registered name; default: rules.
        taxonomy: a ``Taxonomy``, a path to a TOML/JSON taxonomy, or a dict;
            default: the packaged generic-support taxonomy.
        format: input format for sources that are not ``Conversation`` objects.
    """

    def __init__(
        self, *, backend: BackendLike = None, taxonomy: TaxonomyLike = None, format: str = "auto"
    ) -> None:
        self.backend = _resolve_backend(backend)
        self.taxonomy = _resolve_taxonomy(taxonomy)
        self.format = format

    def _conversation(self, source: Any, format: str | None) -> Conversation:
        if isinstance(source, Conversation):
            return source
        return load(source, format=format or self.format)

    def summarize(self, source: Any, *, format: str | None = None) -> HandoffRecord:
        """The handoff record for ``source`` (a Conversation or anything ``load`` accepts)."""
        conversation = self._conversation(source, format)
        if isinstance(self.backend, AsyncBackend):
            raise UsageError("this backend is async: use asummarize() / Summarizer.asummarize()")
        return self.backend.extract(conversation, self.taxonomy)

    async def asummarize(self, source: Any, *, format: str | None = None) -> HandoffRecord:
        """Async twin of ``summarize``. Sync model backends run in a worker thread."""
        conversation = self._conversation(source, format)
        backend = self.backend
        if isinstance(backend, AsyncBackend):
            return await backend.aextract(conversation, self.taxonomy)
        if isinstance(backend, RulesBackend):  # CPU-only and fast: no thread hop
            return backend.extract(conversation, self.taxonomy)
        return await asyncio.to_thread(backend.extract, conversation, self.taxonomy)


def summarize(
    source: Any, *, backend: BackendLike = None, taxonomy: TaxonomyLike = None, format: str = "auto"
) -> HandoffRecord:
    """Summarize one conversation into a handoff record.

    Args:
        source: a ``Conversation``, or a path, str, bytes, dict or list that
            ``handoff_ai.load`` understands.
        backend: backend instance or name; default: the offline rules backend.
        taxonomy: intents and teams (``Taxonomy``, path or dict); default: packaged.
        format: input format name, or ``"auto"`` to detect it.

    Raises:
        UsageError: bad arguments (unknown format/backend, invalid taxonomy).
        ParseError: the input is malformed.
        BackendError / ExtractionError: a model backend failed (strict mode only).
    """
    if backend is None and taxonomy is None and format == "auto" and isinstance(source, Conversation):
        return _default_backend().extract(source, Taxonomy.default())
    return Summarizer(backend=backend, taxonomy=taxonomy, format=format).summarize(source)


async def asummarize(
    source: Any, *, backend: BackendLike = None, taxonomy: TaxonomyLike = None, format: str = "auto"
) -> HandoffRecord:
    """Async twin of ``summarize``."""
    return await Summarizer(backend=backend, taxonomy=taxonomy, format=format).asummarize(source)
