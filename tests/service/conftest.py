"""Fixtures for the HTTP service: in-process clients on the tiny classifier and auditor, and one real uvicorn
process."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from model.similar import TicketIndex
from serve.app import create_app
from serve.settings import Settings
from tests.test_similar import sample_past

ROOT = Path(__file__).resolve().parents[2]
LIVE_API_KEY = "live-test-key"


@pytest.fixture
def make_client(tiny_classifier, tiny_auditor) -> Iterator[Callable[..., TestClient]]:
    """`make_client(**settings)` → a started TestClient on the tiny classifier and auditor (closed after the test)."""
    with ExitStack() as stack:
        def make(classifier=tiny_classifier, auditor=tiny_auditor, **settings) -> TestClient:
            app = create_app(Settings(**settings), classifier=classifier, auditor=auditor)
            return stack.enter_context(TestClient(app))
        yield make


@pytest.fixture
def client(make_client) -> TestClient:
    return make_client()


@dataclass
class LiveServer:
    url: str
    log: Path

    def log_text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def live_server(tiny_model_dir, tiny_auditor_dir, tmp_path_factory) -> Iterator[LiveServer]:
    """`hotline serve` in its own process on a free loopback port, tiny model and auditor, a repeat-complaint index of
    the sample tickets, API key required."""
    port = free_port()
    index = tmp_path_factory.mktemp("index")
    TicketIndex.build(sample_past()).save(index)
    log = tmp_path_factory.mktemp("live") / "server.log"
    env = {**os.environ, "HOTLINE_API_KEYS": LIVE_API_KEY,
           "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    command = [sys.executable, "-m", "serve", "serve", "--port", str(port), "--model", str(tiny_model_dir),
               "--auditor", str(tiny_auditor_dir), "--similar-index", str(index)]
    with log.open("w", encoding="utf-8") as sink:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=sink, stderr=subprocess.STDOUT)
    server = LiveServer(f"http://127.0.0.1:{port}", log)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(server.url + "/health", timeout=1):
                    break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"the server did not start:\n{server.log_text()}")
                time.sleep(0.1)
        yield server
    finally:
        process.terminate()
        process.wait(timeout=30)
