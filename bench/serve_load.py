"""Load test of ``handoff serve`` on loopback: 1,000 ``POST /summarize``, errors and latency.

Starts ``python -m handoff_ai serve`` (rules backend) as a subprocess on a free
127.0.0.1 port, waits for ``/healthz``, then sends ``--requests`` summarize requests
with at most ``--concurrency`` in flight from one ``httpx.AsyncClient``. Bodies are
real ABCD dev rows (``../shared/data/abcd/dev.jsonl``, sent as the ``conversation``
JSON, cycled) or synthetic transcripts when the data is absent. Bounded in count and
in time (``--timeout`` for the whole run, 30 s per request); the server is stopped by
its PID at the end, whatever happened. Only the loopback address is ever contacted.

Prints the error count, p50/p99 latency (client-side, per request) and requests/s.
Target: 0 errors. Client and server share this machine's cores.

    python bench/serve_load.py [--requests 1000] [--concurrency 16] [--data ../shared/data]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

REPO = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"  # loopback only


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def bodies(data: Path, n: int) -> tuple[list[bytes], str]:
    """``n`` request bodies (JSON bytes), cycling over the available conversations."""
    path = data / "abcd" / "dev.jsonl"
    if path.is_file():
        with path.open(encoding="utf-8") as handle:
            rows: list[Any] = [json.loads(line) for line in handle if line.strip()]
        source = f"ABCD dev rows ({path})"
    else:
        rows = [
            f"Customer: my order {10000 + i} never arrived\nAgent: sorry, let me check the tracking"
            for i in range(1000)
        ]
        source = f"synthetic transcripts ({path} not found)"
    return [json.dumps({"conversation": rows[i % len(rows)]}).encode() for i in range(n)], source


def start_server(port: int) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "handoff_ai", "serve", "--host", HOST, "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def stop_server(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        os.kill(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.kill(process.pid, signal.SIGKILL)
            process.wait()


async def wait_ready(url: str, process: subprocess.Popen[bytes], seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    async with httpx.AsyncClient(timeout=1) as client:
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise SystemExit(f"the server exited with {process.returncode}")
            try:
                if (await client.get(f"{url}/healthz")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.1)
    raise SystemExit(f"the server did not answer /healthz within {seconds:.0f} s")


async def load(
    url: str, payloads: list[bytes], concurrency: int
) -> tuple[list[float], dict[str, int], float]:
    """Latencies of the successful requests, error counts by kind, and the wall time."""
    latencies: list[float] = []
    errors: dict[str, int] = {}
    queue = iter(payloads)
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    headers = {"content-type": "application/json"}

    async with httpx.AsyncClient(base_url=url, timeout=30, limits=limits) as client:

        async def worker() -> None:
            for body in queue:  # workers share one iterator: each body is sent once
                start = time.perf_counter()
                try:
                    response = await client.post("/summarize", content=body, headers=headers)
                except httpx.HTTPError as exc:
                    errors[type(exc).__name__] = errors.get(type(exc).__name__, 0) + 1
                    continue
                if response.status_code == 200 and "record" in response.json():
                    latencies.append(time.perf_counter() - start)
                else:
                    key = f"HTTP {response.status_code}"
                    errors[key] = errors.get(key, 0) + 1

        start = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        return latencies, errors, time.perf_counter() - start


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


async def run(args: argparse.Namespace) -> int:
    payloads, source = bodies(args.data, args.requests)
    sizes = [len(p) for p in payloads]
    median = statistics.median(sizes)
    print(f"data: {source}; body {min(sizes):,}-{max(sizes):,} bytes (median {median:,.0f})")
    port = free_port()
    url = f"http://{HOST}:{port}"
    process = start_server(port)
    try:
        await wait_ready(url, process)
        print(f"server: python -m handoff_ai serve --host {HOST} --port {port} (pid {process.pid}, rules)")
        latencies, errors, wall = await asyncio.wait_for(
            load(url, payloads, args.concurrency), timeout=args.timeout
        )
    finally:
        stop_server(process)
    total_errors = sum(errors.values())
    print(
        f"requests: {args.requests}, concurrency {args.concurrency}: {len(latencies)} ok, "
        f"{total_errors} errors {errors or ''}".rstrip()
    )
    if latencies:
        print(
            f"latency: p50 {percentile(latencies, 0.5) * 1000:.1f} ms, "
            f"p99 {percentile(latencies, 0.99) * 1000:.1f} ms, max {max(latencies) * 1000:.1f} ms"
        )
    print(f"throughput: {args.requests / wall:,.0f} requests/s ({wall:.2f} s wall)")
    verdict = "PASS" if total_errors == 0 and len(latencies) == args.requests else "FAIL"
    print(f"target: 0 errors  {verdict}")
    return 0 if verdict == "PASS" else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data")
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--timeout", type=float, default=300, help="seconds for the whole load (default 300)")
    args = parser.parse_args()
    if not 1 <= args.requests <= 100_000 or not 1 <= args.concurrency <= 256:
        parser.error("--requests must be 1..100000 and --concurrency 1..256")
    return asyncio.run(run(args))


if __name__ == "__main__":
    sys.exit(main())
