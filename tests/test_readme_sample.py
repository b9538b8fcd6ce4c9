"""README's sample note is the real output of ``handoff summarize examples/chat.json`` (issue 16).

It drifted once (``billing 100%`` shown, ``billing 89%`` printed). When the rules engine's output
changes on purpose, regenerate the block with ``python docs/hooks/readme_sample.py`` and commit it.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[1]


def _tool() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "readme_sample", ROOT / "docs" / "hooks" / "readme_sample.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_readme_sample_matches_the_command_output() -> None:
    tool = _tool()
    shown = tool.current((ROOT / "README.md").read_text(encoding="utf-8"))
    assert shown == tool.sample(), (
        "README.md's sample note is stale: run `python docs/hooks/readme_sample.py` and commit README.md"
    )


def test_the_sample_is_cut_where_the_readme_says() -> None:
    shown = _tool().sample()
    assert shown.startswith("**Summary:**") and shown.endswith("\n…\n")
    assert "#### Already tried" not in shown and "#### Already given" in shown
