"""``summarize_many(..., workers=N)``: the same slots as one process, on N processes."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from handoff_ai import summarize_many
from handoff_ai.backends import AsyncBackend, Backend, RulesBackend
from handoff_ai.exceptions import ParseError, UnknownFormatError, UsageError
from handoff_ai.models import Conversation, HandoffRecord
from handoff_ai.parsers import load
from handoff_ai.taxonomy import Taxonomy

ROOT = Path(__file__).resolve().parents[1]
ABCD = ROOT.parent / "shared" / "data" / "abcd" / "dev.jsonl"
EXAMPLES = ROOT / "examples"


def _same(one: list[HandoffRecord | Exception], two: list[HandoffRecord | Exception]) -> None:
    assert len(one) == len(two)
    for index, (a, b) in enumerate(zip(one, two, strict=True)):
        if isinstance(a, HandoffRecord):
            assert isinstance(b, HandoffRecord), (index, b)
            assert a.model_dump_json() == b.model_dump_json(), index
        else:
            assert (type(a), str(a)) == (type(b), str(b)), index


def _rows(count: int) -> list[dict[str, Any]]:
    rows = []
    with ABCD.open(encoding="utf-8") as handle:
        for _ in range(count):
            rows.append(json.loads(next(handle)))
    return rows


def _ugly() -> list[Any]:
    """Every kind of source ``summarize`` takes, good and bad, as a back-fill meets them."""
    return [
        str(EXAMPLES / "whatsapp_chat.txt"),
        EXAMPLES / "support_thread.eml",
        EXAMPLES / "zendesk_ticket.json",
        load(EXAMPLES / "intercom_conversation.json"),
        "Customer: Mi pedido 4471-AB no ha llegado 📦\nAgent: Lo reviso ahora",
        {"id": "html", "messages": [{"role": "user", "content": "<p>Refund <b>order 88123</b>?</p>"}]},
        {"id": "empty", "messages": []},
        {"messages": "not a list"},  # an UnknownFormatError slot (its message lists the formats once)
        12345,  # a UsageError slot: not a source
        (x for x in ()),  # cannot be pickled: summarized (failed) in the parent, slot kept
        b"\xff\xfe",  # a ParseError slot
        [{"role": "user", "content": "my password is hunter2, card 4111 1111 1111 1111"}],
    ]


@pytest.fixture(params=["auto", "forkserver"])
def start(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Each pool test on the method chosen here (a fork on Linux) and on the fork server."""
    if request.param != "auto":
        monkeypatch.setenv("HANDOFF_AI_START_METHOD", request.param)
    return str(request.param)


def test_the_start_method_is_a_fork_only_when_safe(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys
    import threading

    from handoff_ai.batch.processes import start_method

    monkeypatch.delenv("HANDOFF_AI_START_METHOD", raising=False)
    monkeypatch.setattr(threading, "active_count", lambda: 1)
    assert start_method() == ("fork" if sys.platform == "linux" else "forkserver")
    monkeypatch.setattr(threading, "active_count", lambda: 2)  # another thread could hold a lock
    assert start_method() in ("forkserver", "spawn")
    monkeypatch.setenv("HANDOFF_AI_START_METHOD", "spawn")
    assert start_method() == "spawn"
    monkeypatch.setenv("HANDOFF_AI_START_METHOD", "teleport")
    with pytest.raises(UsageError, match="HANDOFF_AI_START_METHOD='teleport'"):
        start_method()


def test_workers_give_the_same_slots_as_one_process_on_ugly_sources(start: str) -> None:
    seen: list[int] = []
    one = summarize_many(_ugly())
    two = summarize_many(_ugly(), workers=2, on_result=lambda index, _: seen.append(index))
    _same(one, two)
    assert seen == list(range(len(one)))  # on_result once per slot (here in input order)
    assert isinstance(two[7], UnknownFormatError) and str(two[7]).count("known formats") == 1
    assert (
        isinstance(two[8], UsageError) and isinstance(two[9], UsageError) and isinstance(two[10], ParseError)
    )
    assert isinstance(two[4], HandoffRecord) and two[4].language == "es"
    assert "hunter2" not in two[11].model_dump_json()


@pytest.mark.skipif(not ABCD.exists(), reason="shared ABCD data not present")
def test_workers_match_one_process_on_real_rows_objects_and_a_taxonomy(start: str) -> None:
    rows = _rows(70)  # more than two chunks
    conversations = [load(row) for row in rows[:20]]
    taxonomy = Taxonomy.from_dict(
        {
            "intents": [
                {"name": "recover_username", "description": "forgot username", "keywords": ["username"]},
                {"name": "refund", "description": "money back", "keywords": ["refund"], "team": "billing"},
            ],
            "teams": [{"name": "billing"}],
            "recognizers": [{"kind": "member_level", "pattern": r"\b(?:gold|silver|bronze) member\b"}],
        }
    )
    for taxonomy_like in (None, taxonomy):
        one = summarize_many([*rows, *conversations], taxonomy=taxonomy_like)
        two = summarize_many([*rows, *conversations], taxonomy=taxonomy_like, workers=2)
        _same(one, two)
        assert all(isinstance(r, HandoffRecord) for r in two)


def test_an_iterator_that_raises_fills_the_next_slot_and_ends_the_batch() -> None:
    def sources() -> Iterator[Any]:
        for n in range(40):
            yield {"id": f"c{n}", "messages": [{"role": "user", "content": f"order {n}0071 late"}]}
        raise ParseError("invalid JSON", format="jsonl", location="line 41")

    one, two = summarize_many(sources()), summarize_many(sources(), workers=2)
    _same(one, two)
    assert len(two) == 41 and isinstance(two[40], ParseError)


def test_workers_read_the_sources_only_a_window_ahead() -> None:
    pulled = 0
    at_first: list[int] = []

    def sources() -> Iterator[dict[str, Any]]:
        nonlocal pulled
        for n in range(1_000):
            pulled += 1
            yield {"id": f"c{n}", "messages": [{"role": "user", "content": "hi"}]}

    def on_result(index: int, result: object) -> None:
        if not at_first:
            at_first.append(pulled)

    results = summarize_many(sources(), workers=2, on_result=on_result)
    assert len(results) == 1_000
    assert at_first[0] <= 2 * 4 * 32 + 32  # workers × chunks in flight × chunk, and the next chunk


def test_a_rules_backend_instance_crosses_and_a_model_instance_is_a_usage_error() -> None:
    sources = [{"id": "a", "messages": [{"role": "user", "content": "Please cancel order 55123"}]}]
    _same(
        summarize_many(sources, backend=RulesBackend()),
        summarize_many(sources, backend=RulesBackend(), workers=2),
    )

    class Remote(Backend):
        name = "remote"

        def extract(self, conversation: Conversation, taxonomy: Taxonomy) -> HandoffRecord:
            raise AssertionError("never called")

    with pytest.raises(UsageError, match="by name"):
        summarize_many(sources, backend=Remote(), workers=2)

    class Async(AsyncBackend):
        name = "async-remote"

        async def aextract(self, conversation: Conversation, taxonomy: Taxonomy) -> HandoffRecord:
            raise AssertionError("never called")

    with pytest.raises(UsageError, match="async"):
        summarize_many(sources, backend=Async(), workers=2)


@pytest.mark.parametrize("workers", [0, -1, True, 1.5, "2"])
def test_bad_worker_counts_are_usage_errors(workers: Any) -> None:
    with pytest.raises(UsageError, match="workers"):
        summarize_many([], workers=workers)


def test_workers_and_concurrency_together_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="not both"):
        summarize_many([], workers=2, concurrency=4)


def test_a_script_without_a_main_guard_gets_a_clear_error(tmp_path: Path) -> None:
    """Where workers import the main module (a fork server, spawn): a clear error, not a hang.
    (A fork does not import it: there such a script simply runs.)"""
    import os
    import subprocess
    import sys

    script = tmp_path / "backfill.py"
    script.write_text(
        "import handoff_ai as ho\n"
        "print(ho.summarize_many([{'id': 'a', 'messages': [{'role': 'user', 'content': 'hi'}]}] * 3, workers=2))\n",
        encoding="utf-8",
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "HANDOFF_AI_START_METHOD": "forkserver"}
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, env=env, timeout=300)
    assert done.returncode != 0
    assert "HandoffError" in done.stderr and "if __name__ == '__main__'" in done.stderr


def _counting_start(config: str) -> dict[str, Any]:
    """A worker state that says which process built it."""
    import os

    return {"built_in": os.getpid(), "config": config}


def _where(state: dict[str, Any], job: int) -> tuple[int, int, int]:
    import os

    return job, state["built_in"], os.getpid()


def test_forked_workers_take_the_state_the_parent_built_and_warmed(start: str) -> None:
    import os

    from handoff_ai.batch.processes import process_map, start_method

    results = list(process_map(_where, range(200), workers=2, start=_counting_start, config="c", chunk=8))
    assert [job for job, _, _ in results] == list(range(200))  # in order, none lost
    assert results[0][2] == os.getpid() if start_method() == "fork" else results[0][2] != os.getpid()
    workers = {pid for _, _, pid in results[1:]}
    assert os.getpid() not in workers and workers
    built = {built_in for _, built_in, _ in results}
    if start_method() == "fork":  # built once, here; the first job done here warmed it
        assert built == {os.getpid()}
    else:  # each worker of a fork server builds its own
        assert built == workers
