"""Argument helpers shared by the ``handoff`` subcommands that live in their own modules."""

from __future__ import annotations

import argparse
from typing import Any, Protocol

__all__ = ["Commands", "positive_int"]


class Commands(Protocol):
    """What a subcommand module needs of ``argparse``'s subparsers object."""

    def add_parser(self, name: str, **kwargs: Any) -> argparse.ArgumentParser: ...


def positive_int(text: str) -> int:
    """An ``argparse`` type: an integer of at least 1, with a one-line error otherwise."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an integer: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value
