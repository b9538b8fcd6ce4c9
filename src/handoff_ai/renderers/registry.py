"""The renderer registry: names to functions, and :func:`render`, which calls them.

Its own module so the built-in renderers can register themselves without importing
the package that imports them (see :mod:`handoff_ai.renderers`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from ..exceptions import HandoffError, RenderError, UsageError
from ..models.record import HandoffRecord

__all__ = [
    "Renderer",
    "RendererInfo",
    "register_renderer",
    "render",
    "renderer_descriptions",
    "renderer_names",
]

Renderer = Callable[[HandoffRecord], str]
"""A renderer turns a record into text. It must be pure: same record, same bytes."""

R = TypeVar("R", bound=Renderer)


@dataclass(frozen=True)
class RendererInfo:
    """A registered renderer: its name, a one-line description and the function."""

    name: str
    description: str
    func: Renderer


_REGISTRY: dict[str, RendererInfo] = {}


def register_renderer(name: str, *, description: str) -> Callable[[R], R]:
    """Register the decorated function as the renderer called ``name``.

    Args:
        name: the name callers pass to :func:`render` (and ``--format`` on the CLI).
        description: one line shown when listing formats.

    Raises:
        UsageError: ``name`` is empty or already taken by another function.
    """
    if not name or not name.strip():
        raise UsageError("a renderer name must not be empty")

    def decorator(func: R) -> R:
        existing = _REGISTRY.get(name)
        if existing is not None and existing.func is not func:
            raise UsageError(f"a renderer named {name!r} is already registered")
        _REGISTRY[name] = RendererInfo(name=name, description=description, func=func)
        return func

    return decorator


def renderer_names() -> list[str]:
    """Names of every registered renderer, sorted."""
    return sorted(_REGISTRY)


def renderer_descriptions() -> dict[str, str]:
    """``{name: description}`` for every registered renderer, sorted by name."""
    return {name: _REGISTRY[name].description for name in sorted(_REGISTRY)}


def render(record: HandoffRecord, name: str) -> str:
    """Render ``record`` with the renderer registered as ``name``.

    Raises:
        UsageError: no renderer has that name.
        RenderError: the renderer failed; the original exception is chained.
    """
    info = _REGISTRY.get(name)
    if info is None:
        known = ", ".join(renderer_names())
        raise UsageError(f"unknown renderer {name!r} (known renderers: {known})")
    try:
        return info.func(record)
    except HandoffError:
        raise
    except Exception as exc:
        # The cause's message may quote record content (personal data); name only its type.
        raise RenderError(f"renderer {name!r} failed ({type(exc).__name__})") from exc
