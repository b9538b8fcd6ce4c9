"""handoff_ai: structured, evidence-linked handoff records from support conversations.

    import handoff_ai as ho
    record = ho.summarize("chat.json")       # rules backend: offline, no key
    print(record.to_markdown())

The folders follow the pipeline (``docs/architecture.md`` draws it)::

    parsers → merge → privacy → rules | llm → backends → renderers
    (parse)   (one     (redact)  (extract)    (wire,      (notes and
              timeline)                       fall back)  payloads)

``models`` is the contract they share; ``apps`` (CLI, HTTP service, notebook, Ray) sit
on top; ``api``, ``batch`` and ``incremental`` are the entry points apps call;
``escalation`` decides when a bot should hand off (``should_escalate``); ``audit``
reads past conversations for context lost at handoffs (``handoff_ai.audit``, ``score_note``).
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import logging
import sys
from types import ModuleType

from ._version import __version__
from .api import Summarizer, asummarize, summarize
from .audit import AuditReport, audit, score_note
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
from .escalation import EscalationDecision, EscalationPolicy, LiveEscalation, should_escalate
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
    Commitment,
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

# Documented import paths from before the pipeline layout keep working: each old name
# is the new module itself (imported on first use, so ``handoff_ai.service`` still
# needs starlette only when used).
_MOVED = {
    "handoff_ai.answer_schema": "handoff_ai.llm.answer_schema",
    "handoff_ai.cli": "handoff_ai.apps.cli",
    "handoff_ai.grounding": "handoff_ai.llm.grounding",
    "handoff_ai.integrations": "handoff_ai.apps",
    "handoff_ai.integrations.ray": "handoff_ai.apps.ray",
    "handoff_ai.notebook": "handoff_ai.apps.notebook",
    "handoff_ai.prompting": "handoff_ai.llm.prompting",
    "handoff_ai.redact": "handoff_ai.privacy.redact",
    "handoff_ai.service": "handoff_ai.apps.service",
    "handoff_ai.tokens": "handoff_ai.llm.tokens",
}


class _MovedModules(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    def find_spec(
        self, name: str, path: object, target: object = None
    ) -> importlib.machinery.ModuleSpec | None:
        return importlib.machinery.ModuleSpec(name, self) if name in _MOVED else None

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType:
        return importlib.import_module(_MOVED[spec.name])

    def exec_module(self, module: ModuleType) -> None:
        """The module ran when it was imported under its own name."""


if not any(isinstance(finder, _MovedModules) for finder in sys.meta_path):
    sys.meta_path.insert(0, _MovedModules())

__all__ = [
    "Action",
    "AsyncBackend",
    "AsyncFallbackBackend",
    "AsyncOpenAIBackend",
    "AuditReport",
    "Backend",
    "BackendError",
    "Blocker",
    "Commitment",
    "ConfigError",
    "Conversation",
    "EscalationDecision",
    "EscalationPolicy",
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
    "LiveEscalation",
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
    "audit",
    "formats",
    "load",
    "load_many",
    "merge",
    "register_parser",
    "register_renderer",
    "render",
    "score_note",
    "should_escalate",
    "summarize",
    "summarize_many",
]
