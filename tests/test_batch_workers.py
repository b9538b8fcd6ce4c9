"""``handoff batch --workers N``: processes write the same results file as one process."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from handoff_ai.apps.cli import main

ABCD = Path(__file__).resolve().parents[2] / "shared" / "data" / "abcd" / "dev.jsonl"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    code = main(["batch", *argv])
    out, err = capsys.readouterr()
    assert out == ""
    return code, err


def rows(path: Path, count: int, bad_at: int) -> Path:
    lines = [
        json.dumps(
            {"id": f"c{n}", "messages": [{"role": "user", "content": f"Order {n}00{n} never arrived 📦"}]}
        )
        for n in range(count)
    ]
    lines.insert(bad_at, "{not json")
    lines.insert(bad_at + 2, json.dumps({"id": "empty", "messages": []}))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_workers_write_byte_identical_results_in_input_order(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = rows(tmp_path / "rows.jsonl", 70, bad_at=33)  # more than two chunks of work
    one, two = tmp_path / "one.jsonl", tmp_path / "two.jsonl"
    code_one, err_one = run(capsys, str(source), "--out", str(one))
    code_two, err_two = run(capsys, str(source), "--out", str(two), "--workers", "2")
    assert (code_one, code_two) == (1, 1)
    assert err_one == err_two.replace(str(two), str(one))
    assert one.read_bytes() == two.read_bytes()
    ids = [json.loads(line)["id"] for line in two.read_text().splitlines()]
    assert ids[33] == "rows-34" and len(ids) == 72


def test_workers_resume_and_skip_done_ids(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = rows(tmp_path / "rows.jsonl", 10, bad_at=3)
    out = tmp_path / "out.jsonl"
    run(capsys, str(source), "--out", str(out), "--workers", "2")
    before = out.read_bytes()
    code, err = run(capsys, str(source), "--out", str(out), "--workers", "2")
    assert out.read_bytes() == before
    assert code == 0 and "0 written" in err and "12 already done" in err


def test_workers_on_a_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "b.txt").write_text("Customer: Mi pedido 4471-AB no ha llegado\nAgent: Lo reviso ahora\n")
    (folder / "a.json").write_text(
        json.dumps({"id": "a", "messages": [{"role": "user", "content": "refund?"}]})
    )
    (folder / "c.json").write_text("{broken")
    out = tmp_path / "out.jsonl"
    code, err = run(capsys, str(folder), "--out", str(out), "--workers", "2")
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert code == 1 and "(2 ok, 1 failed)" in err
    assert [line["id"] for line in lines] == ["a", "b", "c"]
    assert lines[1]["record"]["language"] == "es" and "error" in lines[2]


@pytest.mark.skipif(not ABCD.exists(), reason="shared ABCD data not present")
def test_workers_match_one_process_on_real_rows(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "abcd.jsonl"
    with ABCD.open(encoding="utf-8") as handle:
        source.write_text("".join(next(handle) for _ in range(80)), encoding="utf-8")
    one, two = tmp_path / "one.jsonl", tmp_path / "two.jsonl"
    run(capsys, str(source), "--out", str(one))
    run(capsys, str(source), "--out", str(two), "--workers", "2")
    assert one.read_bytes() == two.read_bytes()
