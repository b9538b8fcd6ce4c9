"""``handoff serve``: the HTTP service (``handoff_ai.apps.service``) under uvicorn.

    handoff serve [--host 127.0.0.1] [--port 8080] [--taxonomy T] [--backend B] [--max-body-bytes N]

Kept apart from ``cli.py`` so the command line does not import Starlette or uvicorn
until this subcommand runs; both come with the optional extra ``handoff-ai[serve]``.
The backend and taxonomy are checked before the port is bound, so a typo is a
one-line usage error (exit 2), not a server that fails every request.
"""

from __future__ import annotations

import argparse

from ..exceptions import UsageError
from .cli_args import Commands, positive_int

__all__ = ["add_serve_parser", "run_serve"]

_MISSING = "handoff serve needs the 'serve' extra: pip install 'handoff-ai[serve]'"


def _port(text: str) -> int:
    value = positive_int(text) if text != "0" else 0  # 0: any free port (uvicorn logs which)
    if value > 65535:
        raise argparse.ArgumentTypeError("must be at most 65535")
    return value


def add_serve_parser(commands: Commands) -> None:
    """Register the ``serve`` subcommand on ``handoff``'s subparsers."""
    serve = commands.add_parser("serve", help="run the HTTP service (POST /summarize, GET /schema)")
    serve.add_argument("--host", default="127.0.0.1", help="address to bind (default: 127.0.0.1)")
    serve.add_argument("--port", "-p", type=_port, default=8080, help="port to bind (default: 8080)")
    serve.add_argument("--taxonomy", "-t", help="default taxonomy file (TOML or JSON); default: packaged")
    serve.add_argument("--backend", "-b", default=None, help="backend name (default: rules)")
    serve.add_argument(
        "--max-body-bytes",
        type=positive_int,
        default=1_000_000,
        metavar="N",
        help="largest request body; larger ones are answered 413 (default: 1000000)",
    )
    serve.add_argument("--access-log", action="store_true", help="log one line per request (no bodies)")


def run_serve(args: argparse.Namespace) -> int:
    """Run ``handoff serve`` until interrupted; UsageError propagates (the caller exits 2)."""
    try:
        import uvicorn

        from .service import create_app
    except ModuleNotFoundError as exc:
        if (exc.name or "").split(".")[0] not in ("starlette", "uvicorn"):
            raise
        raise UsageError(_MISSING) from None
    app = create_app(backend=args.backend, taxonomy=args.taxonomy, max_body_bytes=args.max_body_bytes)
    uvicorn.run(app, host=args.host, port=args.port, access_log=args.access_log, log_level="info")
    return 0
