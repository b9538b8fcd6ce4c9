"""A memo keyed by the identity of two objects that have no useful hash (a rule set, a phrase
table, a word set built from them): what the stages derive from their tables once, not per
conversation.

Each entry holds its two arguments, so neither id can be reused by a new object while the entry
lives; past a handful of entries all are dropped (a process holds one or two rule sets).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import update_wrapper
from typing import Generic, TypeVar

__all__ = ["by_identity"]

A = TypeVar("A")
B = TypeVar("B")
T = TypeVar("T")

SIZE = 8
"""Entries kept before all are dropped."""


class by_identity(Generic[A, B, T]):  # lower case: it is used as a decorator
    """``build(a, b)``, remembered by ``(id(a), id(b))``; ``len()`` is the number of entries."""

    __slots__ = ("__dict__", "_build", "_memo")

    def __init__(self, build: Callable[[A, B], T]) -> None:
        self._build = build
        self._memo: dict[tuple[int, int], tuple[A, B, T]] = {}
        update_wrapper(self, build)

    def __call__(self, a: A, b: B) -> T:
        entry = self._memo.get((id(a), id(b)))
        if entry is None:
            if len(self._memo) >= SIZE:
                self._memo.clear()
            entry = self._memo[(id(a), id(b))] = (a, b, self._build(a, b))
        return entry[2]

    def __len__(self) -> int:
        return len(self._memo)
