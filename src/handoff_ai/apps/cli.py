"""The ``handoff`` command line.

    handoff summarize chat.json [--output md|json|text|html|rich|zendesk|slack|...] [--taxonomy T]
                                # several files: merged into one timeline, one record
                                # (--separate: one record per file; --identity ID=PERSON links
                                # inputs; --encoding E reads files in that encoding)
    handoff schema              # the record's JSON Schema
    handoff formats             # input formats and output renderers
    handoff eval DATA.jsonl     # score the rules backend against gold labels
    handoff batch DIR_OR_JSONL --out results.jsonl   # many conversations, resumable (batch_cli)
    handoff serve [--host H] [--port P]              # HTTP service, extra 'serve' (serve_cli)
    handoff escalate FILE [--policy P]               # hand off now? exit 0 no / 10 yes (escalate_cli)
    handoff audit FILES... [--html R.html] [--json O.json]  # lost context across conversations (audit_cli)

Errors print one line on stderr and exit non-zero: 2 for a usage mistake,
1 for input that cannot be read. No traceback, no transcript text.
"""

from __future__ import annotations

import argparse
import json
import sys
import warnings
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from .. import __version__
from ..exceptions import HandoffError, UsageError
from .audit_cli import add_audit_parser, run_audit
from .batch_cli import add_batch_parser, run_batch
from .escalate_cli import add_escalate_parser, run_escalate
from .serve_cli import add_serve_parser, run_serve

if TYPE_CHECKING:
    from ..api import Summarizer
    from ..models import Conversation, HandoffRecord

__all__ = ["main"]

_OUTPUTS = {
    "md": "markdown",
    "markdown": "markdown",
    "json": "json",
    "text": "text",
    "html": "html",
    "rich": "rich",
}


def _parser() -> argparse.ArgumentParser:
    from ..renderers import renderer_names

    parser = argparse.ArgumentParser(
        prog="handoff",
        description="Turn support conversations into structured handoff records.",
    )
    parser.add_argument("--version", action="version", version=f"handoff_ai {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    summarize = commands.add_parser("summarize", help="summarize conversation files into handoff records")
    summarize.add_argument(
        "files", nargs="+", metavar="FILE", help="conversation files or folders ('-' for stdin)"
    )
    summarize.add_argument(
        "--format", "-f", default="auto", help="input format (default: detect; see 'formats')"
    )
    summarize.add_argument("--taxonomy", "-t", help="taxonomy file (TOML or JSON); default: packaged")
    summarize.add_argument("--backend", "-b", default=None, help="backend name (default: rules)")
    summarize.add_argument(
        "--separate", action="store_true", help="one record per file instead of merging them into one"
    )
    summarize.add_argument(
        "--allow-multiple-customers",
        action="store_true",
        help="merge inputs even when they name different customers",
    )
    summarize.add_argument(
        "--identity",
        action="append",
        default=[],
        metavar="ID=PERSON",
        help="link inputs: an email, phone, customer id or display name → your person id (repeatable)",
    )
    summarize.add_argument(
        "--identities",
        metavar="FILE",
        help="a JSON or TOML file mapping identifiers to person ids (as --identity, many at once)",
    )
    summarize.add_argument(
        "--encoding",
        default=None,
        help="text encoding of the input files (default: UTF-8, or the charset an email declares)",
    )
    summarize.add_argument(
        "--verbose", "-v", action="store_true", help="print the merge's counts on stderr (no message text)"
    )
    summarize.add_argument(
        "--escalation",
        nargs="?",
        const=True,
        default=False,
        metavar="POLICY",
        help="add the escalation decision to the record (handoff.decision); POLICY: a TOML/JSON policy file",
    )
    summarize.add_argument(
        "--note-language",
        default=None,
        metavar="CODE",
        help="write the note's own words in this language (en, de, fr, es, pt); default: the conversation's",
    )
    summarize.add_argument(
        "--output",
        "-o",
        choices=sorted({*_OUTPUTS, *renderer_names()}),
        metavar="OUTPUT",
        default=None,
        help="output: md or any renderer name (see 'formats'), e.g. json, html, zendesk, slack",
    )

    commands.add_parser("schema", help="print the handoff record's JSON Schema")
    commands.add_parser("formats", help="list input formats and output renderers")
    add_batch_parser(commands)
    add_serve_parser(commands)
    add_escalate_parser(commands)
    add_audit_parser(commands)

    evaluate = commands.add_parser("eval", help="score records against gold labels in a JSONL file")
    evaluate.add_argument("data", metavar="DATA.jsonl")
    evaluate.add_argument("--taxonomy", "-t", help="taxonomy file (TOML or JSON); default: packaged")
    evaluate.add_argument("--limit", type=int, default=None, help="only the first N conversations")
    evaluate.add_argument("--first-half", action="store_true", help="cut each conversation to its first half")
    evaluate.add_argument("--json", action="store_true", help="print the result as JSON instead of a table")
    return parser


def _inputs(files: Sequence[str]) -> Iterator[tuple[str, object]]:
    for name in files:
        if name == "-":
            yield "<stdin>", sys.stdin.buffer.read()
            continue
        path = Path(name)
        if path.is_dir():
            for child in sorted(p for p in path.iterdir() if p.is_file() and not p.name.startswith(".")):
                yield str(child), child
        elif path.exists():
            yield name, path
        else:
            raise UsageError(f"{name}: no such file or folder")


def _identities(args: argparse.Namespace) -> dict[str, str]:
    """``--identities FILE`` then every ``--identity ID=PERSON``: raw identifier → person id."""
    mapping: dict[str, str] = {}
    if args.identities:
        path = Path(args.identities)
        if not path.is_file():
            raise UsageError(f"{args.identities}: no such file")
        try:
            text = path.read_text(encoding="utf-8")
            if path.suffix.lower() == ".toml":
                if sys.version_info >= (3, 11):
                    import tomllib
                else:  # pragma: no cover - Python 3.10
                    import tomli as tomllib

                loaded = tomllib.loads(text)
            else:
                loaded = json.loads(text)
        except (UnicodeDecodeError, ValueError) as exc:
            raise UsageError(
                f"{args.identities}: not a JSON or TOML mapping ({type(exc).__name__})"
            ) from None
        if not isinstance(loaded, dict) or not all(isinstance(v, str) for v in loaded.values()):
            raise UsageError(f"{args.identities}: expected a mapping of identifier to person id (text)")
        mapping.update(loaded)
    for entry in args.identity:
        raw, sep, person = entry.rpartition("=")
        if not sep or not raw.strip() or not person.strip():
            raise UsageError(f"--identity expects ID=PERSON (e.g. maya@example.com=maya), got {entry!r}")
        mapping[raw.strip()] = person.strip()
    return mapping


def _check_encoding(encoding: str | None) -> None:
    if encoding is not None:
        import codecs

        try:
            codecs.lookup(encoding)
        except LookupError:
            raise UsageError(f"unknown text encoding: {encoding!r}") from None


def _records(
    args: argparse.Namespace, summarizer: Summarizer
) -> tuple[list[tuple[str, HandoffRecord]], list[str]]:
    """The records to print, and the inputs that could not be read (``--separate`` goes on past them).

    One record per input with ``--separate`` (or a single input), else one for the merged inputs.
    """
    _check_encoding(args.encoding)
    if args.format not in (None, "auto"):
        from ..parsers import get_parser

        get_parser(args.format)  # an unknown name is one usage error, not one per file
    inputs = list(_inputs(args.files))
    if args.separate or len(inputs) == 1:
        records: list[tuple[str, HandoffRecord]] = []
        failed: list[str] = []
        for name, source in inputs:
            try:
                conversation = _load(source, args)
                records.append((name, summarizer.summarize(conversation)))
            except HandoffError as exc:
                if len(inputs) == 1:
                    raise
                line = str(exc) if name in str(exc) else f"{name}: {exc}"
                print(f"handoff: error: {line}", file=sys.stderr)  # one line per file, then go on
                failed.append(name)
        return records, failed
    from ..merge import DifferentCustomersError, MergeReport, merge

    conversations = [_load(source, args) for _, source in inputs]
    identities = _identities(args)
    try:
        merged = merge(
            conversations, identities=identities, allow_multiple_customers=args.allow_multiple_customers
        )
    except DifferentCustomersError as exc:
        first, second = exc.inputs
        raise UsageError(
            f"{first} and {second} belong to different customers (no shared email, phone or customer id): "
            "link them with --identity ID=PERSON for each identifier, or use --allow-multiple-customers, "
            "or --separate for one record per file"
        ) from None
    except UsageError as exc:
        raise UsageError(f"{exc} (or use --separate for one record per file)") from None
    report = MergeReport.of(merged)
    if args.verbose and report is not None:
        counts = report.counts()
        print(
            f"handoff: merged {counts['inputs']} inputs: {counts['messages']} messages, "
            f"{counts['duplicates']} duplicates collapsed, {counts['renamed']} ids renamed, "
            f"{counts['channel_switches']} channel switches, {counts['timeline']} in the timeline",
            file=sys.stderr,
        )
        for warning in report.warnings:
            print(f"handoff: {warning}", file=sys.stderr)
    return [(merged.id, summarizer.summarize(merged))], []


def _load(source: object, args: argparse.Namespace) -> Conversation:
    from ..parsers import load

    return load(source, format=args.format, encoding=args.encoding)  # type: ignore[arg-type]


def _summarize(args: argparse.Namespace) -> int:
    from ..api import Summarizer

    output = (
        _OUTPUTS.get(args.output, args.output)
        if args.output
        else ("rich" if sys.stdout.isatty() else "markdown")
    )
    summarizer = Summarizer(
        backend=args.backend,
        taxonomy=args.taxonomy,
        format=args.format,
        escalation=args.escalation,
        note_language=args.note_language,
    )
    records, failed = _records(args, summarizer)
    code = 1 if failed else 0  # like ``batch``: every readable file printed, then a non-zero exit
    if output == "rich":
        from rich.console import Console

        console = Console()
        for _, record in records:
            console.print(record)
        return code
    if output == "json":
        if len(records) == 1 and not failed:
            print(records[0][1].to_json())
        else:  # one record per line, in input order
            for _, record in records:
                print(record.to_json(indent=None))
        return code
    from ..renderers import render

    for index, (name, record) in enumerate(records):
        if len(records) > 1 or failed:
            print(("\n" if index else "") + f"== {name} ==")
        print(render(record, output))
    return code


def _formats() -> int:
    from ..parsers import formats
    from ..renderers import renderer_descriptions

    print("Input formats (--format):")
    for name, description in formats():
        print(f"  {name:<12} {description}")
    print("\nOutputs (--output):")
    for name, description in renderer_descriptions().items():
        print(f"  {name:<12} {description}")
    return 0


def _eval(args: argparse.Namespace) -> int:
    from ..evaluation import evaluate_file
    from ..evaluation.report import print_report

    if not Path(args.data).is_file():
        raise UsageError(f"{args.data}: no such file")
    result = evaluate_file(args.data, taxonomy=args.taxonomy, first_half=args.first_half, limit=args.limit)
    if args.json:
        print(result.model_dump_json(indent=2) if hasattr(result, "model_dump_json") else json.dumps(result))
    else:
        print_report(result)
    return 0


def _one_line_warning(
    message: Warning | str,
    category: type[Warning],
    filename: str,
    lineno: int,
    file: TextIO | None = None,
    line: str | None = None,
) -> None:
    """Show a warning as ``handoff: warning: ...``: one line, no source path or code line."""
    print(f"handoff: warning: {message}", file=file or sys.stderr)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``handoff`` command; returns the exit code."""
    args = _parser().parse_args(argv)
    with warnings.catch_warnings():  # restores the caller's warning display afterwards
        warnings.showwarning = _one_line_warning
        return _run(args)


def _run(args: argparse.Namespace) -> int:
    try:
        if args.command == "summarize":
            return _summarize(args)
        if args.command == "schema":
            from ..models import HandoffRecord

            print(json.dumps(HandoffRecord.json_schema(), indent=2))
            return 0
        if args.command == "formats":
            return _formats()
        if args.command == "batch":
            return run_batch(args)
        if args.command == "serve":
            return run_serve(args)
        if args.command == "escalate":
            return run_escalate(args)
        if args.command == "audit":
            return run_audit(args)
        return _eval(args)
    except UsageError as exc:
        print(f"handoff: error: {exc}", file=sys.stderr)
        return 2
    except HandoffError as exc:
        print(f"handoff: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `handoff ... | head`
        return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
