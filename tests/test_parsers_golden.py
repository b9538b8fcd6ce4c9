"""Golden tests: real and example conversations → the exact normalized ``Conversation``.

Fixtures in ``tests/fixtures/parsers`` (see the README there):
- ``abcd-dev-0846.json``, ``abcd-dev-0744.json``: ABCD (ASAPP, NAACL 2021), dev split, MIT license.
- ``star-4377.json``, ``star-123.json``: STAR (Rasa, 2020), dev split, MIT license.
The ``examples/`` inputs are the project's own.

Run ``python tests/test_parsers_golden.py --regenerate`` to rewrite the expected files,
then review the diff.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest

from handoff_ai.parsers import load

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures" / "parsers"
CASES: list[tuple[Path, str]] = [
    (FIXTURES / "abcd-dev-0846.json", "json"),
    (FIXTURES / "abcd-dev-0744.json", "json"),
    (FIXTURES / "star-4377.json", "json"),
    (FIXTURES / "star-123.json", "json"),
    (ROOT / "examples" / "chat.json", "json"),
    (ROOT / "examples" / "transcript.txt", "text"),
    (ROOT / "examples" / "openai_messages.json", "openai"),
]


def normalized(path: Path, format: str = "auto") -> dict[str, Any]:
    """The parsed conversation as JSON, with the file path made machine-independent."""
    dumped: dict[str, Any] = load(path, format).model_dump(mode="json")
    for message in dumped["messages"]:
        assert message["source"]["file"] == str(path)
        message["source"]["file"] = path.name
    return dumped


def expected_path(path: Path) -> Path:
    return (
        FIXTURES / f"{path.stem}.expected.json"
        if path.parent == FIXTURES
        else (FIXTURES / f"example-{path.stem}.expected.json")
    )


@pytest.mark.parametrize(("path", "format"), CASES, ids=[p.name for p, _ in CASES])
def test_golden(path: Path, format: str) -> None:
    expected = json.loads(expected_path(path).read_text(encoding="utf-8"))
    assert normalized(path) == expected  # sniffed
    assert normalized(path, format) == expected  # named


def test_sniffed_formats() -> None:
    for path, format in CASES:
        assert {m.source.format for m in load(path).messages if m.source} <= {format}


if __name__ == "__main__" and "--regenerate" in sys.argv:
    for case, _ in CASES:
        target = expected_path(case)
        target.write_text(json.dumps(normalized(case), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        print("wrote", target.relative_to(ROOT))
