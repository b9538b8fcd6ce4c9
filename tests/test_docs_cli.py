"""docs/cli.md's usage synopsis lists every subcommand and every ``summarize`` option (issue 16)."""

from __future__ import annotations

import re
from pathlib import Path

from handoff_ai.apps.cli import _parser

DOC = (Path(__file__).resolve().parents[1] / "docs" / "cli.md").read_text(encoding="utf-8")
SYNOPSIS = DOC.split("```bash", 1)[1].split("```", 1)[0]


def _subparsers() -> dict[str, object]:
    parser = _parser()
    action = next(a for a in parser._actions if a.__class__.__name__ == "_SubParsersAction")
    return dict(action.choices)  # type: ignore[attr-defined]


def test_every_subcommand_is_in_the_synopsis() -> None:
    for name in _subparsers():
        assert re.search(rf"^handoff {name}\b", SYNOPSIS, re.M), name


def test_every_summarize_and_batch_option_is_in_the_synopsis() -> None:
    commands = _subparsers()
    for name in ("summarize", "batch", "serve"):
        for action in commands[name]._actions:  # type: ignore[attr-defined]
            longs = [o for o in action.option_strings if o.startswith("--") and o != "--help"]
            if longs:
                assert any(o in SYNOPSIS for o in longs), (name, longs)


def test_one_record_for_merged_inputs_is_said_once_and_consistently() -> None:
    assert "one record per input. The default" not in DOC  # the old contradiction
    assert "merged into one conversation and print one record" in DOC
