"""Golden tests for the channel parsers (email, WhatsApp, Slack): input → the exact ``Conversation``.

The inputs are the project's own, written in the vendors' published export shapes:
``examples/support_thread.eml``, ``examples/whatsapp_chat.txt``, ``examples/slack_channel.json``
and the ugly cases in ``tests/fixtures/parsers`` (HTML-only Outlook reply, forwarded chain
with a mobile signature, an mbox of two threads with an auto-reply and inline quoting, an
Android export with group events and media, a Slack channel with threads, an orphaned reply,
bots and joins).

Run ``python tests/test_parsers_golden_channels.py --regenerate`` to rewrite the expected
files, then review the diff.
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
    (ROOT / "examples" / "support_thread.eml", "email"),
    (FIXTURES / "email-html-only.eml", "email"),
    (FIXTURES / "email-forwarded.eml", "email"),
    (FIXTURES / "email-thread.mbox", "email"),
    (ROOT / "examples" / "whatsapp_chat.txt", "whatsapp"),
    (FIXTURES / "whatsapp-android.txt", "whatsapp"),
    (ROOT / "examples" / "slack_channel.json", "slack"),
    (FIXTURES / "slack-shared-channel.json", "slack"),
]


def normalized(path: Path, format: str = "auto") -> dict[str, Any]:
    """The parsed conversation as JSON, with the file path made machine-independent."""
    dumped: dict[str, Any] = load(path, format).model_dump(mode="json")
    for message in dumped["messages"]:
        assert message["source"]["file"] == str(path)
        message["source"]["file"] = path.name
    return dumped


def expected_path(path: Path) -> Path:
    if path.parent == FIXTURES:
        return FIXTURES / f"{path.stem}.expected.json"
    return FIXTURES / f"example-{path.stem}.expected.json"


@pytest.mark.parametrize(("path", "format"), CASES, ids=[p.name for p, _ in CASES])
def test_golden(path: Path, format: str) -> None:
    expected = json.loads(expected_path(path).read_text(encoding="utf-8"))
    assert normalized(path) == expected  # sniffed
    assert normalized(path, format) == expected  # named


@pytest.mark.parametrize(("path", "format"), CASES, ids=[p.name for p, _ in CASES])
def test_sniffed_format(path: Path, format: str) -> None:
    assert {m.source.format for m in load(path).messages if m.source} == {format}


if __name__ == "__main__" and "--regenerate" in sys.argv:
    for case, _ in CASES:
        target = expected_path(case)
        target.write_text(json.dumps(normalized(case), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        print("wrote", target.relative_to(ROOT))
