"""summarize_many / asummarize_many and ``handoff batch``: order, per-item errors, bounded
concurrency, lazy input, resumable output, exit codes."""

from __future__ import annotations

import asyncio
import json
import random
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

import handoff_ai as ho
from handoff_ai import AsyncBackend, Backend, Conversation, HandoffRecord, Message, RulesBackend
from handoff_ai.apps.cli import main
from handoff_ai.taxonomy import Taxonomy


def conversation(n: int) -> Conversation:
    return Conversation(
        id=f"c{n}",
        messages=[Message(id="m1", role="customer", text=f"My order {1000 + n} never arrived, please help.")],
    )


def record_for(conv: Conversation) -> HandoffRecord:
    return HandoffRecord(conversation_id=conv.id, message_count=len(conv.messages))


class SlowAsync(AsyncBackend):
    """A fake model backend: ``latency`` seconds per call; records the most calls in flight."""

    name = "slow-async"

    def __init__(self, latency: float = 0.01) -> None:
        self.latency = latency
        self.in_flight = 0
        self.max_in_flight = 0
        self.calls = 0

    async def aextract(self, conversation: Conversation, taxonomy: Taxonomy) -> HandoffRecord:
        self.calls += 1
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            await asyncio.sleep(self.latency * random.random() if self.latency < 0.05 else self.latency)
            if conversation.id == "boom":
                raise ho.BackendError("model unavailable")
            return record_for(conversation)
        finally:
            self.in_flight -= 1


class SlowSync(Backend):
    """A fake sync model backend (I/O-bound: it sleeps); thread-safe in-flight counter."""

    name = "slow-sync"

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.in_flight = 0
        self.max_in_flight = 0

    def extract(self, conversation: Conversation, taxonomy: Taxonomy) -> HandoffRecord:
        with self.lock:
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            time.sleep(0.002 + 0.01 * random.random())
            return record_for(conversation)
        finally:
            with self.lock:
                self.in_flight -= 1


# -- the library -----------------------------------------------------------------------------


def test_results_are_in_input_order_whatever_the_completion_order() -> None:
    convs = [conversation(n) for n in range(30)]
    backend = SlowSync()
    results = ho.summarize_many(convs, backend=backend, concurrency=8)
    assert [r.conversation_id for r in results if isinstance(r, HandoffRecord)] == [c.id for c in convs]
    assert 1 < backend.max_in_flight <= 8
    async_results = asyncio.run(ho.asummarize_many(convs, backend=SlowAsync(), concurrency=8))
    assert async_results == results


def test_a_malformed_item_in_the_middle_is_collected_not_raised() -> None:
    sources: list[object] = [conversation(0), "", conversation(2), {"messages": "nope"}, conversation(4)]
    results = ho.summarize_many(sources)
    assert [type(r).__name__ for r in results][:3] == ["HandoffRecord", "ParseError", "HandoffRecord"]
    assert isinstance(results[3], ho.HandoffError) and isinstance(results[4], HandoffRecord)
    assert results[4].conversation_id == "c4"
    assert all(isinstance(r, HandoffRecord) for r in ho.summarize_many(sources[::2]))


def test_backend_errors_stay_in_their_slot() -> None:
    convs = [conversation(0), Conversation(id="boom", messages=conversation(1).messages), conversation(2)]
    results = asyncio.run(ho.asummarize_many(convs, backend=SlowAsync(), concurrency=3))
    assert isinstance(results[1], ho.BackendError)
    assert [r.conversation_id for r in (results[0], results[2]) if isinstance(r, HandoffRecord)] == [
        "c0",
        "c2",
    ]


@pytest.mark.parametrize("concurrency", [1, 3, 16])
def test_async_concurrency_bound_is_respected(concurrency: int) -> None:
    backend = SlowAsync()
    results = asyncio.run(
        ho.asummarize_many([conversation(n) for n in range(40)], backend=backend, concurrency=concurrency)
    )
    assert len(results) == 40 and backend.calls == 40
    assert backend.max_in_flight <= concurrency
    assert backend.max_in_flight == concurrency  # 40 items always fill the window


def test_async_path_with_50ms_latency() -> None:
    backend = SlowAsync(latency=0.05)
    seen: list[int] = []
    results = asyncio.run(
        ho.asummarize_many(
            (conversation(n) for n in range(20)),
            backend=backend,
            concurrency=10,
            on_result=lambda index, _: seen.append(index),
        )
    )
    assert [r.conversation_id for r in results if isinstance(r, HandoffRecord)] == [
        f"c{n}" for n in range(20)
    ]
    assert sorted(seen) == list(range(20))
    assert backend.max_in_flight == 10


def test_a_generator_is_read_only_as_far_as_the_window() -> None:
    pulled = 0

    def rows() -> Iterator[Conversation]:
        nonlocal pulled
        for n in range(50):
            pulled += 1
            yield conversation(n)

    lead: list[int] = []

    def on_result(index: int, result: HandoffRecord | Exception) -> None:
        lead.append(pulled - len(lead))  # how far the input ran ahead of the results

    results = asyncio.run(ho.asummarize_many(rows(), backend=SlowAsync(), concurrency=4, on_result=on_result))
    assert len(results) == 50 and max(lead) <= 4
    pulled, lead = 0, []
    assert len(ho.summarize_many(rows(), on_result=on_result)) == 50 and max(lead) <= 1


def test_load_many_generator_and_its_bad_line(tmp_path: Path) -> None:
    path = tmp_path / "rows.jsonl"
    good = {"id": "r1", "messages": [{"role": "user", "content": "I was charged twice"}]}
    path.write_text(
        json.dumps(good) + "\n" + json.dumps({**good, "id": "r2"}) + "\n{oops\n" + json.dumps(good)
    )
    results = ho.summarize_many(ho.load_many(path))
    # the generator cannot go on after raising: its error is the last slot
    assert [type(r).__name__ for r in results] == ["HandoffRecord", "HandoffRecord", "ParseError"]
    again = asyncio.run(ho.asummarize_many(ho.load_many(path), backend=SlowAsync(), concurrency=2))
    assert [type(r).__name__ for r in again] == ["HandoffRecord", "HandoffRecord", "ParseError"]


def test_rules_backend_stays_in_the_calling_thread() -> None:
    threads: set[int] = set()

    class Recording(RulesBackend):
        def extract(self, conversation: Conversation, taxonomy: Taxonomy) -> HandoffRecord:
            threads.add(threading.get_ident())
            return super().extract(conversation, taxonomy)

    results = ho.summarize_many([conversation(n) for n in range(6)], backend=Recording(), concurrency=4)
    assert threads == {threading.get_ident()}
    assert results == [ho.summarize(conversation(n)) for n in range(6)]


def test_caller_mistakes_raise_before_anything_runs() -> None:
    with pytest.raises(ho.UsageError, match="asummarize_many"):
        ho.summarize_many([conversation(0)], backend=SlowAsync())
    with pytest.raises(ho.UsageError, match="concurrency"):
        ho.summarize_many([conversation(0)], concurrency=0)
    with pytest.raises(ho.UsageError, match="iterable"):
        ho.summarize_many("chat.json")
    with pytest.raises(ho.UnknownBackendError):
        asyncio.run(ho.asummarize_many([conversation(0)], backend="nope"))
    assert ho.summarize_many([]) == []


def test_on_result_errors_propagate_and_cancel_the_rest() -> None:
    backend = SlowAsync()

    def on_result(index: int, result: HandoffRecord | Exception) -> None:
        raise KeyError("stop")

    with pytest.raises(KeyError):
        asyncio.run(
            ho.asummarize_many(
                [conversation(n) for n in range(20)], backend=backend, concurrency=4, on_result=on_result
            )
        )
    assert backend.calls <= 5 and backend.in_flight == 0


# -- the command line ------------------------------------------------------------------------


def rows_file(path: Path, ids: list[str], bad_at: int | None = None) -> Path:
    lines = [
        json.dumps({"id": i, "messages": [{"role": "user", "content": f"Order {n} never arrived"}]})
        for n, i in enumerate(ids)
    ]
    if bad_at is not None:
        lines.insert(bad_at, "{not json")
    path.write_text("\n".join(lines) + "\n")
    return path


def out_lines(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def batch(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    code = main(["batch", *argv])
    out, err = capsys.readouterr()
    assert out == ""  # results go to --out only
    return code, err


def test_cli_batch_on_a_jsonl(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = rows_file(tmp_path / "rows.jsonl", ["a", "b", "c", "d"], bad_at=2)
    out = tmp_path / "results.jsonl"
    code, err = batch(capsys, str(source), "--out", str(out), "--concurrency", "3")
    assert code == 1
    assert "5 written" in err and "4 ok, 1 failed" in err
    lines = out_lines(out)
    assert [line["id"] for line in lines] == ["a", "b", "rows-3", "c", "d"]
    assert lines[2] == {
        "id": "rows-3",
        "error": {"type": "ParseError", "message": "jsonl at line 3: invalid JSON"},
    }
    record = HandoffRecord.model_validate(lines[0]["record"])
    assert record.conversation_id == "a" and record.provenance.backend == "rules"


def test_cli_batch_on_a_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "b.txt").write_text("Customer: my parcel 4471-AB is late\nAgent: checking\n")
    (folder / "a.json").write_text(
        json.dumps({"id": "first", "messages": [{"role": "user", "content": "refund?"}]})
    )
    out = tmp_path / "results.jsonl"
    code, err = batch(capsys, str(folder), "--out", str(out))
    assert code == 0 and "(2 ok, 0 failed)" in err
    assert [line["id"] for line in out_lines(out)] == ["first", "b"]
    (folder / "c.json").write_text("{broken")
    code, err = batch(capsys, str(folder), "--out", str(out))
    assert code == 1 and "0 ok, 1 failed), 2 already done" in err
    assert out_lines(out)[-1]["id"] == "c" and "error" in out_lines(out)[-1]


def test_cli_batch_resumes_and_appends_only_new_ids(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "results.jsonl"
    code, _ = batch(capsys, str(rows_file(tmp_path / "in.jsonl", ["a", "b"])), "--out", str(out))
    assert code == 0
    first = out.read_text()
    with out.open("a") as handle:
        handle.write('{"id": "c", "rec')  # a run killed mid-line
    code, err = batch(capsys, str(rows_file(tmp_path / "in.jsonl", ["a", "b", "c", "c"])), "--out", str(out))
    assert code == 0 and "1 written" in err and "2 already done" in err and "1 duplicate ids skipped" in err
    assert out.read_text().startswith(first)  # untouched, then appended
    assert [line["id"] for line in out_lines(out)] == ["a", "b", "c"]
    code, err = batch(capsys, str(tmp_path / "in.jsonl"), "--out", str(out))
    assert code == 0 and "0 written" in err
    assert len(out_lines(out)) == 3


def test_cli_batch_retry_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "results.jsonl"
    out.write_text('{"id": "a", "error": {"type": "BackendError", "message": "rate limited"}}\n')
    source = rows_file(tmp_path / "in.jsonl", ["a", "b"])
    assert batch(capsys, str(source), "--out", str(out))[0] == 0
    assert [line["id"] for line in out_lines(out)] == ["a", "b"]
    assert batch(capsys, str(source), "--out", str(out), "--retry-errors")[0] == 0
    lines = out_lines(out)
    assert [line["id"] for line in lines] == ["a", "b", "a"] and "record" in lines[-1]  # the last line wins


def test_cli_batch_usage_errors_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = rows_file(tmp_path / "in.jsonl", ["a"])
    out = tmp_path / "results.jsonl"
    assert batch(capsys, str(tmp_path / "missing"), "--out", str(out))[0] == 2
    assert batch(capsys, str(source), "--out", str(source))[0] == 2
    assert batch(capsys, str(source), "--out", str(out), "--backend", "nope")[0] == 2
    assert batch(capsys, str(source), "--out", str(out), "--format", "nope")[0] == 2
    (tmp_path / "other.jsonl").write_text('{"turns": []}\n')
    code, err = batch(capsys, str(source), "--out", str(tmp_path / "other.jsonl"))
    assert code == 2 and "not a batch result" in err
    with pytest.raises(SystemExit) as exc:
        main(["batch", str(source), "--out", str(out), "--concurrency", "0"])
    assert exc.value.code == 2
    with pytest.raises(SystemExit):
        main(["batch", str(source)])  # --out is required
    assert not out.exists()


def test_cli_batch_summary_line_and_no_bar_off_a_terminal(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "results.jsonl"
    code, err = batch(capsys, str(rows_file(tmp_path / "in.jsonl", ["a", "b"])), "--out", str(out))
    assert code == 0
    assert err == f"handoff: batch: 2 written to {out} (2 ok, 0 failed), 0 already done\n"
    rows_file(tmp_path / "in.jsonl", ["a", "b", "c"], bad_at=0)
    code, err = batch(capsys, str(tmp_path / "in.jsonl"), "--out", str(out), "--quiet")
    assert code == 1 and "(1 ok, 1 failed), 2 already done" in err  # failures are reported even with --quiet
    code, err = batch(capsys, str(tmp_path / "in.jsonl"), "--out", str(out), "--quiet")
    assert code == 0 and err == ""  # nothing new, nothing failed: silence
