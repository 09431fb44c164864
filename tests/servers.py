"""Real server processes for browser and concurrency tests."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def free_port() -> int:
    """A TCP port on loopback that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def server_env(database_url: str, **extra: str) -> dict[str, str]:
    """The environment of a server process in testing mode on database_url."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    env.update(
        TRAINING_CONFIG="testing",
        DATABASE_URL=database_url,
        PYTHONPATH=str(ROOT),
        **extra,
    )
    return env


def flask_cli(database_url: str, *args: str, **extra: str) -> subprocess.CompletedProcess[str]:
    """Run `flask --app training ARGS` against database_url and return the finished process."""
    return subprocess.run(
        [str(BIN / "flask"), "--app", "training", *args],
        cwd=ROOT, env=server_env(database_url, **extra),
        capture_output=True, text=True, timeout=120,
    )


@contextmanager
def running_server(database_url: str, *, workers: int = 0, **extra: str) -> Iterator[str]:
    """Serve the app in its own process; yield its base URL.

    workers=0 runs a threaded Werkzeug server (one process, many threads);
    workers>0 runs gunicorn with that many worker processes and threads.
    """
    port = free_port()
    if workers:
        command = [str(BIN / "gunicorn"), "-w", str(workers), "--threads", "4",
                   "-b", f"127.0.0.1:{port}", "--log-level", "warning", "wsgi:app"]
    else:
        command = [sys.executable, "-c",
                   "from werkzeug.serving import run_simple; from wsgi import app; "
                   f"run_simple('127.0.0.1', {port}, app, threaded=True)"]
    log_path = ROOT / "test-artifacts" / f"server-{port}.log"
    log_path.parent.mkdir(exist_ok=True)
    with open(log_path, "w") as log:
        process = subprocess.Popen(command, cwd=ROOT, env=server_env(database_url, **extra),
                                   stdout=log, stderr=subprocess.STDOUT)
        base_url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 30
            while True:
                if process.poll() is not None:
                    raise RuntimeError(f"server exited early:\n{log_path.read_text()}")
                try:
                    if requests.get(f"{base_url}/healthz", timeout=1).status_code == 200:
                        break
                except (requests.ConnectionError, requests.Timeout):
                    # A worker still booting on a busy machine answers late, not never.
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError(f"server did not start:\n{log_path.read_text()}")
                time.sleep(0.1)
            yield base_url
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
