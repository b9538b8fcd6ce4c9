"""Stage 4, extract: backends turn a conversation into a record.

``rules`` (the deterministic engine of :mod:`handoff_ai.rules`) ships offline; the
OpenAI backends (OpenAI and compatible servers) wire the model path of
:mod:`handoff_ai.llm` over it; ``fallback`` answers with the rules when a model fails.

Never imports: renderers, apps. Backends fill records; they render nothing.
"""

from __future__ import annotations

from collections.abc import Callable

from ..exceptions import UnknownBackendError
from ..llm.answer_schema import OutputBounds  # re-exported: backend options
from .base import AsyncBackend, Backend
from .fallback import AsyncFallbackBackend, FallbackBackend
from .openai import AsyncOpenAIBackend, OpenAIBackend
from .rules import RulesBackend

__all__ = [
    "AsyncBackend",
    "AsyncFallbackBackend",
    "AsyncOpenAIBackend",
    "Backend",
    "FallbackBackend",
    "OpenAIBackend",
    "OutputBounds",
    "RulesBackend",
    "backend_names",
    "get_backend",
    "register_backend",
]

_REGISTRY: dict[str, Callable[[], Backend | AsyncBackend]] = {}


def register_backend(
    name: str,
) -> Callable[[Callable[[], Backend | AsyncBackend]], Callable[[], Backend | AsyncBackend]]:
    """Register a zero-argument backend factory under ``name`` (for ``backend="name"`` and the CLI)."""

    def decorate(factory: Callable[[], Backend | AsyncBackend]) -> Callable[[], Backend | AsyncBackend]:
        _REGISTRY[name] = factory
        return factory

    return decorate


register_backend("rules")(RulesBackend)
register_backend("openai")(OpenAIBackend)  # from the environment; ConfigError without a key or base URL


def backend_names() -> list[str]:
    return sorted(_REGISTRY)


def get_backend(name: str) -> Backend | AsyncBackend:
    """A new backend instance by registered name."""
    try:
        factory = _REGISTRY[name]
    except KeyError:
        raise UnknownBackendError(f"unknown backend {name!r} (known: {', '.join(backend_names())})") from None
    return factory()
