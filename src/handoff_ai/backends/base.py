"""What a backend is: one required method that turns a conversation into a record.

Sync and async backends are sibling ABCs, never one subclassing the other, so an
async backend can never block an event loop by accident.
"""

from __future__ import annotations

from abc import ABC, abstractmethod

from ..models import Conversation, HandoffRecord
from ..taxonomy import Taxonomy

__all__ = ["AsyncBackend", "Backend"]


class Backend(ABC):
    """A synchronous backend."""

    name: str = "backend"

    @abstractmethod
    def extract(self, conversation: Conversation, taxonomy: Taxonomy) -> HandoffRecord:
        """Build the handoff record for ``conversation`` using ``taxonomy``."""


class AsyncBackend(ABC):
    """An asynchronous backend (for I/O-bound model calls)."""

    name: str = "backend"

    @abstractmethod
    async def aextract(self, conversation: Conversation, taxonomy: Taxonomy) -> HandoffRecord:
        """Build the handoff record for ``conversation`` using ``taxonomy``."""
