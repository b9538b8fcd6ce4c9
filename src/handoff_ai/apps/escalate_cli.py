"""``handoff escalate``: should the bot hand this conversation to a person now?

    handoff escalate chat.json [--policy P] [--taxonomy T] [--format F] [--json]

Prints the decision and its reasons (each citing message ids) and exits ``0`` when the
bot should keep the conversation and ``10`` when it should hand off, so a shell pipeline
can branch (``handoff escalate chat.json || notify``... see docs/escalation.md). Usage
errors exit 2 and unreadable input 1, like every ``handoff`` command.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..exceptions import UsageError
from .cli_args import Commands

__all__ = ["ESCALATE_EXIT", "add_escalate_parser", "run_escalate"]

ESCALATE_EXIT = 10
"""Exit code when the decision is to escalate (0 when it is not)."""


def add_escalate_parser(commands: Commands) -> None:
    """Register the ``escalate`` subcommand on ``handoff``'s subparsers."""
    escalate = commands.add_parser(
        "escalate", help="decide whether a bot should hand a conversation to a person (exit 0 no / 10 yes)"
    )
    escalate.add_argument("file", metavar="FILE", help="conversation file ('-' for stdin)")
    escalate.add_argument("--policy", "-p", help="escalation policy (TOML or JSON); default: packaged")
    escalate.add_argument("--taxonomy", "-t", help="taxonomy file (TOML or JSON); default: packaged")
    escalate.add_argument("--format", "-f", default="auto", help="input format (default: detect)")
    escalate.add_argument("--json", action="store_true", help="print the decision as JSON")


def run_escalate(args: argparse.Namespace) -> int:
    """Run ``handoff escalate``; returns 0 (keep) or ``ESCALATE_EXIT`` (hand off)."""
    from ..escalation import should_escalate

    if args.file == "-":
        source: object = sys.stdin.buffer.read()
    elif Path(args.file).is_file():
        source = Path(args.file)
    else:
        raise UsageError(f"{args.file}: no such file")
    decision = should_escalate(source, policy=args.policy, taxonomy=args.taxonomy, format=args.format)
    if args.json:
        print(decision.model_dump_json(indent=2))
    else:
        print(f"escalate: {'yes' if decision.escalate else 'no'}")
        for reason in decision.reasons:
            print(f"  - {reason.kind}: {reason.description} [{', '.join(reason.evidence)}]")
        print(f"intent: {decision.intent}")
        print(f"team: {decision.team or '-'}")
        if decision.missing:
            print(f"missing: {', '.join(decision.missing)}")
            for question in decision.ask:
                print(f"  ask: {question}")
        if decision.customer_message:
            print(f"say: {decision.customer_message}")
    return ESCALATE_EXIT if decision.escalate else 0
