"""Stage 3, redact: personal data out before text reaches a model, and secrets kept out of records.

``redact`` replaces what ``pii`` recognizes (checksum-validated cards, IBANs, national
ids, emails, phones, addresses, typed secrets) with stable placeholders and puts the
values back for the human (never cards or secrets); ``secrets`` masks withheld values
and card numbers in any free text a backend writes.

Never imports: parsers, merge, rules, llm, backends, renderers, apps.
"""

from __future__ import annotations

from .redact import (
    KINDS,
    WITHHELD_KINDS,
    FunctionRecognizer,
    PatternRecognizer,
    PiiSpan,
    Redaction,
    Redactor,
)

__all__ = [
    "KINDS",
    "WITHHELD_KINDS",
    "FunctionRecognizer",
    "PatternRecognizer",
    "PiiSpan",
    "Redaction",
    "Redactor",
]
