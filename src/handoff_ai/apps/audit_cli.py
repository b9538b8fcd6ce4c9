"""``handoff audit``: where context was lost across past conversations.

    handoff audit FILES... [--html report.html] [--json out.json] [--jsonl entries.jsonl]
                  [--taxonomy T] [--format F] [--worst N] [--workers N] [--no-charts] [--quiet]

FILES are conversation files, folders of them, or JSON Lines files (one conversation
per line), read as a stream: a 100k-conversation history is never held in memory.
Prints a summary table (re-asks by kind, repeats, transfers, waits, containment) with
a progress bar on stderr; ``--html`` writes a self-contained report that opens
offline, ``--json`` the summary and the worst conversations, ``--jsonl`` one audit
line per conversation as it is read. An input that cannot be read is counted and
skipped (its id and error type on stderr, never its text); the exit status is then 1.

``--workers N`` audits on N processes (see ``audit_pool``): the same outputs, byte for
byte, in the same order.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any

from ..audit import ConversationAudit
from ..exceptions import UsageError
from ..models import Conversation
from ..taxonomy import Taxonomy
from .batch_cli import _items
from .cli_args import Commands, positive_int

__all__ = ["add_audit_parser", "run_audit"]


def add_audit_parser(commands: Commands) -> None:
    """Register the ``audit`` subcommand on ``handoff``'s subparsers."""
    audit = commands.add_parser(
        "audit", help="find re-asked facts, repeating customers and transfers across conversations"
    )
    audit.add_argument("files", nargs="+", metavar="FILE", help="conversation files, folders or JSONL files")
    audit.add_argument("--html", metavar="REPORT.html", help="write a self-contained HTML report")
    audit.add_argument("--json", metavar="OUT.json", help="write the summary and the worst conversations")
    audit.add_argument("--jsonl", metavar="ENTRIES.jsonl", help="write one audit line per conversation")
    audit.add_argument("--taxonomy", "-t", help="taxonomy file (its recognizers find more facts)")
    audit.add_argument("--format", "-f", default="auto", help="input format (default: detect)")
    audit.add_argument(
        "--worst", type=positive_int, default=20, help="worst conversations kept (default: 20)"
    )
    audit.add_argument(
        "--workers",
        "-w",
        type=positive_int,
        default=1,
        help="processes (default: 1; one per core uses them all; same outputs)",
    )
    audit.add_argument("--no-charts", action="store_true", help="CSS bars instead of matplotlib charts")
    audit.add_argument("--quiet", "-q", action="store_true", help="no progress bar or summary table")


def _sources(files: list[str], format: str, errors: list[tuple[str, str]]) -> Iterator[Conversation]:
    for name in files:
        items, _ = _items(Path(name), format, count=False)
        for conversation_id, item in items:
            if isinstance(item, Exception):
                errors.append((conversation_id, type(item).__name__))
                continue
            yield item


_Audited = tuple[ConversationAudit, Callable[[], dict[str, dict[str, str]]]]


def _audits(
    args: argparse.Namespace, taxonomy: Taxonomy | None, errors: list[tuple[str, str]]
) -> Iterator[_Audited]:
    """Each readable input's audit and its excerpts, in input order, on one or ``--workers`` processes."""
    if args.workers > 1:
        from .audit_pool import AuditConfig, pooled_audits

        config = AuditConfig(taxonomy=args.taxonomy, format=args.format, excerpts=args.worst > 0)
        yield from pooled_audits(args.files, config, args.workers, errors)
        return
    from ..audit.run import audit_parts

    for conversation in _sources(args.files, args.format, errors):
        yield audit_parts(conversation, taxonomy=taxonomy)


def _write(path: str, text: str) -> None:
    try:
        Path(path).write_text(text, encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"{path}: cannot write ({exc.strerror})") from None


def _open_out(path: str) -> IO[str]:
    try:
        return Path(path).open("w", encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"{path}: cannot write ({exc.strerror})") from None


def run_audit(args: argparse.Namespace) -> int:
    """Run ``handoff audit``; UsageError propagates (the caller exits 2)."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from ..audit import AuditReport

    for name in args.files:
        if not Path(name).exists():
            raise UsageError(f"{name}: no such file or folder")
    taxonomy = Taxonomy.load(args.taxonomy) if args.taxonomy else None
    report = AuditReport(keep_all=False, worst=args.worst)
    errors: list[tuple[str, str]] = []
    err = Console(stderr=True)
    lines = _open_out(args.jsonl) if args.jsonl else None
    progress = Progress(
        TextColumn("auditing"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=True,
        disable=args.quiet or not err.is_terminal,  # no bar into a log file (and no refresh thread)
    )
    try:
        with progress:
            task = progress.add_task("audit", total=None)
            for entry, cited in _audits(args, taxonomy, errors):
                report.add(entry, excerpts=cited)
                if lines is not None:
                    lines.write(entry.model_dump_json() + "\n")
                progress.advance(task)
    finally:
        if lines is not None:
            lines.close()
    if args.json:
        _write(args.json, report.to_json())
    if args.html:
        _write(args.html, report.to_html(charts=False if args.no_charts else None))
    if not args.quiet:
        _print_summary(Console(), report)
    for conversation_id, kind in errors[:20]:
        print(f"handoff: {conversation_id}: {kind} (skipped)", file=sys.stderr)
    if errors:
        print(f"handoff: {len(errors)} input(s) could not be read", file=sys.stderr)
    return 1 if errors else 0


def _print_summary(console: Any, report: Any) -> None:
    from rich.table import Table

    s = report.summary()
    table = Table(title="Handoff audit", show_header=False, title_justify="left")
    table.add_column(style="bold")
    table.add_column()
    wait = f"{s.median_wait_minutes} min" if s.median_wait_minutes is not None else "n/a (no timestamps)"
    contained = (
        f"{s.contained} of {s.bot_conversations} ({100 * s.containment_rate:.1f} %)"
        if s.containment_rate is not None
        else "n/a (no bot)"
    )
    for label, value in (
        ("conversations", s.conversations),
        ("handoffs", s.handoffs),
        ("transfers per conversation", f"{s.transfers_per_conversation:.2f}"),
        ("re-asks", s.reasks),
        ("re-asks after a transfer", s.reasks_after_transfer),
        ("conversations with a repeat", f"{s.conversations_with_repeat} ({100 * s.repeat_share:.1f} %)"),
        ("median wait after transfer", wait),
        ("warm / cold handoffs", f"{s.warm} / {s.cold}"),
        ("contained by the bot", contained),
    ):
        table.add_row(label, str(value))
    console.print(table)
    if s.reasks_by_kind:
        kinds = Table(title="Re-asks by fact kind", title_justify="left")
        kinds.add_column("kind")
        kinds.add_column("re-asks", justify="right")
        kinds.add_column("per handoff", justify="right")
        for kind, count in s.reasks_by_kind.items():
            per = s.reasks_per_handoff.get(kind)
            kinds.add_row(kind, str(count), f"{per:.3f}" if per is not None else "-")
        console.print(kinds)
    worst = report.worst()[:5]
    if worst:
        console.print(
            "worst: "
            + ", ".join(
                f"{e.conversation_id} ({len(e.reasks)} re-asks, {len(e.repeats)} repeats)" for e in worst
            )
        )
