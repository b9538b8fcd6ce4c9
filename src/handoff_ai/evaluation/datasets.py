"""Labelled conversations: reading rows, extracting gold, running them through ``summarize``.

Three row shapes are recognised (``detect_format``):

- **ABCD** (``gold.subflow``): intent = subflow; facts = the silver customer
  entities (``derived.silver_customer_entities_regex``); action turns = turns
  spoken by ``action`` (logged agent button clicks).
- **STAR** (``gold.tasks``): intent = first task; facts = the API-query
  constraints naming the customer, their account, dates, times and places;
  secrets = PINs, security answers and access codes.
- **generic**: ``{"gold": {"intent": ..., "facts": [{"kind", "value"}],
  "secrets": [...], "action_turns": [...]}, ...}`` plus a conversation the
  parsers can read (the row itself, or its ``conversation`` key) — for users
  evaluating on their own labelled data.

For ABCD and STAR, a gold value is kept only when some customer turn contains it
(``metrics.occurs_in``); the number dropped is reported, not hidden.
"""

from __future__ import annotations

import hashlib
import json
import re
import time
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, Literal, TypeVar

from ..exceptions import ParseError, UsageError
from ..models import Conversation
from ..parsers import load
from ..taxonomy import Taxonomy
from .metrics import EvalResult, Gold, GoldFact, Pair, evaluate, normalize, occurs_in

__all__ = [
    "STAR_FACT_KEYS",
    "STAR_SECRET_KEYS",
    "conversation_from_row",
    "detect_format",
    "evaluate_file",
    "evaluate_rows",
    "first_half_of",
    "gold_from_row",
    "read_jsonl",
    "restrict_gold",
    "split_halves",
    "summarize_rows",
]

RowFormat = Literal["abcd", "star", "generic"]
T = TypeVar("T")

STAR_FACT_KEYS: tuple[str, ...] = (
    "CustomerName", "FullName", "PatientName", "RenterName", "HostName", "GuestName", "UserName",
    "AccountNumber", "DateOfBirth", "RoomNumber", "Day", "Date", "StartDate", "EndDate", "Time",
    "StartTimeHour", "EndTimeHour", "DepartureTime", "ArrivalTime", "DepartureCity", "ArrivalCity",
    "City", "DepartureLocation", "ArrivalLocation",
)  # fmt: skip
"""STAR constraint keys whose values the customer supplies and a record should keep."""

STAR_SECRET_KEYS: tuple[str, ...] = ("PIN", "SecurityAnswer1", "SecurityAnswer2", "Code")
"""STAR constraint keys whose values are secrets: they must never appear in a record."""

_EQUAL_TO = re.compile(r'^api\.is_equal_to\(\s*(?:"(?P<plain>[^"]*)"|\[\s*"(?P<listed>[^"]*)"\s*\])\s*\)$')
_NULLS = frozenset({"", "null"})


# -- reading --------------------------------------------------------------------------


def read_jsonl(path: str | Path, *, limit: int | None = None) -> list[dict[str, Any]]:
    """Rows of a JSON Lines file (blank lines skipped), at most ``limit`` of them.

    Raises:
        UsageError: the file cannot be read.
        ParseError: a line is not a JSON object.
    """
    path = Path(path)
    rows: list[dict[str, Any]] = []
    try:
        with path.open(encoding="utf-8") as handle:
            for number, line in enumerate(handle, start=1):
                if limit is not None and len(rows) >= limit:
                    break
                if not line.strip():
                    continue
                try:
                    row = json.loads(line)
                except json.JSONDecodeError as exc:
                    where = f"line {number}"
                    raise ParseError(f"invalid JSON ({exc.msg})", format="jsonl", location=where) from None
                if not isinstance(row, dict):
                    raise ParseError("expected a JSON object", format="jsonl", location=f"line {number}")
                rows.append(row)
    except OSError as exc:
        raise UsageError(f"{path}: cannot read ({exc.strerror})") from None
    return rows


def detect_format(row: Mapping[str, Any]) -> RowFormat:
    """Which labelled-row shape ``row`` has (see the module docstring)."""
    gold = row.get("gold")
    if isinstance(gold, Mapping):
        if "subflow" in gold:
            return "abcd"
        if "tasks" in gold:
            return "star"
    return "generic"


def split_halves(rows: Sequence[T], *, key: str = "id") -> tuple[list[T], list[T]]:
    """Split rows in two deterministic halves for 2-fold cross-validation.

    Rows are ordered by a hash of their ``key`` (falling back to position), so the
    split does not depend on file order and is the same on every run.
    """

    def digest(item: tuple[int, T]) -> str:
        index, row = item
        ident = row.get(key, index) if isinstance(row, Mapping) else index
        return hashlib.sha1(str(ident).encode("utf-8")).hexdigest()

    ordered = [row for _, row in sorted(enumerate(rows), key=digest)]
    middle = len(ordered) // 2
    return ordered[:middle], ordered[middle:]


# -- gold -----------------------------------------------------------------------------


def _constraint_value(raw: Any) -> str | None:
    """A plain constraint value, or X from ``api.is_equal_to("X")``; ``None`` for other ``api.*``."""
    if not isinstance(raw, str):
        return None
    text = raw.strip()
    if text.startswith("api."):
        found = _EQUAL_TO.match(text)
        if found is None:
            return None
        text = (found.group("plain") if found.group("plain") is not None else found.group("listed")).strip()
    return None if text.casefold() in _NULLS else text


def _customer_texts(row: Mapping[str, Any]) -> list[str]:
    return [str(t.get("text", "")) for t in row.get("turns", []) if t.get("speaker") == "customer"]


def _supplied(values: Iterable[tuple[str, str]], texts: Sequence[str]) -> tuple[list[GoldFact], int]:
    """Deduplicated gold facts that occur in some customer text, and how many were dropped."""
    kept: list[GoldFact] = []
    seen: set[tuple[str, str]] = set()
    dropped = 0
    for kind, value in values:
        ident = (kind, normalize(value))
        if not ident[1] or ident in seen:
            continue
        seen.add(ident)
        if any(occurs_in(value, text) for text in texts):
            kept.append(GoldFact(kind=kind, value=value))
        else:
            dropped += 1
    return kept, dropped


def _abcd_gold(row: Mapping[str, Any]) -> Gold:
    entities = row.get("derived", {}).get("silver_customer_entities_regex", {}) or {}
    pairs = [(kind, str(v).strip()) for kind, values in entities.items() for v in values]
    facts, dropped = _supplied(pairs, _customer_texts(row))
    actions = [i for i, t in enumerate(row.get("turns", [])) if t.get("speaker") == "action"]
    return Gold(
        conversation_id=str(row.get("id", "")),
        source="abcd",
        intent=row["gold"].get("subflow"),
        facts=facts,
        action_turns=actions,
        dropped_not_supplied=dropped,
    )


def _star_gold(row: Mapping[str, Any]) -> Gold:
    gold = row["gold"]
    facts_raw: list[tuple[str, str]] = []
    secrets_raw: list[tuple[str, str]] = []
    for query in gold.get("api_queries", []) or []:
        for key, raw in (query.get("constraints") or {}).items():
            value = _constraint_value(raw)
            if value is None:
                continue
            if key in STAR_FACT_KEYS:
                facts_raw.append((key, value))
            elif key in STAR_SECRET_KEYS:
                secrets_raw.append((key, value))
    texts = _customer_texts(row)
    facts, dropped = _supplied(facts_raw, texts)
    secrets, _ = _supplied(secrets_raw, texts)
    tasks = gold.get("tasks") or []
    return Gold(
        conversation_id=str(row.get("id", "")),
        source="star",
        intent=str(tasks[0]) if tasks else None,
        facts=facts,
        secrets=list(dict.fromkeys(s.value for s in secrets)),
        dropped_not_supplied=dropped,
    )


def _generic_gold(row: Mapping[str, Any]) -> Gold:
    gold = row.get("gold") or {}
    if not isinstance(gold, Mapping):
        raise UsageError("row 'gold' must be an object")
    facts = [
        GoldFact(kind=str(f.get("kind", "fact")), value=str(f["value"]))
        for f in gold.get("facts", []) or []
        if isinstance(f, Mapping) and f.get("value") not in (None, "")
    ]
    intent = gold.get("intent")
    return Gold(
        conversation_id=str(row.get("id", "")),
        source="generic",
        intent=str(intent) if intent is not None else None,
        facts=facts,
        secrets=[str(s) for s in gold.get("secrets", []) or [] if s],
        action_turns=[int(i) for i in gold.get("action_turns", []) or []],
    )


def gold_from_row(row: Mapping[str, Any]) -> Gold:
    """The gold labels of one row, whatever its shape (see the module docstring)."""
    kind = detect_format(row)
    if kind == "abcd":
        return _abcd_gold(row)
    if kind == "star":
        return _star_gold(row)
    return _generic_gold(row)


def restrict_gold(gold: Gold, conversation: Conversation) -> Gold:
    """Gold limited to what ``conversation`` (e.g. a first half) contains.

    Facts and secrets stay when a customer message supplies them; action turns
    stay when their index falls inside the conversation.
    """
    texts = [m.text for m in conversation.messages if m.role == "customer"]
    return Gold(
        conversation_id=gold.conversation_id,
        source=gold.source,
        intent=gold.intent,
        facts=[f for f in gold.facts if any(occurs_in(f.value, t) for t in texts)],
        secrets=[s for s in gold.secrets if any(occurs_in(s, t) for t in texts)],
        action_turns=[i for i in gold.action_turns if i < len(conversation)],
        dropped_not_supplied=gold.dropped_not_supplied,
    )


# -- conversations --------------------------------------------------------------------


def conversation_from_row(row: Mapping[str, Any]) -> Conversation:
    """The conversation of a labelled row, read by ``handoff_ai.parsers.load``.

    A generic row may keep its conversation under ``conversation``; otherwise the
    row itself is given to the parser (ABCD and STAR rows read as ``json``, one
    message per turn, ids ``m1``, ``m2``, ...). The row's ``id`` names the conversation.
    """
    source: Any = row["conversation"] if "conversation" in row else dict(row)
    return load(source, id=str(row["id"]) if "id" in row else None)


def first_half_of(conversation: Conversation) -> Conversation:
    """The conversation cut to its first ``len // 2`` messages (a handoff mid-way)."""
    half = len(conversation.messages) // 2
    return Conversation(
        id=conversation.id, messages=conversation.messages[:half], metadata=dict(conversation.metadata)
    )


# -- running --------------------------------------------------------------------------


def summarize_rows(
    rows: Iterable[Mapping[str, Any]],
    *,
    taxonomy: Taxonomy | None = None,
    backend: Any = None,
    first_half_only: bool = False,
) -> tuple[list[Pair], float]:
    """Summarize every row's conversation; return the scored pairs and the seconds
    spent in ``summarize`` alone (loading and gold extraction are not timed)."""
    from ..api import summarize

    pairs: list[Pair] = []
    seconds = 0.0
    for row in rows:
        conversation = conversation_from_row(row)
        gold = gold_from_row(row)
        if first_half_only:
            conversation = first_half_of(conversation)
            gold = restrict_gold(gold, conversation)
        start = time.perf_counter()
        record = summarize(conversation, taxonomy=taxonomy, backend=backend)
        seconds += time.perf_counter() - start
        pairs.append(Pair(record, gold, conversation))
    return pairs, seconds


def evaluate_rows(
    rows: Iterable[Mapping[str, Any]],
    *,
    taxonomy: Taxonomy | None = None,
    backend: Any = None,
    first_half: bool = False,
) -> EvalResult:
    """Summarize and score rows; the result includes conversations per second."""
    pairs, seconds = summarize_rows(rows, taxonomy=taxonomy, backend=backend, first_half_only=first_half)
    result = evaluate(pairs)
    result.seconds = seconds
    result.conversations_per_second = len(pairs) / seconds if seconds > 0 else None
    return result


def evaluate_file(
    path: str | Path,
    *,
    taxonomy: Taxonomy | str | Path | None = None,
    backend: Any = None,
    first_half: bool = False,
    limit: int | None = None,
) -> EvalResult:
    """Evaluate a JSON Lines file of labelled conversations.

    Args:
        path: the ``.jsonl`` file (ABCD, STAR or generic rows).
        taxonomy: a ``Taxonomy``, a path to one, or ``None`` for the default.
        backend: passed to ``summarize`` (``None``: rules).
        first_half: summarize only the first half of each conversation, scoring
            only the gold supplied within it.
        limit: read at most this many rows.
    """
    if isinstance(taxonomy, (str, Path)):
        taxonomy = Taxonomy.load(taxonomy)
    rows = read_jsonl(path, limit=limit)
    return evaluate_rows(rows, taxonomy=taxonomy, backend=backend, first_half=first_half)
