"""Ray Data integration: the batch function on dict batches (always), a local Ray run (when installed)."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import handoff_ai as ho
from handoff_ai.apps.ray import BatchSummarizer, summarize_batch
from handoff_ai.backends import AsyncBackend
from handoff_ai.exceptions import UsageError
from handoff_ai.models import Conversation, HandoffRecord
from handoff_ai.taxonomy import Taxonomy

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
HAS_RAY = importlib.util.find_spec("ray") is not None
HAS_PANDAS = importlib.util.find_spec("pandas") is not None
HAS_NUMPY = importlib.util.find_spec("numpy") is not None

CHAT = (EXAMPLES / "chat.json").read_text(encoding="utf-8")
TRANSCRIPT = (EXAMPLES / "transcript.txt").read_text(encoding="utf-8")


def batch() -> dict[str, list[Any]]:
    return {
        "id": ["c1", "c2", "c3", "c4"],
        "conversation": [CHAT, "", json.loads(CHAT), TRANSCRIPT],
        "other": [1, 2, 3, 4],
    }


def test_dict_batch_gets_record_and_error_columns_in_order() -> None:
    original = batch()
    out = summarize_batch(original)
    assert set(out) == {"id", "conversation", "other", "record", "error"}
    assert out["other"] == [1, 2, 3, 4] and out["id"] == original["id"]
    assert "record" not in original  # the input batch is not modified
    assert out["error"][0] is None and out["error"][2] is None and out["error"][3] is None
    assert out["record"][1] is None
    assert out["error"][1] == "ParseError: input is empty"
    ids = [json.loads(r)["conversation_id"] for r in out["record"] if r is not None]
    assert ids == ["c1", "c3", "c4"]


def test_records_equal_a_plain_summarize() -> None:
    out = summarize_batch({"id": ["c1"], "conversation": [CHAT]})
    expected = ho.summarize(ho.load(CHAT, id="c1"))
    assert HandoffRecord.model_validate_json(out["record"][0]) == expected
    assert out["record"][0] == expected.to_json(indent=None)


def test_without_id_column_ids_come_from_the_conversations() -> None:
    out = summarize_batch({"conversation": [CHAT]}, id_column=None)
    assert json.loads(out["record"][0])["conversation_id"] == ho.load(CHAT).id


def test_other_column_name_and_options() -> None:
    taxonomy = Taxonomy.default()
    out = summarize_batch(
        {"transcript": [TRANSCRIPT]}, column="transcript", taxonomy=taxonomy, backend="rules"
    )
    assert out["error"] == [None]


def test_empty_batch() -> None:
    assert summarize_batch({"conversation": []}) == {"conversation": [], "record": [], "error": []}


def test_bad_rows_never_fail_the_batch() -> None:
    out = summarize_batch({"conversation": [None, 42, "{not json", CHAT]})
    assert out["record"][3] is not None
    assert all(e is not None for e in out["error"][:3])
    # third-party errors keep only their type; handoff_ai's keep their (transcript-free) message
    errors = [str(e) for e in out["error"][:3]]
    assert all(":" not in e or e.split(":")[0].endswith("Error") for e in errors)


def test_usage_errors_raise_before_any_row() -> None:
    with pytest.raises(UsageError, match="no column 'conversation'"):
        summarize_batch({"text": [CHAT]})
    with pytest.raises(UsageError):
        summarize_batch({"conversation": [CHAT]}, backend="no-such-backend")
    with pytest.raises(UsageError):
        summarize_batch([CHAT])

    class Async(AsyncBackend):
        async def aextract(self, conversation: Conversation, taxonomy: Taxonomy) -> HandoffRecord:
            raise AssertionError("not called")

    with pytest.raises(UsageError, match="async"):
        summarize_batch({"conversation": [CHAT]}, backend=Async())


def test_batch_summarizer_is_reusable() -> None:
    summarizer = BatchSummarizer(column="c", id_column=None)
    first = summarizer({"c": [CHAT]})
    second = summarizer({"c": [CHAT, TRANSCRIPT]})
    assert first["record"][0] == second["record"][0]
    assert second["error"] == [None, None]


@pytest.mark.skipif(not HAS_NUMPY, reason="numpy is not installed")
def test_numpy_batch_gives_object_arrays() -> None:
    import numpy as np

    data = {key: np.array(values, dtype=object) for key, values in batch().items()}
    out = summarize_batch(data)
    assert isinstance(out["record"], np.ndarray) and out["record"].dtype == object
    assert out["record"].shape == (4,)
    assert out["error"].tolist()[1] == "ParseError: input is empty"


class FakeFrame:
    """The slice of the pandas DataFrame API the batch function uses (pandas is not a dependency)."""

    def __init__(self, data: dict[str, list[Any]]) -> None:
        self.data = {k: list(v) for k, v in data.items()}
        self.iloc = self.loc = None

    @property
    def columns(self) -> list[str]:
        return list(self.data)

    def copy(self) -> FakeFrame:
        return FakeFrame(self.data)

    def __getitem__(self, key: str) -> Any:
        values = self.data[key]

        class Series(list[Any]):
            def tolist(self) -> list[Any]:
                return list(self)

        return Series(values)

    def __setitem__(self, key: str, values: list[Any]) -> None:
        self.data[key] = list(values)


def test_dataframe_like_batch() -> None:
    frame = FakeFrame(batch())
    out = summarize_batch(frame)
    assert isinstance(out, FakeFrame) and out is not frame
    assert out.columns == ["id", "conversation", "other", "record", "error"]
    assert "record" not in frame.columns
    assert out.data["error"][1] == "ParseError: input is empty"


@pytest.mark.skipif(not HAS_PANDAS, reason="pandas is not installed")
def test_pandas_batch() -> None:
    pd = importlib.import_module("pandas")
    frame = pd.DataFrame(batch())
    out = summarize_batch(frame)
    assert isinstance(out, pd.DataFrame)
    assert list(out.columns) == ["id", "conversation", "other", "record", "error"]
    assert out["error"].tolist()[1] == "ParseError: input is empty"


@pytest.mark.skipif(
    not HAS_RAY, reason="ray is not installed (large optional dependency; not in the test extras)"
)
@pytest.mark.slow
def test_local_ray_pipeline() -> None:
    ray = importlib.import_module("ray")
    ray.init(num_cpus=2, include_dashboard=False, ignore_reinit_error=True, log_to_driver=False)
    try:
        items = [{"id": f"c{i}", "conversation": CHAT if i % 3 else TRANSCRIPT} for i in range(12)]
        for fmt in ("pandas", "numpy"):
            ds = ray.data.from_items(items).map_batches(summarize_batch, batch_format=fmt, batch_size=4)
            rows = sorted(ds.take_all(), key=lambda r: int(r["id"][1:]))
            assert [r["error"] for r in rows] == [None] * 12
            assert [json.loads(r["record"])["conversation_id"] for r in rows] == [f"c{i}" for i in range(12)]
    finally:
        ray.shutdown()


def test_backfill_example_runs(tmp_path: Path) -> None:
    data = tmp_path / "in.jsonl"
    data.write_text(json.dumps(json.loads(CHAT)) + "\n" + json.dumps({"id": "x", "nothing": "here"}) + "\n")
    out = tmp_path / "out.jsonl"
    done = subprocess.run(
        [
            sys.executable,
            str(EXAMPLES / "ray_backfill.py"),
            "--data",
            str(data),
            "--out",
            str(out),
            "--no-ray",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "local: 1 records, 1 errors" in done.stdout
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["error"] is None for r in rows] == [True, False]
    HandoffRecord.model_validate(rows[0]["record"])
