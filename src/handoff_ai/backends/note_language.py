"""A backend that writes the record's own words in a chosen language, without changing the given one.

``summarize(..., note_language="en")`` for an English-speaking team reading a Spanish
chat: the rules frame their quotes and suggest next steps in English, the model is asked
for English free text, and the note's labels follow ``record.note_language``.
"""

from __future__ import annotations

import copy
from typing import Any

from ..exceptions import UsageError
from ..rules.note_words import note_code
from .base import AsyncBackend, Backend

__all__ = ["with_note_language"]

AnyBackend = Backend | AsyncBackend


def with_note_language(backend: AnyBackend, language: str) -> AnyBackend:
    """A shallow copy of ``backend`` (and of the backends inside it) set to ``language``.

    ``language``: a code the rules have note words for (``"en"``, ``"de"``, ``"fr"``,
    ``"es"``, ``"pt"``) or its English name.

    Raises:
        UsageError: an unknown language, or a backend that has no note language.
    """
    code = note_code(language)
    if code is None:
        raise UsageError(f"note_language {language!r}: not a language the notes are written in")
    if not hasattr(backend, "note_language") and not hasattr(backend, "primary"):
        raise UsageError(f"backend {backend.name!r} has no note_language: it writes notes in one language")
    clone = copy.copy(backend)
    settable: Any = clone  # the attributes checked above, which the protocols do not declare
    if hasattr(clone, "primary"):  # a fallback chain: every member
        settable.primary = with_note_language(settable.primary, code)
        settable.fallbacks = tuple(with_note_language(b, code) for b in settable.fallbacks)
        return clone
    settable.note_language = code
    inner = getattr(clone, "rules", None)
    if isinstance(inner, (Backend, AsyncBackend)):  # a model backend's rules net
        clone.rules = with_note_language(inner, code)  # type: ignore[union-attr]
    return clone
