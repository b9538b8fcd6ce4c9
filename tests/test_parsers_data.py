"""Every row of the ABCD and STAR dev sets loads as it is (skipped when the data is absent).

The data lives outside the repository in ``../shared/data`` (see its README); it is
never copied here except for the few fixtures in ``tests/fixtures/parsers``.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from handoff_ai.parsers import load, load_many

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
FILES = {"abcd": DATA / "abcd" / "dev.jsonl", "star": DATA / "star" / "dev.jsonl"}

pytestmark = pytest.mark.data


def _require(path: Path) -> Path:
    if not path.is_file():
        pytest.skip(f"{path} not found (development data is optional)")
    return path


@pytest.mark.parametrize("dataset", sorted(FILES))
def test_every_row_loads(dataset: str) -> None:
    path = _require(FILES[dataset])
    count = 0
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            row = json.loads(line)
            conversation = load(row)
            assert conversation.id == row["id"], f"line {number}"
            assert "turns" not in conversation.metadata and "id" not in conversation.metadata
            assert conversation.metadata["gold"] == row["gold"]
            assert len(conversation) == len(row["turns"]), f"line {number}: message count"
            for index, (turn, message) in enumerate(zip(row["turns"], conversation.messages, strict=True)):
                assert message.id == f"m{index + 1}"
                assert message.text == turn["text"]
                assert message.source is not None and message.source.pointer == f"turns[{index}]"
                if turn["speaker"] == "action":
                    assert (message.role, message.kind) == ("system", "event")
                else:
                    assert (message.role, message.kind) == (turn["speaker"], "message")
                extra = {k: v for k, v in turn.items() if k not in ("speaker", "text")}
                assert message.metadata == extra
            count += 1
    assert count > 0


@pytest.mark.parametrize("dataset", sorted(FILES))
def test_load_many_streams_the_whole_file(dataset: str) -> None:
    path = _require(FILES[dataset])
    with path.open(encoding="utf-8") as handle:
        ids = [json.loads(line)["id"] for line in handle]
    assert [c.id for c in load_many(path)] == ids


def test_abcd_row_parse_overhead_is_small() -> None:
    """Generous bound (CI machines are slow); the measured figure is in the parsers' report."""
    path = _require(FILES["abcd"])
    with path.open(encoding="utf-8") as handle:
        rows = [json.loads(line) for line in handle][:300]
    start = time.perf_counter()
    for row in rows:
        load(row)
    per_row = (time.perf_counter() - start) / len(rows)
    assert per_row < 2e-3
