"""The ``handoff`` command: output formats, errors as one line, exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from handoff_ai.cli import main

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_summarize_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "summarize", str(EXAMPLES / "chat.json"), "--output", "json")
    assert code == 0 and err == ""
    record = json.loads(out)
    assert record["conversation_id"] == "chat-20240501-4471"
    assert record["provenance"]["backend"] == "rules"


def test_summarize_markdown_is_the_default_off_a_terminal(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "summarize", str(EXAMPLES / "transcript.txt"))
    assert code == 0
    assert out.startswith("**Summary:**")
    assert "Already given" in out


def test_summarize_many_files_and_folders(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "summarize", str(EXAMPLES), "-o", "json")
    assert code == 0
    lines = out.strip().splitlines()
    assert len(lines) == len([p for p in EXAMPLES.iterdir() if p.is_file()])
    assert all(json.loads(line)["schema_version"] == "1.0" for line in lines)


@pytest.mark.parametrize("output", ["text", "html", "rich", "md"])
def test_every_output_renders(capsys: pytest.CaptureFixture[str], output: str) -> None:
    code, out, _ = run(capsys, "summarize", str(EXAMPLES / "openai_messages.json"), "-o", output)
    assert code == 0 and "A-20931" in out


def test_schema_and_formats(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "schema")
    assert code == 0 and json.loads(out)["title"] == "HandoffRecord"
    code, out, _ = run(capsys, "formats")
    assert code == 0
    for name in ("json", "openai", "text", "markdown", "html", "rich"):
        assert name in out


def test_bad_input_is_one_line_on_stderr(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, err = run(capsys, "summarize", str(tmp_path / "missing.json"))
    assert code == 2 and out == "" and err.count("\n") == 1 and "missing.json" in err
    broken = tmp_path / "broken.json"
    broken.write_text('{"messages": [{"role": "customer", "text": "my card is 4111 1111 1111 1111"')
    code, out, err = run(capsys, "summarize", str(broken))
    assert code == 1 and err.startswith("handoff: error:") and err.count("\n") == 1
    assert "4111" not in err  # no transcript text in errors
    code, _, err = run(capsys, "summarize", str(broken), "--format", "nope")
    assert code == 2 and "known formats" in err


def test_eval_prints_a_table(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    data = tmp_path / "gold.jsonl"
    row = {
        "id": "g1",
        "gold": {"intent": "refund", "facts": [{"kind": "email", "value": "a@b.co"}]},
        "turns": [{"speaker": "customer", "text": "I want a refund, my email is a@b.co"}],
    }
    data.write_text(json.dumps(row) + "\n")
    code, out, err = run(capsys, "eval", str(data), "--json")
    assert code == 0, err
    result = json.loads(out)
    assert result["conversations"] == 1


def test_console_script_runs_without_traceback(tmp_path: Path) -> None:
    bad = tmp_path / "x.txt"
    bad.write_text("this is not a transcript\nat all\n")
    proc = subprocess.run(
        [sys.executable, "-m", "handoff_ai", "summarize", str(bad)], capture_output=True, text=True, timeout=60
    )
    assert proc.returncode != 0
    assert "Traceback" not in proc.stderr
    assert proc.stderr.startswith("handoff: error:")
