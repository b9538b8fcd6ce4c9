"""The ``handoff`` command: output formats, errors as one line, exit codes."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from handoff_ai.apps.cli import main

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


def test_summarize_many_files_and_folders_separately(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    inputs = [p for p in EXAMPLES.iterdir() if p.is_file() and p.suffix != ".py"]  # scripts are not inputs
    for path in inputs:
        (tmp_path / path.name).write_bytes(path.read_bytes())
    code, out, _ = run(capsys, "summarize", str(tmp_path), "--separate", "-o", "json")
    assert code == 0
    lines = out.strip().splitlines()
    assert len(lines) == len(inputs)
    assert all(json.loads(line)["schema_version"] == "1.2" for line in lines)


CHANNELS = [str(EXAMPLES / name) for name in ("chat.json", "support_thread.eml", "whatsapp_chat.txt")]


def test_several_inputs_merge_into_one_record(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "summarize", *CHANNELS, "-o", "json")
    assert code == 0 and err == ""
    record = json.loads(out)
    assert record["conversation_id"] == "chat-20240501-4471+whatsapp_chat+support_thread"
    assert [h["kind"] for h in record["history"]].count("channel_switch") == 2
    code, verbose, err = run(capsys, "summarize", *CHANNELS, "-o", "json", "--verbose")
    assert verbose == out
    assert err == (
        "handoff: merged 3 inputs: 24 messages, 0 duplicates collapsed, 2 ids renamed, "
        "2 channel switches, 26 in the timeline\n"
    )


def test_merge_reads_stdin_too(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    stdin = io.TextIOWrapper(io.BytesIO((EXAMPLES / "whatsapp_chat.txt").read_bytes()))
    monkeypatch.setattr(sys, "stdin", stdin)
    code, out, err = run(capsys, "summarize", str(EXAMPLES / "chat.json"), "-", "-o", "json", "-v")
    assert code == 0 and "merged 2 inputs" in err
    assert json.loads(out)["message_count"] == 24


def test_inputs_of_different_customers_are_refused_unless_asked(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    files = []
    for name in ("ann", "bob"):
        path = tmp_path / f"{name}.json"
        path.write_text(json.dumps({"customer_email": f"{name}@example.com", "messages": [
            {"role": "customer", "text": f"Hi, {name} here: order A-{len(name)} is late"}]}))  # fmt: skip
        files.append(str(path))
    code, out, err = run(capsys, "summarize", *files)
    assert code == 2 and out == "" and err.count("\n") == 1
    assert "different customers" in err and "--separate" in err and "example.com" not in err
    code, out, _ = run(capsys, "summarize", *files, "--allow-multiple-customers", "-o", "json")
    assert code == 0 and json.loads(out)["message_count"] == 2
    code, out, _ = run(capsys, "summarize", *files, "--separate", "-o", "json")
    assert code == 0 and len(out.strip().splitlines()) == 2


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
    bad = tmp_path / "x.json"
    bad.write_text('{"this is not": "a transcript"}')
    proc = subprocess.run(
        [sys.executable, "-m", "handoff_ai", "summarize", str(bad)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode != 0
    assert "Traceback" not in proc.stderr
    assert proc.stderr.startswith("handoff: error:")
