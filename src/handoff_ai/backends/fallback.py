"""Fallback is itself a backend: try the primary, answer with the next one if it fails.

``FallbackBackend(primary, fallback)`` takes sync backends; ``AsyncFallbackBackend``
takes async or sync ones (sync members other than the rules backend run in a worker
thread). Two sibling classes, like every backend pair, over one shared core.

The record says what happened: ``provenance.backend`` is ``"fallback(openai→rules)"``
(the primary, then who answered) and ``provenance.fallback_reason`` holds each
failure as ``"<ExceptionClass>: <short reason>"`` — our exceptions never quote the
transcript, and the reason is cut to ``MAX_REASON`` characters.

Only ``BackendError`` and ``ExtractionError`` trigger a fallback by default
(``fallback_on``): a ``UsageError`` is the caller's mistake and is raised as is.
With ``strict=True`` the primary's error is raised and nothing else is tried. When
every backend fails, an ``ExceptionGroup`` of all the errors is raised (Python 3.11+;
on 3.10 the last error, chained to the first).
"""

from __future__ import annotations

import asyncio
import logging
import sys
from collections.abc import Sequence

from ..exceptions import BackendError, ExtractionError, UsageError
from ..models import Conversation, HandoffRecord
from ..taxonomy import Taxonomy
from .base import AsyncBackend, Backend
from .rules import RulesBackend

__all__ = ["MAX_REASON", "AsyncFallbackBackend", "FallbackBackend"]

logger = logging.getLogger("handoff_ai.backends.fallback")

MAX_REASON = 300
"""Characters kept of each failure's message in ``provenance.fallback_reason``."""
DEFAULT_FALLBACK_ON: tuple[type[Exception], ...] = (BackendError, ExtractionError)


def _reason(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    if len(text) > MAX_REASON:
        text = text[:MAX_REASON] + "..."
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


class _FallbackCore:
    """Naming and bookkeeping shared by the sync and async fallback backends."""

    name = "fallback"
    strict: bool
    fallback_on: tuple[type[Exception], ...]

    def _setup(
        self,
        members: Sequence[Backend | AsyncBackend],
        strict: bool,
        fallback_on: tuple[type[Exception], ...],
    ) -> None:
        if len(members) < 2:
            raise UsageError("FallbackBackend needs a primary and at least one fallback backend")
        self.strict = strict
        self.fallback_on = fallback_on
        self.name = f"fallback({'→'.join(m.name for m in members)})"

    def _label(self, primary: Backend | AsyncBackend, answered: Backend | AsyncBackend) -> str:
        return f"fallback({primary.name}→{answered.name})"

    def _stamp(
        self,
        record: HandoffRecord,
        primary: Backend | AsyncBackend,
        answered: Backend | AsyncBackend,
        errors: list[Exception],
    ) -> HandoffRecord:
        if not errors:
            return record
        provenance = record.provenance
        provenance.backend = self._label(primary, answered)
        provenance.fallback_reason = "; ".join(_reason(e) for e in errors)
        return record

    def _failed(self, errors: list[Exception]) -> None:
        message = f"every backend failed ({len(errors)} errors)"
        if sys.version_info >= (3, 11):
            raise ExceptionGroup(message, errors)  # noqa: F821 (Python 3.11+)
        raise errors[-1] from errors[0]  # pragma: no cover - Python 3.10


class FallbackBackend(_FallbackCore, Backend):
    """Tries ``primary``, then each fallback in order, until one returns a record.

    Args:
        primary: the preferred backend (e.g. ``OpenAIBackend()``).
        fallbacks: one or more backends to try next (e.g. ``RulesBackend()``).
        strict: raise the primary's error instead of falling back.
        fallback_on: the exception types that trigger a fallback.

    Raises (from ``extract``):
        ExceptionGroup: every backend failed (all errors inside).
    """

    def __init__(
        self,
        primary: Backend,
        *fallbacks: Backend,
        strict: bool = False,
        fallback_on: tuple[type[Exception], ...] = DEFAULT_FALLBACK_ON,
    ) -> None:
        members = (primary, *fallbacks)
        for member in members:
            if not isinstance(member, Backend):
                raise UsageError(
                    f"FallbackBackend takes sync backends, not {type(member).__name__}; "
                    "use AsyncFallbackBackend for async ones"
                )
        self._setup(members, strict, fallback_on)
        self.primary = primary
        self.fallbacks: tuple[Backend, ...] = tuple(fallbacks)

    def extract(self, conversation: Conversation, taxonomy: Taxonomy) -> HandoffRecord:
        errors: list[Exception] = []
        for backend in (self.primary, *self.fallbacks):
            try:
                record = backend.extract(conversation, taxonomy)
            except self.fallback_on as exc:
                if self.strict:
                    raise
                logger.warning("backend %s failed (%s); falling back", backend.name, type(exc).__name__)
                errors.append(exc)
                continue
            return self._stamp(record, self.primary, backend, errors)
        self._failed(errors)
        raise AssertionError("unreachable")  # pragma: no cover


class AsyncFallbackBackend(_FallbackCore, AsyncBackend):
    """Async twin of ``FallbackBackend``; members may be async or sync backends."""

    def __init__(
        self,
        primary: Backend | AsyncBackend,
        *fallbacks: Backend | AsyncBackend,
        strict: bool = False,
        fallback_on: tuple[type[Exception], ...] = DEFAULT_FALLBACK_ON,
    ) -> None:
        members = (primary, *fallbacks)
        for member in members:
            if not isinstance(member, (Backend, AsyncBackend)):
                raise UsageError(f"not a backend: {type(member).__name__}")
        self._setup(members, strict, fallback_on)
        self.primary = primary
        self.fallbacks: tuple[Backend | AsyncBackend, ...] = tuple(fallbacks)

    async def aextract(self, conversation: Conversation, taxonomy: Taxonomy) -> HandoffRecord:
        errors: list[Exception] = []
        for backend in (self.primary, *self.fallbacks):
            try:
                if isinstance(backend, AsyncBackend):
                    record = await backend.aextract(conversation, taxonomy)
                elif isinstance(backend, RulesBackend):  # CPU-only and fast: no thread hop
                    record = backend.extract(conversation, taxonomy)
                else:
                    record = await asyncio.to_thread(backend.extract, conversation, taxonomy)
            except self.fallback_on as exc:
                if self.strict:
                    raise
                logger.warning("backend %s failed (%s); falling back", backend.name, type(exc).__name__)
                errors.append(exc)
                continue
            return self._stamp(record, self.primary, backend, errors)
        self._failed(errors)
        raise AssertionError("unreachable")  # pragma: no cover
