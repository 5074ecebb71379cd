"""Loopback load test of the HTTP service: N requests from C concurrent keep-alive clients, a configurable mix.

    python bench/serve_load.py [--requests 10000] [--concurrency 50] [--workers 1] [--mix classify=1]
    python bench/serve_load.py --url http://127.0.0.1:8000 --api-key KEY     (a server already running)

Without --url it starts `hotline serve` on a free loopback port with the shipped default model (or --model) and
stops it afterwards. Tickets come from ../shared/data/category/train.csv (or data/samples/tickets.csv when absent).
The client is a small asyncio HTTP/1.1 client (one keep-alive connection per simulated client), cheap enough not
to starve the server of the CPU it shares with it on a 2-core machine. Prints throughput, latency percentiles,
errors and the server's resident memory (peak, all its processes); asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import json
import math
import random
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

import psutil

ROOT = Path(__file__).resolve().parent.parent
SHARED_TICKETS = ROOT.parent / "shared" / "data" / "category" / "train.csv"
SAMPLE_TICKETS = ROOT / "data" / "samples" / "tickets.csv"
WARM_UP = 200
BATCH_SIZE = 10

Ticket = dict[str, str]
# name → (path, body maker); --mix picks among these by weight. /audit joins here when the auditor exists.
ENDPOINTS: dict[str, tuple[str, Callable[[list[Ticket], random.Random], dict]]] = {
    "classify": ("/classify", lambda tickets, rng: rng.choice(tickets)),
    "classify_batch": ("/classify/batch", lambda tickets, rng: {"tickets": rng.sample(tickets, BATCH_SIZE)}),
}


def load_tickets() -> list[Ticket]:
    source = SHARED_TICKETS if SHARED_TICKETS.is_file() else SAMPLE_TICKETS
    with source.open(encoding="utf-8") as handle:
        return [{"id": r["id"], "title": r["title"], "content": r["content"]} for r in csv.DictReader(handle)]


def parse_mix(text: str) -> dict[str, float]:
    mix = {}
    for part in text.split(","):
        name, _, weight = part.partition("=")
        if name.strip() not in ENDPOINTS:
            raise SystemExit(f"unknown endpoint {name!r} in --mix; known: {', '.join(ENDPOINTS)}")
        mix[name.strip()] = float(weight or 1)
    return mix


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(workers: int, model: str | None) -> tuple[subprocess.Popen, str]:
    port = free_port()
    command = [sys.executable, "-m", "serve", "serve", "--port", str(port), "--workers", str(workers),
               "--log-level", "warning"] + (["--model", model] if model else [])
    server = subprocess.Popen(command, cwd=ROOT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url + "/health", timeout=1):
                return server, url
        except OSError:
            if server.poll() is not None:
                raise SystemExit(f"the server exited with code {server.returncode}") from None
            time.sleep(0.2)
    server.terminate()
    raise SystemExit("the server did not answer /health within 120 s")


class Client:
    """One keep-alive HTTP/1.1 connection that posts JSON and reads Content-Length responses."""

    def __init__(self, host: str, port: int, api_key: str | None):
        self.host, self.port = host, port
        self.extra = f"X-API-Key: {api_key}\r\n" if api_key else ""
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def post(self, path: str, body: bytes) -> int:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        head = (f"POST {path} HTTP/1.1\r\nHost: {self.host}\r\nContent-Type: application/json\r\n"
                f"Content-Length: {len(body)}\r\n{self.extra}\r\n")
        self.writer.write(head.encode() + body)
        header = await self.reader.readuntil(b"\r\n\r\n")
        lines = header.decode("latin-1").split("\r\n")
        status = int(lines[0].split()[1])
        length = next(int(line.split(":", 1)[1]) for line in lines if line.lower().startswith("content-length:"))
        await self.reader.readexactly(length)
        return status

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()


async def load(url: str, api_key: str | None, tickets: list[Ticket], mix: dict[str, float], total: int,
               concurrency: int, seed: int = 0) -> tuple[list[float], Counter, float]:
    """Send `total` requests from `concurrency` clients; latencies (s), outcomes by status, wall time (s)."""
    target = urlsplit(url)
    rng = random.Random(seed)
    names = rng.choices(list(mix), weights=list(mix.values()), k=total)
    requests = [(ENDPOINTS[name][0], json.dumps(ENDPOINTS[name][1](tickets, rng), ensure_ascii=False).encode())
                for name in names]
    latencies: list[float] = []
    outcomes: Counter = Counter()
    cursor = iter(requests)

    async def one_client() -> None:
        client = Client(target.hostname, target.port, api_key)
        try:
            for path, body in cursor:  # the clients share one iterator: `total` requests in all
                start = time.perf_counter()
                try:
                    status = await asyncio.wait_for(client.post(path, body), timeout=30)
                except (TimeoutError, OSError, asyncio.IncompleteReadError, ValueError) as error:
                    outcomes[type(error).__name__] += 1
                    client.close()
                    client = Client(target.hostname, target.port, api_key)
                    continue
                latencies.append(time.perf_counter() - start)
                outcomes[status] += 1
        finally:
            client.close()

    start = time.perf_counter()
    await asyncio.gather(*(one_client() for _ in range(concurrency)))
    return latencies, outcomes, time.perf_counter() - start


class RssSampler(threading.Thread):
    """Peak resident memory of a process and its children (uvicorn's workers), sampled every 0.2 s."""

    def __init__(self, pid: int):
        super().__init__(daemon=True)
        self.process = psutil.Process(pid)
        self.peak = 0.0
        self.stop = threading.Event()

    def current(self) -> float:
        processes = [self.process, *self.process.children(recursive=True)]
        return sum(p.memory_info().rss for p in processes if p.is_running()) / 2**20

    def run(self) -> None:
        while not self.stop.wait(0.2):
            self.peak = max(self.peak, self.current())


def server_pid(url: str) -> int | None:
    """The process listening on the URL's port (uvicorn's supervisor when there are workers), if visible."""
    port = urlsplit(url).port
    listening = {c.pid for c in psutil.net_connections("tcp")
                 if c.status == psutil.CONN_LISTEN and c.laddr.port == port and c.pid}
    top = [pid for pid in listening if psutil.Process(pid).ppid() not in listening]
    return top[0] if top else None


def percentile(sorted_values: list[float], q: float) -> float:
    """Nearest-rank percentile of sorted values."""
    return sorted_values[max(0, math.ceil(q / 100 * len(sorted_values)) - 1)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", help="A running server (default: start one on a free loopback port).")
    parser.add_argument("--api-key")
    parser.add_argument("--workers", type=int, default=1, help="Server processes, when the bench starts the server.")
    parser.add_argument("--model", help="Model directory, when the bench starts the server (default: shipped).")
    parser.add_argument("--requests", type=int, default=10_000)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--mix", default="classify=1", help=f"Weights, e.g. classify=9,classify_batch=1 "
                                                            f"(endpoints: {', '.join(ENDPOINTS)}).")
    args = parser.parse_args()
    mix = parse_mix(args.mix)
    tickets = load_tickets()
    server = None
    if args.url:
        url, pid = args.url.rstrip("/"), server_pid(args.url)
    else:
        server, url = start_server(args.workers, args.model)
        pid = server.pid
    try:
        sampler = RssSampler(pid) if pid else None
        asyncio.run(load(url, args.api_key, tickets, mix, min(WARM_UP, args.requests), args.concurrency, seed=1))
        if sampler:
            sampler.start()
        latencies, outcomes, wall = asyncio.run(load(url, args.api_key, tickets, mix, args.requests,
                                                     args.concurrency))
        if sampler:
            sampler.stop.set()
            sampler.join()
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
    errors = sum(n for outcome, n in outcomes.items() if not (isinstance(outcome, int) and outcome < 400))
    ms = sorted(value * 1000 for value in latencies)
    print(f"server {url} ({'started here, ' + str(args.workers) + ' worker(s)' if server else 'given'}); "
          f"mix {args.mix}; {args.requests} requests from {args.concurrency} clients; "
          f"tickets from {SHARED_TICKETS if SHARED_TICKETS.is_file() else SAMPLE_TICKETS}")
    print(f"throughput  {len(latencies) / wall:8.1f} requests/s ({wall:.1f} s)")
    if ms:
        print(f"latency     p50 {percentile(ms, 50):.1f} ms   p90 {percentile(ms, 90):.1f} ms   "
              f"p99 {percentile(ms, 99):.1f} ms   max {ms[-1]:.1f} ms")
    print(f"errors      {errors}  (outcomes: {dict(outcomes)})")
    print(f"server RSS  peak {sampler.peak:.0f} MB (all its processes)" if sampler else
          "server RSS  unknown (its process is not visible from here)")


if __name__ == "__main__":
    main()
