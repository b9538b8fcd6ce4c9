"""One item of a batch, for every way of running one: pulling sources, failing, summarizing."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from ..api import Summarizer
from ..models import HandoffRecord

__all__ = ["OnResult"]

logger = logging.getLogger("handoff_ai.batch")

OnResult = Callable[[int, "HandoffRecord | Exception"], object]
"""``on_result(index, result)``: called once per item as it finishes (completion order)."""


def _pull(sources: Iterable[Any]) -> Iterator[tuple[Any, Exception | None]]:
    """``(source, None)`` per item; ``(None, error)`` once if the iterator itself raises, then stop."""
    iterator = iter(sources)
    while True:
        try:
            source = next(iterator)
        except StopIteration:
            return
        except Exception as exc:  # e.g. load_many on a line that is not JSON
            yield None, exc
            return
        yield source, None


def _failed(index: int, exc: Exception) -> Exception:
    # The type only, never the message: a third-party exception may quote transcript text.
    logger.debug("batch item %d failed: %s", index, type(exc).__name__)
    return exc


class _Failed:
    """A source already known to have failed (the CLI's unreadable file): its error is its result.

    Lets a caller that parses up front keep its errors in their input-order slots.
    """

    __slots__ = ("error",)

    def __init__(self, error: Exception) -> None:
        self.error = error


def _one(summarizer: Summarizer, source: Any) -> HandoffRecord | Exception:
    if isinstance(source, _Failed):
        return source.error
    try:
        return summarizer.summarize(source)
    except Exception as exc:
        return exc
