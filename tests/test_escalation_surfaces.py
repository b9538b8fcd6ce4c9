"""Where the escalation decision surfaces: ``handoff escalate``, ``POST /escalate``, the
example bot loop, and the docs' promises about them."""

from __future__ import annotations

import json
import runpy
from pathlib import Path

import pytest

from handoff_ai.apps.cli import main

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
LOOPING = [
    {"speaker": "customer", "text": "Refund for order A-20931 please"},
    {"speaker": "action", "text": "refund_api failed: error 503"},
    {"speaker": "action", "text": "refund_api failed: error 503"},
    {"speaker": "bot", "text": "Sorry, the refund did not go through."},
]
CALM = [
    {"speaker": "customer", "text": "What are your opening hours?"},
    {"speaker": "bot", "text": "9 to 5."},
]


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
    relaxed = client.post(
        "/escalate", json={"conversation": LOOPING, "policy": {"triggers": {"failed_actions": 0}}}
    )
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


# -- the decision inside the record (summarize(escalation=...)) -------------------------


def test_record_carries_the_decision_only_when_asked() -> None:
    import handoff_ai as ho

    plain = ho.summarize(EXAMPLES / "chat.json")
    assert plain.handoff.decision is None
    record = ho.summarize(EXAMPLES / "chat.json", escalation=True)
    decision = record.handoff.decision
    assert decision is not None and decision.escalate
    assert decision == ho.should_escalate(ho.load(EXAMPLES / "chat.json"), record=plain)
    ids = {m.id for m in ho.load(EXAMPLES / "chat.json").messages}
    assert all(set(r.evidence) <= ids and r.evidence for r in decision.reasons)
    assert "hand off now" in record.to_markdown()
    # The rest of the record is the same record.
    assert record.model_copy(update={"handoff": plain.handoff}) == plain


def test_a_policy_reaches_the_record_and_update_keeps_deciding() -> None:
    import handoff_ai as ho

    policy = {"triggers": {"failed_actions": 5, "human_request": False}}
    summarizer = ho.Summarizer(escalation=policy)
    conversation = ho.load(EXAMPLES / "chat.json")
    first = ho.Conversation(id=conversation.id, messages=conversation.messages[:3])
    record = summarizer.summarize(first)
    assert record.handoff.decision is not None and not record.handoff.decision.escalate
    updated = summarizer.update(record, conversation.messages[3:])
    assert updated.handoff.decision == ho.should_escalate(conversation, policy=policy, record=updated)


def test_cli_summarize_with_escalation(capsys: pytest.CaptureFixture[str]) -> None:
    from handoff_ai.apps.cli import main

    assert main(["summarize", str(EXAMPLES / "chat.json"), "--escalation", "--output", "json"]) == 0
    record = json.loads(capsys.readouterr().out)
    assert record["handoff"]["decision"]["escalate"] is True
    assert main(["summarize", str(EXAMPLES / "chat.json"), "--output", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["handoff"]["decision"] is None
