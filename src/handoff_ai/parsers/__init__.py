"""Stage 1, parse: turn raw transcripts (files, text, decoded JSON) into a ``Conversation``.

Each source format is one module that registers a parser with
:func:`register_parser`; :func:`load` sniffs the format (most specific first)
or uses the one named. Built-in formats: ``json`` (generic JSON / JSON Lines
messages), ``openai`` (chat ``messages`` with tool calls), ``text``
(``Customer: ...`` transcripts), ``email`` (``.eml`` / mbox), ``whatsapp``
(chat export ``.txt``), ``slack`` (export channel JSON); helpdesks ``zendesk``,
``intercom``, ``freshdesk``, ``chatwoot``, ``helpscout``; bot frameworks
``rasa``, ``botpress``, ``dialogflow_cx``, ``botframework``, ``openai_thread``;
messaging ``twilio_sms`` and ``messenger`` (Messenger/Instagram webhooks).
Every parsed message carries a ``SourceRef``
pointing back at where it was read (``turns[3]``, ``line 12``).

Never imports: merge, privacy, rules, llm, backends, renderers, apps. Parsers read
formats into the contract and never call a model.
"""

from __future__ import annotations

from . import (  # noqa: F401  (importing registers the built-in parsers)
    _botframework,
    _botpress,
    _chatwoot,
    _dialogflow,
    _email,
    _freshdesk,
    _helpscout,
    _intercom,
    _json,
    _messenger,
    _openai,
    _openai_thread,
    _rasa,
    _slack,
    _text,
    _twilio,
    _whatsapp,
    _zendesk,
)
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
