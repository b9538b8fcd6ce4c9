"""handoff_ai: structured, evidence-linked handoff records from support conversations.

    import handoff_ai as ho
    record = ho.summarize("chat.json")       # rules backend: offline, no key
    print(record.to_markdown())

The pipeline is ``load`` (parse any supported format into a ``Conversation``),
optionally ``merge`` (several channels of one customer into one timeline),
then a backend's ``extract`` (fill a ``HandoffRecord``) then a renderer.
"""

from __future__ import annotations

import logging

from ._version import __version__
from .api import Summarizer, asummarize, summarize
from .backends import (
    AsyncBackend,
    AsyncFallbackBackend,
    AsyncOpenAIBackend,
    Backend,
    FallbackBackend,
    OpenAIBackend,
    RulesBackend,
)
from .batch import asummarize_many, summarize_many
from .exceptions import (
    BackendError,
    ConfigError,
    ExtractionError,
    HandoffError,
    ParseError,
    RenderError,
    UnknownBackendError,
    UnknownFormatError,
    UsageError,
)
from .merge import MergeReport, merge
from .models import (
    Action,
    Blocker,
    Conversation,
    Expertise,
    Fact,
    Handoff,
    HandoffRecord,
    HistoryEvent,
    Intent,
    Item,
    Message,
    Provenance,
    Sentiment,
    Signal,
    SourceRef,
    Urgency,
)
from .parsers import formats, load, load_many, register_parser
from .renderers import register_renderer, render
from .taxonomy import IntentSpec, RecognizerSpec, Taxonomy, TeamSpec

# Library logging etiquette: no output unless the application configures it.
logging.getLogger("handoff_ai").addHandler(logging.NullHandler())

__all__ = [
    "Action",
    "AsyncBackend",
    "AsyncFallbackBackend",
    "AsyncOpenAIBackend",
    "Backend",
    "BackendError",
    "Blocker",
    "ConfigError",
    "Conversation",
    "Expertise",
    "ExtractionError",
    "Fact",
    "FallbackBackend",
    "Handoff",
    "HandoffError",
    "HandoffRecord",
    "HistoryEvent",
    "Intent",
    "IntentSpec",
    "Item",
    "MergeReport",
    "Message",
    "OpenAIBackend",
    "ParseError",
    "Provenance",
    "RecognizerSpec",
    "RenderError",
    "RulesBackend",
    "Sentiment",
    "Signal",
    "SourceRef",
    "Summarizer",
    "Taxonomy",
    "TeamSpec",
    "UnknownBackendError",
    "UnknownFormatError",
    "Urgency",
    "UsageError",
    "__version__",
    "asummarize",
    "asummarize_many",
    "formats",
    "load",
    "load_many",
    "merge",
    "register_parser",
    "register_renderer",
    "render",
    "summarize",
    "summarize_many",
]
