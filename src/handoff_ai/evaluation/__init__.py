"""Measure handoff records against labelled conversations.

Pure scoring lives in ``metrics`` (``evaluate`` over record/gold/conversation
triples); ``datasets`` reads labelled rows (ABCD, STAR or a generic shape) and
runs them through ``handoff_ai.summarize``; ``report`` prints a rich table::

    from handoff_ai.evaluation import evaluate_file, print_report
    print_report(evaluate_file("dev.jsonl"))

Measures the engine from outside: it may use the public API and the contract; nothing
in the engine imports it, and it never imports apps.
"""

from __future__ import annotations

from .datasets import (
    conversation_from_row,
    detect_format,
    evaluate_file,
    evaluate_rows,
    first_half_of,
    gold_from_row,
    read_jsonl,
    restrict_gold,
    split_halves,
    summarize_rows,
)
from .metrics import (
    EvalResult,
    FactMiss,
    Gold,
    GoldFact,
    Hallucination,
    Pair,
    SecretLeak,
    evaluate,
    match_value,
    normalize,
    occurs_in,
)
from .report import print_report, report_table

__all__ = [
    "EvalResult",
    "FactMiss",
    "Gold",
    "GoldFact",
    "Hallucination",
    "Pair",
    "SecretLeak",
    "conversation_from_row",
    "detect_format",
    "evaluate",
    "evaluate_file",
    "evaluate_rows",
    "first_half_of",
    "gold_from_row",
    "match_value",
    "normalize",
    "occurs_in",
    "print_report",
    "read_jsonl",
    "report_table",
    "restrict_gold",
    "split_halves",
    "summarize_rows",
]
