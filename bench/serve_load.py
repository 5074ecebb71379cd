"""Loopback load test of the HTTP service: N requests from C concurrent keep-alive clients, a configurable mix.

    python bench/serve_load.py [--requests 10000] [--concurrency 50] [--workers 1] [--mix classify=1,audit=1]
    python bench/serve_load.py --rate 200      (open loop: Poisson arrivals at 200 requests/s, at most 50 in flight)
    python bench/serve_load.py --url http://127.0.0.1:8000 --api-key KEY     (a server already running)

Without --url it starts `hotline serve` on a free loopback port with the shipped default model and auditor (or
--model, --auditor) and stops it afterwards. Tickets come from ../shared/data/category/train.csv and replies from
../shared/data/replies/replies.csv (or data/samples/tickets.csv and sample_replies.csv when absent).
The client is a small asyncio HTTP/1.1 client (one keep-alive connection per simulated client), cheap enough not
to starve the server of the CPU it shares with it on a 2-core machine. Prints throughput, latency percentiles,
errors and the server's resident memory (peak, all its processes); asserts nothing.

By default the clients are closed-loop: each sends its next request as soon as the last is answered, so the server
is always saturated and latency is whatever the queue of 50 makes it. With --rate, requests arrive at random
(Poisson) times at that mean rate, as a room of dispatchers would send them, and a request's latency counts from
when it was due, time spent waiting for a free client included.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import itertools
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
SHARED = ROOT.parent / "shared" / "data"
SAMPLES = ROOT / "data" / "samples"
# kind → (shared file, sample file, columns sent)
SOURCES = {
    "tickets": (SHARED / "category" / "train.csv", SAMPLES / "tickets.csv", ("id", "title", "content")),
    "replies": (SHARED / "replies" / "replies.csv", SAMPLES / "sample_replies.csv",
                ("id", "title", "content", "reply", "message_time", "reply_time")),
}
WARM_UP = 200
BATCH_SIZE = 10

Rows = dict[str, list[dict[str, str]]]  # "tickets" and "replies"
# name → (path, body maker); --mix picks among these by weight.
ENDPOINTS: dict[str, tuple[str, Callable[[Rows, random.Random], dict]]] = {
    "classify": ("/classify", lambda rows, rng: rng.choice(rows["tickets"])),
    "classify_batch": ("/classify/batch", lambda rows, rng: {"tickets": rng.sample(rows["tickets"], BATCH_SIZE)}),
    "audit": ("/audit", lambda rows, rng: rng.choice(rows["replies"])),
    "audit_batch": ("/audit/batch", lambda rows, rng: {"replies": rng.sample(rows["replies"], BATCH_SIZE)}),
}


def source(kind: str) -> Path:
    shared, sample, _ = SOURCES[kind]
    return shared if shared.is_file() else sample


def load_rows() -> Rows:
    rows: Rows = {}
    for kind, (_, _, columns) in SOURCES.items():
        with source(kind).open(encoding="utf-8") as handle:
            rows[kind] = [{c: r[c] for c in columns if r[c]} for r in csv.DictReader(handle)]
    return rows


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


def start_server(workers: int, model: str | None, auditor: str | None) -> tuple[subprocess.Popen, str]:
    port = free_port()
    command = [sys.executable, "-m", "serve", "serve", "--port", str(port), "--workers", str(workers),
               "--log-level", "warning"] + (["--model", model] if model else []) + \
              (["--auditor", auditor] if auditor else [])
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


async def load(url: str, api_key: str | None, rows: Rows, mix: dict[str, float], total: int,
               concurrency: int, seed: int = 0,
               rate: float | None = None) -> tuple[dict[str, list[float]], Counter, float]:
    """Send `total` requests from `concurrency` clients (closed loop, or arriving at `rate` a second); latencies (s)
    by endpoint, outcomes by status, wall time (s)."""
    target = urlsplit(url)
    rng = random.Random(seed)
    names = rng.choices(list(mix), weights=list(mix.values()), k=total)
    due = list(itertools.accumulate(rng.expovariate(rate) for _ in names)) if rate else [None] * total
    requests = [(name, json.dumps(ENDPOINTS[name][1](rows, rng), ensure_ascii=False).encode(), at)
                for name, at in zip(names, due)]
    latencies: dict[str, list[float]] = {name: [] for name in mix}
    outcomes: Counter = Counter()
    cursor = iter(requests)

    async def one_client() -> None:
        client = Client(target.hostname, target.port, api_key)
        try:
            for name, body, at in cursor:  # the clients share one iterator: `total` requests in all
                if at is None:
                    start = time.perf_counter()
                else:  # latency counts from when the request was due, not from when a client was free
                    start = began + at
                    await asyncio.sleep(max(0.0, start - time.perf_counter()))
                try:
                    status = await asyncio.wait_for(client.post(ENDPOINTS[name][0], body), timeout=30)
                except (TimeoutError, OSError, asyncio.IncompleteReadError, ValueError) as error:
                    outcomes[type(error).__name__] += 1
                    client.close()
                    client = Client(target.hostname, target.port, api_key)
                    continue
                latencies[name].append(time.perf_counter() - start)
                outcomes[status] += 1
        finally:
            client.close()

    began = time.perf_counter()
    await asyncio.gather(*(one_client() for _ in range(concurrency)))
    return latencies, outcomes, time.perf_counter() - began


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
    parser.add_argument("--auditor", help="Auditor directory, when the bench starts the server (default: shipped).")
    parser.add_argument("--requests", type=int, default=10_000)
    parser.add_argument("--concurrency", type=int, default=50, help="Clients (requests in flight at most).")
    parser.add_argument("--rate", type=float, help="Open loop: requests arrive at this mean rate a second "
                                                   "(default: closed loop, each client sends as soon as answered).")
    parser.add_argument("--mix", default="classify=1", help=f"Weights, e.g. classify=1,audit=1 "
                                                            f"(endpoints: {', '.join(ENDPOINTS)}).")
    args = parser.parse_args()
    mix = parse_mix(args.mix)
    rows = load_rows()
    server = None
    if args.url:
        url, pid = args.url.rstrip("/"), server_pid(args.url)
    else:
        server, url = start_server(args.workers, args.model, args.auditor)
        pid = server.pid
    try:
        sampler = RssSampler(pid) if pid else None
        asyncio.run(load(url, args.api_key, rows, mix, min(WARM_UP, args.requests), args.concurrency, seed=1))
        if sampler:
            sampler.start()
        latencies, outcomes, wall = asyncio.run(load(url, args.api_key, rows, mix, args.requests,
                                                     args.concurrency, rate=args.rate))
        if sampler:
            sampler.stop.set()
            sampler.join()
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
    errors = sum(n for outcome, n in outcomes.items() if not (isinstance(outcome, int) and outcome < 400))
    answered = sum(len(values) for values in latencies.values())
    print(f"server {url} ({'started here, ' + str(args.workers) + ' worker(s)' if server else 'given'}); "
          f"mix {args.mix}; {args.requests} requests from {args.concurrency} clients"
          f"{f', arriving at {args.rate:g}/s' if args.rate else ' (closed loop)'}; "
          f"data from {', '.join(str(source(kind)) for kind in SOURCES)}")
    print(f"throughput  {answered / wall:8.1f} requests/s ({wall:.1f} s)")
    by_endpoint = list(latencies.items()) if len(latencies) > 1 else []
    for name, values in [("all", [v for values in latencies.values() for v in values]), *by_endpoint]:
        ms = sorted(value * 1000 for value in values)
        if ms:
            print(f"latency     {name:<15} n={len(ms):<6} p50 {percentile(ms, 50):.1f} ms   "
                  f"p90 {percentile(ms, 90):.1f} ms   p99 {percentile(ms, 99):.1f} ms   max {ms[-1]:.1f} ms")
    print(f"errors      {errors}  (outcomes: {dict(outcomes)})")
    print(f"server RSS  peak {sampler.peak:.0f} MB (all its processes)" if sampler else
          "server RSS  unknown (its process is not visible from here)")


if __name__ == "__main__":
    main()
