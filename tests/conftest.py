"""Shared test set-up: no network, offline tiktoken encodings, data paths."""

from __future__ import annotations

import os
import socket
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
DATA = SHARED / "data"

# tiktoken downloads encodings on first use; these machines are offline.
if (SHARED / "tiktoken-cache").is_dir():
    os.environ.setdefault("TIKTOKEN_CACHE_DIR", str(SHARED / "tiktoken-cache"))

_real_connect = socket.socket.connect


def _loopback(address: Any) -> bool:
    host = address[0] if isinstance(address, tuple) else address
    return isinstance(host, str) and (
        host in ("localhost", "::1") or host.startswith("127.") or host.startswith("/")
    )


@pytest.fixture(autouse=True)
def _no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail any test that tries to reach beyond loopback."""

    def guarded(self: socket.socket, address: Any) -> Any:
        if self.family == socket.AF_UNIX or _loopback(address):
            return _real_connect(self, address)
        raise RuntimeError(f"network access in tests is not allowed: {address!r}")

    monkeypatch.setattr(socket.socket, "connect", guarded)


def data_file(dataset: str) -> Path:
    """Path to ``../shared/data/<dataset>/dev.jsonl``, or skip the test when absent."""
    path = DATA / dataset / "dev.jsonl"
    if not path.is_file():
        pytest.skip(f"{path} not found (the shared data sets live beside the repository)")
    return path
