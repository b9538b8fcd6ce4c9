"""Regenerate README.md's sample note from the real output of ``handoff summarize examples/chat.json``.

    python docs/hooks/readme_sample.py           # rewrite the block in README.md
    python docs/hooks/readme_sample.py --check   # exit 1 when the block is stale (tests/test_readme_sample.py)

The block sits between ``<!-- sample: ... -->`` and ``<!-- /sample -->``: the Markdown note up to
(not including) its "Already tried" section, then ``…``. The rules engine's wording changes
as it improves; the README must show what the command prints today, never a hand-edited copy.
"""

from __future__ import annotations

import argparse
import io
import re
import sys
from contextlib import redirect_stdout
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
COMMAND = ["summarize", "examples/chat.json", "-o", "md"]
CUT = "#### Already tried"
_BLOCK = re.compile(r"(<!-- sample: [^\n]*-->\n```markdown\n)(.*?)(```\n<!-- /sample -->)", re.DOTALL)


def sample() -> str:
    """The note as README shows it: the command's output up to the cut, then an ellipsis line."""
    sys.path.insert(0, str(ROOT / "src"))
    from handoff_ai.apps.cli import main

    out = io.StringIO()
    with redirect_stdout(out):
        code = main([*COMMAND[:1], str(ROOT / COMMAND[1]), *COMMAND[2:]])
    if code != 0:
        raise SystemExit(f"handoff {' '.join(COMMAND)} exited {code}")
    head = out.getvalue().split(CUT, 1)[0].rstrip("\n")
    return head + "\n…\n"


def current(text: str) -> str:
    found = _BLOCK.search(text)
    if found is None:
        raise SystemExit("README.md has no <!-- sample: ... --> block")
    return found.group(2)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only report whether the block is stale")
    args = parser.parse_args()
    text = README.read_text(encoding="utf-8")
    fresh = sample()
    if current(text) == fresh:
        return 0
    if args.check:
        print("README.md sample is stale: run python docs/hooks/readme_sample.py", file=sys.stderr)
        return 1
    README.write_text(_BLOCK.sub(lambda m: m.group(1) + fresh + m.group(3), text), encoding="utf-8")
    print("README.md sample updated")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
