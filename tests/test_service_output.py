"""``POST /summarize`` with ``output``: the rendered note alone, ready for a helpdesk webhook (issue 16)."""

from __future__ import annotations

import json

import pytest

pytest.importorskip("starlette", reason="starlette is not installed: pip install 'handoff-ai[serve]'")
pytest.importorskip("httpx", reason="httpx is not installed (Starlette's TestClient needs it)")

from starlette.testclient import TestClient

import handoff_ai as ho
from handoff_ai import service
from handoff_ai.renderers import render

TRANSCRIPT = "Customer: I was charged twice for order A-20931\nBot: Let me check.\nCustomer: agent please"


@pytest.fixture(scope="module")
def client() -> TestClient:
    return TestClient(service.create_app(), raise_server_exceptions=False)


@pytest.mark.parametrize(
    ("output", "renderer", "media"),
    [
        ("md", "markdown", "text/markdown"),
        ("markdown", "markdown", "text/markdown"),
        ("text", "text", "text/plain"),
        ("html", "html", "text/html"),
        ("zendesk", "zendesk", "application/json"),
        ("slack", "slack", "application/json"),
        ("intercom", "intercom", "application/json"),
    ],
)
def test_output_returns_the_rendered_body_as_is(
    client: TestClient, output: str, renderer: str, media: str
) -> None:
    response = client.post("/summarize", json={"conversation": TRANSCRIPT, "output": output})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith(media)
    assert response.text == render(ho.summarize(TRANSCRIPT), renderer)
    if media == "application/json":
        assert "record" not in json.loads(response.text)  # the vendor payload itself, no envelope


def test_without_output_the_envelope_is_unchanged(client: TestClient) -> None:
    response = client.post("/summarize", json={"conversation": TRANSCRIPT})
    assert set(response.json()) == {"record"}


@pytest.mark.parametrize("output", ["rich", "pdf", 3])
def test_unknown_or_terminal_output_is_a_400(client: TestClient, output: object) -> None:
    response = client.post("/summarize", json={"conversation": TRANSCRIPT, "output": output})
    assert response.status_code == 400
    assert response.json()["error"]["type"] == "BadRequest"
    assert "charged" not in response.text
