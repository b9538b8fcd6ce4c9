"""Parsers: turn raw transcripts (files, text, decoded JSON) into a ``Conversation``.

Each source format is one module that registers a parser with
:func:`register_parser`; :func:`load` sniffs the format (most specific first)
or uses the one named. Built-in formats: ``json`` (generic JSON / JSON Lines
messages), ``openai`` (chat ``messages`` with tool calls), ``text``
(``Customer: ...`` transcripts), ``email`` (``.eml`` / mbox), ``whatsapp``
(chat export ``.txt``) and ``slack`` (export channel JSON). Every parsed message carries a ``SourceRef``
pointing back at where it was read (``turns[3]``, ``line 12``).
"""

from __future__ import annotations

from . import _email, _json, _openai, _slack, _text, _whatsapp  # noqa: F401  (importing registers the built-in parsers)
from ._input import ParserInput
from ._load import Source, load, load_many
from ._registry import Parser, ParserSpec, formats, get_parser, register_parser

__all__ = [
    "Parser",
    "ParserInput",
    "ParserSpec",
    "Source",
    "formats",
    "get_parser",
    "load",
    "load_many",
    "register_parser",
]
