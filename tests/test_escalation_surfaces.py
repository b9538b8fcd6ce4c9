"""Where the escalation decision surfaces: ``handoff escalate``, ``POST /escalate``, the
example bot loop, and the docs' promises about them."""

from __future__ import annotations

import json
import runpy
from pathlib import Path

import pytest

from handoff_ai.apps.cli import main

ROOT = Path(__file__).resolve().parents[1]
LOOPING = [
    {"speaker": "customer", "text": "Refund for order A-20931 please"},
    {"speaker": "action", "text": "refund_api failed: error 503"},
    {"speaker": "action", "text": "refund_api failed: error 503"},
    {"speaker": "bot", "text": "Sorry, the refund did not go through."},
]
CALM = [{"speaker": "customer", "text": "What are your opening hours?"}, {"speaker": "bot", "text": "9 to 5."}]


def _write(tmp_path: Path, name: str, data: object) -> str:
    path = tmp_path / name
    path.write_text(json.dumps(data), encoding="utf-8")
    return str(path)


def test_cli_exit_code_says_yes_or_no(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["escalate", _write(tmp_path, "loop.json", LOOPING)]) == 10
    out = capsys.readouterr().out
    assert out.startswith("escalate: yes")
    assert "failed_actions" in out and "[m2, m3]" in out and "A-20931" in out
    assert main(["escalate", _write(tmp_path, "calm.json", CALM)]) == 0
    assert capsys.readouterr().out.startswith("escalate: no")


def test_cli_json_and_policy(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    policy = _write(tmp_path, "policy.json", {"triggers": {"failed_actions": 3}})
    assert main(["escalate", _write(tmp_path, "loop.json", LOOPING), "--policy", policy, "--json"]) == 0
    decision = json.loads(capsys.readouterr().out)
    assert decision["escalate"] is False and decision["reasons"] == []


def test_cli_errors_are_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["escalate", str(tmp_path / "absent.json")]) == 2
    bad = _write(tmp_path, "bad.json", {"triggers": {"bot_loop": "often"}})
    assert main(["escalate", _write(tmp_path, "calm.json", CALM), "--policy", bad]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 2 and "triggers.bot_loop" in err


def test_post_escalate() -> None:
    pytest.importorskip("starlette")
    pytest.importorskip("httpx")
    from starlette.testclient import TestClient

    from handoff_ai.apps.service import create_app

    client = TestClient(create_app())
    answer = client.post("/escalate", json={"conversation": LOOPING, "format": "json"})
    assert answer.status_code == 200
    decision = answer.json()["decision"]
    assert decision["escalate"] is True and decision["reasons"][0]["kind"] == "failed_actions"
    relaxed = client.post("/escalate", json={"conversation": LOOPING, "policy": {"triggers": {"failed_actions": 0}}})
    assert relaxed.json()["decision"]["escalate"] is False
    bad = client.post("/escalate", json={"conversation": LOOPING, "policy": {"triggers": {"x": 1}}})
    assert bad.status_code == 400 and "triggers.x" in bad.json()["error"]["message"]
    assert client.post("/escalate", json={"conversation": LOOPING, "policy": [1]}).status_code == 400
    assert client.post("/escalate", content=b"{").status_code == 400
    assert client.post("/escalate", json={"policy": {}}).status_code == 400
    assert client.post("/escalate", json={"conversation": "Customer: hi\nBot: hello\n"}).status_code == 200


def test_the_example_bot_loop_runs_offline(capsys: pytest.CaptureFixture[str]) -> None:
    runpy.run_path(str(ROOT / "examples" / "escalate_bot_loop.py"), run_name="__main__")
    out = capsys.readouterr().out
    assert "hand off" in out and "keep going" in out


def test_the_docs_page_is_in_the_nav_and_names_every_reason_kind() -> None:
    from handoff_ai.escalation import REASON_KINDS

    assert "escalation.md" in (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    page = (ROOT / "docs" / "escalation.md").read_text(encoding="utf-8")
    for kind in REASON_KINDS:
        assert f"`{kind}`" in page
