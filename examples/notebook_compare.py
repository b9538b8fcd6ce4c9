"""Compare two handoff records side by side, as you would in a notebook.

Offline by default: the rules record of the conversation's first half (what an
agent would get from an early handoff) against the record of the whole
conversation. With ``--backend openai`` (and ``HANDOFF_AI_MODEL`` /
``OPENAI_BASE_URL`` set) it compares the rules backend with the model instead::

    python examples/notebook_compare.py [conversation-file] [--backend openai] [--html out.html]

In Jupyter the same objects display themselves::

    from handoff_ai.apps.notebook import compare
    compare(rules_record, llm_record, labels=("rules", "llm"))   # HTML table
    compare(rules_record, llm_record).differences                # a plain list
"""

from __future__ import annotations

import argparse
from pathlib import Path

from rich.console import Console

import handoff_ai as ho
from handoff_ai.apps.notebook import compare

HERE = Path(__file__).resolve().parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("conversation", nargs="?", default=str(HERE / "chat.json"))
    parser.add_argument("--backend", help="compare rules with this backend (e.g. openai) instead")
    parser.add_argument("--html", type=Path, help="also write the comparison as an HTML file")
    args = parser.parse_args()

    conversation = ho.load(args.conversation)
    if args.backend:
        a = ho.summarize(conversation, backend="rules")
        b = ho.summarize(conversation, backend=args.backend)
        labels = ("rules", args.backend)
    else:
        half = conversation.model_copy(update={"messages": conversation.messages[: len(conversation) // 2]})
        a = ho.summarize(half, backend="rules")
        b = ho.summarize(conversation, backend="rules")
        labels = ("first half", "full")

    comparison = compare(a, b, labels=labels)
    console = Console()
    console.print(comparison)
    console.print(f"\n{len(comparison.differences)} differences:")
    for field, left, right in comparison.differences:
        console.print(f"  {field}: {left!r} → {right!r}", markup=False, highlight=False)
    if args.html:
        args.html.write_text(comparison._repr_html_(), encoding="utf-8")
        console.print(f"wrote {args.html}", markup=False)


if __name__ == "__main__":
    main()
