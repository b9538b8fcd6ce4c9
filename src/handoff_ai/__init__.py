"""handoff_ai: structured, evidence-linked handoff records from support conversations."""

from __future__ import annotations

from ._version import __version__
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
from .models import Conversation, HandoffRecord, Message
from .taxonomy import IntentSpec, RecognizerSpec, Taxonomy, TeamSpec
