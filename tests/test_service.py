"""The HTTP service: every status path through Starlette's TestClient, then a real
``python -m handoff_ai serve`` process on loopback answered by a real HTTP client."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("starlette", reason="starlette is not installed: pip install 'handoff-ai[serve]'")
pytest.importorskip("uvicorn", reason="uvicorn is not installed: pip install 'handoff-ai[serve]'")
httpx = pytest.importorskip("httpx", reason="httpx is not installed (Starlette's TestClient needs it)")

from starlette.applications import Starlette  # noqa: E402
from starlette.testclient import TestClient  # noqa: E402

import handoff_ai as ho  # noqa: E402
from handoff_ai import service  # noqa: E402
from handoff_ai.apps.cli import main  # noqa: E402
from handoff_ai.backends import AsyncBackend, Backend, FallbackBackend, RulesBackend  # noqa: E402
from handoff_ai.exceptions import BackendError, ExtractionError  # noqa: E402
from handoff_ai.models import Conversation, HandoffRecord  # noqa: E402
from handoff_ai.taxonomy import Taxonomy  # noqa: E402

TRANSCRIPT = "Customer: my card was charged twice for order 4417\nAgent: sorry about that, let me check"
SECRET = "zebra-marmalade-7731"  # a word that must never appear in an error answer
PARCEL_TAXONOMY = {
    "intents": [{"name": "lost_parcel", "keywords": ["parcel", "lost"], "team": "couriers"}],
    "teams": [{"name": "couriers"}],
}


class Failing(Backend):
    """A sync model backend that always fails with ``error``."""

    name = "failing"

    def __init__(self, error: Exception) -> None:
        self.error = error

    def extract(self, conversation: Conversation, taxonomy: Taxonomy) -> HandoffRecord:
        raise self.error


class AsyncRules(AsyncBackend):
    """An async backend (a stand-in for a model) answering with the rules backend's record."""

    name = "async-rules"

    def __init__(self) -> None:
        self.calls = 0

    async def aextract(self, conversation: Conversation, taxonomy: Taxonomy) -> HandoffRecord:
        self.calls += 1
        await asyncio.sleep(0)
        return RulesBackend().extract(conversation, taxonomy)


class AsyncFailing(AsyncBackend):
    name = "async-failing"

    async def aextract(self, conversation: Conversation, taxonomy: Taxonomy) -> HandoffRecord:
        raise ExtractionError("no valid record after 2 attempts", attempts=2)


def client(**kwargs: Any) -> TestClient:
    return TestClient(service.create_app(**kwargs), raise_server_exceptions=False)


def assert_error(response: Any, status: int, type: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"type", "message"}
    assert body["error"]["type"] == type
    assert SECRET not in response.text and "charged twice" not in response.text
    return body["error"]  # type: ignore[no-any-return]


# -- 200 ---------------------------------------------------------------------------------------


def test_summarize_a_text_transcript_equals_the_library() -> None:
    response = client().post("/summarize", json={"conversation": TRANSCRIPT})
    assert response.status_code == 200
    assert response.json() == {"record": ho.summarize(TRANSCRIPT).model_dump(mode="json")}


@pytest.mark.parametrize(
    "conversation",
    [
        {"messages": [{"role": "user", "content": "my card was charged twice"}]},
        [{"role": "user", "content": "my card was charged twice"}, {"role": "assistant", "content": "ok"}],
    ],
)
def test_summarize_json_conversations(conversation: Any) -> None:
    response = client().post("/summarize", json={"conversation": conversation, "format": "auto"})
    assert response.status_code == 200
    record = HandoffRecord.model_validate(response.json()["record"])
    assert record == ho.summarize(conversation)


def test_a_request_taxonomy_is_used_and_cached(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = []
    real = Taxonomy.from_dict

    def counting(data: Any, **kwargs: Any) -> Taxonomy:
        calls.append(1)
        return real(data, **kwargs)

    monkeypatch.setattr(Taxonomy, "from_dict", counting)
    http = client()
    body = {"conversation": "Customer: my parcel is lost\nAgent: let me look", "taxonomy": PARCEL_TAXONOMY}
    first = http.post("/summarize", json=body).json()["record"]
    # the same taxonomy with its keys in another order hashes the same
    reordered = {"teams": PARCEL_TAXONOMY["teams"], "intents": PARCEL_TAXONOMY["intents"]}
    second = http.post("/summarize", json={**body, "taxonomy": reordered}).json()["record"]
    assert first["intent"]["label"] == second["intent"]["label"] == "lost_parcel"
    assert first["needed_expertise"]["team"] == "couriers"
    assert len(calls) == 1
    default = http.post("/summarize", json={"conversation": body["conversation"]}).json()["record"]
    assert default["intent"]["label"] != "lost_parcel"


def test_the_taxonomy_cache_is_bounded() -> None:
    cache = service._SummarizerCache(ho.Summarizer(), maxsize=2)
    taxonomies = [{"intents": [{"name": f"intent_{n}"}]} for n in range(3)]
    first = cache.get(taxonomies[0])
    cache.get(taxonomies[1])
    assert cache.get(taxonomies[0]) is first  # used again: now the most recent
    cache.get(taxonomies[2])  # evicts taxonomies[1], the least recent
    assert cache.get(taxonomies[0]) is first
    assert len(cache._items) == 2
    assert cache.get(None) is cache.default


def test_the_rules_backend_runs_inline(monkeypatch: pytest.MonkeyPatch) -> None:
    async def no_threads(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("the rules backend must not hop to a worker thread")

    monkeypatch.setattr(asyncio, "to_thread", no_threads)
    assert client().post("/summarize", json={"conversation": TRANSCRIPT}).status_code == 200


def test_an_async_backend_is_awaited() -> None:
    backend = AsyncRules()
    response = client(backend=backend).post("/summarize", json={"conversation": TRANSCRIPT})
    assert response.status_code == 200 and backend.calls == 1
    assert response.json()["record"]["intent"]["label"] == ho.summarize(TRANSCRIPT).intent.label


def test_schema_and_healthz() -> None:
    http = client()
    schema = http.get("/schema")
    assert schema.status_code == 200 and schema.headers["content-type"] == "application/schema+json"
    assert schema.json() == HandoffRecord.json_schema()
    health = http.get("/healthz")
    assert health.json() == {"status": "ok", "version": ho.__version__, "backend": "rules"}


# -- 4xx ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [b"{not json", b"\xff\xfe", b"", b"[" * 100_000 + b"]" * 100_000],
    ids=["syntax", "not-utf8", "empty", "deep"],
)
def test_malformed_json_is_400(body: bytes) -> None:
    response = client(max_body_bytes=1_000_000).post(
        "/summarize", content=body, headers={"content-type": "application/json"}
    )
    assert_error(response, 400, "InvalidJSON")


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ([TRANSCRIPT], "must be a JSON object"),
        ({"text": TRANSCRIPT}, "unknown fields: text"),
        ({"format": "text"}, "missing field: conversation"),
        ({"conversation": 42}, "conversation must be"),
        ({"conversation": TRANSCRIPT, "format": 3}, "format must be a string"),
        ({"conversation": TRANSCRIPT, "taxonomy": ["billing"]}, "taxonomy must be an object"),
    ],
)
def test_bad_fields_are_400(body: Any, message: str) -> None:
    error = assert_error(client().post("/summarize", json=body), 400, "BadRequest")
    assert message in error["message"]


@pytest.mark.parametrize(
    ("body", "type"),
    [
        ({"conversation": TRANSCRIPT, "format": "nope"}, "UnknownFormatError"),
        ({"conversation": {"hello": SECRET}}, "UnknownFormatError"),
        ({"conversation": TRANSCRIPT, "taxonomy": {"intents": [{"name": ""}]}}, "ConfigError"),
        ({"conversation": TRANSCRIPT, "taxonomy": {"colours": 1}}, "ConfigError"),
    ],
)
def test_usage_errors_are_400(body: Any, type: str) -> None:
    assert_error(client().post("/summarize", json=body), 400, type)


def test_a_string_is_text_never_a_server_path(tmp_path: Path) -> None:
    path = tmp_path / "chat.txt"
    path.write_text(TRANSCRIPT)
    response = client().post("/summarize", json={"conversation": str(path)})
    assert_error(response, 400, "UnknownFormatError")  # the path itself, read as a transcript


@pytest.mark.parametrize(
    "body",
    [
        {"conversation": ""},
        {"conversation": f"{SECRET} is not JSON", "format": "json"},
        {"conversation": {"messages": SECRET}, "format": "json"},
    ],
)
def test_parse_errors_are_422(body: Any) -> None:
    assert_error(client().post("/summarize", json=body), 422, "ParseError")


def test_a_large_content_length_is_413_before_reading() -> None:
    body = json.dumps({"conversation": "Customer: " + "x" * 2000}).encode()
    assert_error(client(max_body_bytes=1000).post("/summarize", content=body), 413, "RequestTooLarge")


def test_a_chunked_body_is_limited_while_reading() -> None:
    sent = []

    def chunks() -> Iterator[bytes]:  # no Content-Length: Transfer-Encoding chunked
        for _ in range(100):
            sent.append(1)
            yield b"x" * 100

    response = client(max_body_bytes=1000).post("/summarize", content=chunks())
    assert_error(response, 413, "RequestTooLarge")
    assert "content-length" not in response.request.headers


def test_a_body_at_the_limit_is_accepted() -> None:
    body = json.dumps({"conversation": TRANSCRIPT}).encode()
    assert client(max_body_bytes=len(body)).post("/summarize", content=body).status_code == 200
    assert_error(
        client(max_body_bytes=len(body) - 1).post("/summarize", content=body), 413, "RequestTooLarge"
    )


def test_a_bad_content_length_is_400() -> None:
    http = client()
    response = http.post("/summarize", content=b"{}", headers={"content-length": "many"})
    assert response.status_code == 400


def test_unknown_routes_and_methods_answer_json() -> None:
    http = client()
    assert_error(http.get("/nowhere"), 404, "NotFound")
    response = http.get("/summarize")
    assert_error(response, 405, "MethodNotAllowed")
    assert response.headers["allow"] == "POST"


# -- 5xx ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("backend", "type"),
    [
        (
            Failing(BackendError("HTTP 503 from the model server", backend="openai", status_code=503)),
            "BackendError",
        ),
        (Failing(ExtractionError("no valid record after 3 attempts", attempts=3)), "ExtractionError"),
        (AsyncFailing(), "ExtractionError"),
    ],
)
def test_backend_failures_are_502(backend: Backend | AsyncBackend, type: str) -> None:
    response = client(backend=backend).post("/summarize", json={"conversation": TRANSCRIPT})
    assert_error(response, 502, type)


@pytest.mark.skipif(sys.version_info < (3, 11), reason="exception groups are Python 3.11+")
def test_every_fallback_failing_is_502() -> None:
    backend = FallbackBackend(Failing(BackendError("timeout")), Failing(BackendError("HTTP 500")))
    error = assert_error(
        client(backend=backend).post("/summarize", json={"conversation": TRANSCRIPT}), 502, "BackendError"
    )
    assert error["message"] == "every backend failed (BackendError, BackendError)"


def test_an_unexpected_error_is_500_without_its_message(caplog: pytest.LogCaptureFixture) -> None:
    backend = Failing(RuntimeError(f"bug while reading {SECRET}"))
    response = client(backend=backend).post("/summarize", json={"conversation": TRANSCRIPT})
    assert_error(response, 500, "InternalError")
    assert "RuntimeError" in caplog.text and SECRET not in caplog.text


# -- creating the app and the command ------------------------------------------------------------


def test_create_app_checks_its_arguments_up_front() -> None:
    assert isinstance(service.create_app(), Starlette)
    with pytest.raises(ho.UsageError, match="unknown backend"):
        service.create_app(backend="nope")
    with pytest.raises(ho.UsageError):
        service.create_app(taxonomy={"intents": "billing"})
    with pytest.raises(ho.UsageError, match="max_body_bytes"):
        service.create_app(max_body_bytes=0)


def test_serve_without_the_extra_is_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(sys.modules, "uvicorn", None)
    assert main(["serve", "--port", "8080"]) == 2
    err = capsys.readouterr().err
    assert err == "handoff: error: handoff serve needs the 'serve' extra: pip install 'handoff-ai[serve]'\n"


def test_serve_refuses_a_bad_backend_before_binding(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["serve", "--backend", "nope", "--port", "8080"]) == 2
    assert capsys.readouterr().err.startswith("handoff: error: unknown backend 'nope'")


# -- a real server process -----------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def server() -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """``python -m handoff_ai serve`` on a free loopback port; stopped by PID afterwards."""
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "handoff_ai", "serve", "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            if process.poll() is not None:
                stderr = process.stderr.read().decode(errors="replace") if process.stderr else ""
                pytest.fail(f"the server exited with {process.returncode}: {stderr[-2000:]}")
            try:
                if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                pytest.fail("the server did not answer /healthz within 30 s")
            time.sleep(0.1)
        yield url, process
    finally:
        if process.poll() is None:
            os.kill(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:  # pragma: no cover - uvicorn exits on SIGTERM
                os.kill(process.pid, signal.SIGKILL)
                process.wait()
        if process.stderr:
            process.stderr.close()


def test_a_real_server_answers_a_real_client(server: tuple[str, subprocess.Popen[bytes]]) -> None:
    url, process = server
    with httpx.Client(base_url=url, timeout=30) as http:
        response = http.post("/summarize", json={"conversation": TRANSCRIPT})
        assert response.status_code == 200
        assert response.json() == {"record": ho.summarize(TRANSCRIPT).model_dump(mode="json")}
        assert http.get("/schema").json() == HandoffRecord.json_schema()
        assert http.post("/summarize", content=b"{oops").status_code == 400
        assert http.post("/summarize", json={"conversation": ""}).status_code == 422
        big = http.post("/summarize", json={"conversation": "x" * 1_000_001})
        assert big.status_code == 413 and big.json()["error"]["type"] == "RequestTooLarge"
        # the connection survives the refusals: one more request on the same client
        assert http.get("/healthz").json()["status"] == "ok"
    os.kill(process.pid, signal.SIGTERM)
    # a graceful shutdown; recent uvicorn then re-raises the signal, so -SIGTERM is fine too
    assert process.wait(timeout=15) in (0, -signal.SIGTERM)
    assert process.stderr is not None
    assert "Finished server process" in process.stderr.read().decode(errors="replace")
