"""Summarize conversations inside a Ray Data pipeline (``Dataset.map_batches``).

:func:`summarize_batch` takes one batch — a ``dict`` of columns (Ray's
``batch_format="numpy"``, or plain lists) or a ``pandas.DataFrame``
(``batch_format="pandas"``) — and returns the same kind of batch with two
columns added:

- ``record``: the handoff record as compact JSON (``None`` when the row failed);
- ``error``: ``None``, or why the row failed (the exception type, plus the
  message for handoff_ai's own errors, which never quote transcript text).

A bad row never fails the batch: a back-fill over millions of conversations
must not stop on one. Neither Ray nor pandas is imported here, so the same
function is the pure-Python path (call it on a dict of lists)::

    import ray
    from handoff_ai.apps.ray import summarize_batch

    ds = ray.data.read_json("conversations.jsonl")          # a "conversation" column
    ds = ds.map_batches(summarize_batch, batch_format="pandas")
    ds.write_json("records/")

Options travel with ``fn_kwargs`` (``fn_kwargs={"column": "transcript",
"backend": "rules"}``). For a model backend or a large taxonomy, use the
callable class :class:`BatchSummarizer` so each Ray actor builds them once::

    ds.map_batches(BatchSummarizer, fn_constructor_kwargs={"backend": "openai"},
                   concurrency=4, batch_format="pandas")

A cell of the conversation column is anything :func:`handoff_ai.load`
accepts: a JSON string (the most portable through Arrow), a dict, a list of
messages, transcript text — or a path, read on the worker. Give backends and
taxonomies by name or path rather than as objects when they must be pickled
to the workers.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping, Sequence
from typing import Any, TypeVar

from ..api import BackendLike, TaxonomyLike, _resolve_taxonomy
from ..batch import summarize_many
from ..batch.items import _Failed
from ..exceptions import HandoffError, UsageError
from ..models import HandoffRecord
from ..parsers import load

__all__ = ["BatchSummarizer", "summarize_batch"]

BatchT = TypeVar("BatchT")

RECORD_COLUMN = "record"
ERROR_COLUMN = "error"


def _is_dataframe(batch: Any) -> bool:
    return all(hasattr(batch, name) for name in ("columns", "copy", "iloc", "loc"))


def _is_array(value: Any) -> bool:
    return not isinstance(value, (str, bytes, list, tuple)) and all(
        hasattr(value, name) for name in ("dtype", "tolist", "shape")
    )


def _plain(value: Any) -> Any:
    """A cell as Python data: numpy arrays and scalars (Arrow lists, numpy strings) via ``tolist``."""
    if isinstance(value, (str, bytes, dict, list)) or value is None:
        return value
    if hasattr(value, "tolist"):
        return value.tolist()
    return value


def _error_text(exc: Exception) -> str:
    # A third-party exception may quote transcript text: keep only its type.
    if isinstance(exc, HandoffError):
        return f"{type(exc).__name__}: {exc}"
    return type(exc).__name__


def _column(batch: Any, name: str) -> list[Any]:
    try:
        values = batch[name]
    except (KeyError, IndexError) as exc:
        columns = list(batch.columns) if _is_dataframe(batch) else list(batch)
        raise UsageError(
            f"the batch has no column {name!r} (columns: {', '.join(map(str, columns))})"
        ) from exc
    if _is_dataframe(batch) or _is_array(values):
        return list(values.tolist())
    if isinstance(values, Sequence) and not isinstance(values, (str, bytes)):
        return list(values)
    raise UsageError(f"column {name!r} must be a list or an array, not {type(values).__name__}")


def _object_array(values: list[str | None]) -> Any:
    numpy = importlib.import_module("numpy")  # present whenever a batch holds numpy arrays
    array = numpy.empty(len(values), dtype=object)
    array[:] = values
    return array


class BatchSummarizer:
    """A reusable batch function: ``BatchSummarizer(...)(batch)`` is :func:`summarize_batch`.

    Resolves the taxonomy once, so a Ray actor (``map_batches(BatchSummarizer,
    fn_constructor_kwargs=...)``) loads it once for all its batches.

    Args:
        column: the column holding the conversations.
        id_column: a column of conversation ids, used when present
            (``None``: take ids from the conversations themselves).
        taxonomy: ``Taxonomy``, path, dict or ``None`` (packaged).
        backend: backend name or instance; ``None``: the rules backend (or the
            model backend when ``HANDOFF_AI_MODEL`` is set, as in ``summarize``).
            Must be synchronous.
        format: input format of the cells, or ``"auto"``.
        concurrency: conversations in flight per batch (threads; only helps a
            model backend, see :func:`handoff_ai.summarize_many`).
    """

    def __init__(
        self,
        *,
        column: str = "conversation",
        id_column: str | None = "id",
        taxonomy: TaxonomyLike = None,
        backend: BackendLike = None,
        format: str = "auto",
        concurrency: int = 1,
    ) -> None:
        if not isinstance(column, str) or not column:
            raise UsageError("column must be a non-empty column name")
        self.column = column
        self.id_column = id_column
        self.taxonomy = _resolve_taxonomy(taxonomy)
        self.backend = backend
        self.format = format
        self.concurrency = concurrency

    def _sources(self, batch: Any) -> list[Any]:
        values = _column(batch, self.column)
        ids: list[Any] = [None] * len(values)
        if self.id_column is not None and self.id_column != self.column:
            columns = batch.columns if _is_dataframe(batch) else batch
            if self.id_column in columns:
                ids = _column(batch, self.id_column)
        sources: list[Any] = []
        for value, cid in zip(values, ids, strict=True):
            try:
                source = _plain(value)
                if source is None:
                    raise UsageError("empty conversation cell")
                sources.append(load(source, self.format, id=None if cid is None else str(cid)))
            except Exception as exc:
                sources.append(_Failed(exc))
        return sources

    def __call__(self, batch: BatchT) -> BatchT:
        frame = _is_dataframe(batch)
        if not frame and not isinstance(batch, Mapping):
            raise UsageError(
                f"a batch must be a dict of columns or a pandas DataFrame, not {type(batch).__name__}"
            )
        sources = self._sources(batch)
        results = summarize_many(
            sources, backend=self.backend, taxonomy=self.taxonomy, concurrency=self.concurrency
        )
        records: list[str | None] = []
        errors: list[str | None] = []
        for result in results:
            if isinstance(result, HandoffRecord):
                records.append(result.to_json(indent=None))
                errors.append(None)
            else:
                records.append(None)
                errors.append(_error_text(result))
        out: Any
        if frame:
            out = batch.copy()  # type: ignore[attr-defined]
            out[RECORD_COLUMN] = records
            out[ERROR_COLUMN] = errors
            return out  # type: ignore[no-any-return]
        out = dict(batch.items())  # type: ignore[attr-defined]
        if any(_is_array(v) for v in out.values()):
            out[RECORD_COLUMN] = _object_array(records)
            out[ERROR_COLUMN] = _object_array(errors)
        else:
            out[RECORD_COLUMN] = records
            out[ERROR_COLUMN] = errors
        return out  # type: ignore[no-any-return]


def summarize_batch(
    batch: BatchT,
    *,
    column: str = "conversation",
    id_column: str | None = "id",
    taxonomy: TaxonomyLike = None,
    backend: BackendLike = None,
    format: str = "auto",
    concurrency: int = 1,
) -> BatchT:
    """Summarize every conversation of ``batch``; return it with ``record`` and ``error`` columns.

    ``batch`` is a dict of equal-length columns (lists or numpy arrays) or a
    pandas DataFrame; the result has the same type, the input columns
    unchanged (a new dict, or a copy of the frame) and one output row per
    input row, in order. Numpy columns in, object arrays out.

    Raises:
        UsageError: the batch has no ``column``, is not a dict or a DataFrame,
            or an argument is invalid (unknown backend, invalid taxonomy, an
            async backend). A bad *row* never raises: see its ``error`` cell.
    """
    summarizer = BatchSummarizer(
        column=column,
        id_column=id_column,
        taxonomy=taxonomy,
        backend=backend,
        format=format,
        concurrency=concurrency,
    )
    return summarizer(batch)
