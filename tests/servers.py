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


def worker_index() -> int:
    """This process's number among pytest-xdist's workers (gw0, gw1, ...); 0 without xdist."""
    return int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw"))


def worker_count() -> int:
    """How many pytest-xdist workers share the run; 1 without xdist."""
    return int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1"))


def free_port() -> int:
    """A TCP port on loopback that nothing listens on right now.

    A port is free from the moment this returns until the server binds it: another worker
    of the same run could be handed the same port in between. So each worker keeps only the
    ports of its own residue (Linux gives bind() even ports first: hence port // 2).
    """
    index, count = worker_index(), worker_count()
    while True:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = int(sock.getsockname()[1])
        if (port // 2) % count == index:
            return port


# Redis has databases 0-15. The tests that count rate limits in Redis flush their database,
# so each worker counts in one of its own: base, base + 1, ... (make test runs at most 4 workers).
REDIS_RATE_LIMIT_DB = 7
REDIS_GUESSES_DB = 11
MAX_WORKERS = 4


def redis_url(base: int) -> str:
    """The Redis database numbered base for this worker alone."""
    assert worker_count() <= MAX_WORKERS, f"at most {MAX_WORKERS} workers: Redis has 16 databases"
    return f"redis://127.0.0.1:6379/{base + worker_index()}"


def server_env(database_url: str, **extra: str) -> dict[str, str]:
    """The environment of a server process in testing mode on database_url."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    env.update(TRAINING_CONFIG="testing", DATABASE_URL=database_url, PYTHONPATH=str(ROOT))
    env.update(extra)
    return env


def flask_cli(database_url: str, *args: str, **extra: str) -> subprocess.CompletedProcess[str]:
    """Run `flask --app training ARGS` against database_url and return the finished process."""
    return subprocess.run(
        [str(BIN / "flask"), "--app", "training", *args],
        cwd=ROOT, env=server_env(database_url, **extra),
        capture_output=True, text=True, timeout=120,
    )


def server_log(base_url: str) -> Path:
    """Where the server process at base_url writes its output."""
    return ROOT / "test-artifacts" / f"server-{base_url.rsplit(':', 1)[1]}.log"


@contextmanager
def running_server(database_url: str, *, workers: int = 0, **extra: str) -> Iterator[str]:
    """Serve the app in its own process; yield its base URL.

    workers=0 runs a threaded Werkzeug server (one process, many threads);
    workers>0 runs gunicorn with that many worker processes and threads.
    """
    port = free_port()
    if workers:
        # Without a control socket: every gunicorn would otherwise share one fixed path, and test
        # servers of parallel workers start side by side.
        command = [str(BIN / "gunicorn"), "-w", str(workers), "--threads", "4", "--no-control-socket",
                   "-b", f"127.0.0.1:{port}", "--log-level", "warning", "wsgi:app"]
    else:
        command = [sys.executable, "-c",
                   "from werkzeug.serving import run_simple; from wsgi import app; "
                   f"run_simple('127.0.0.1', {port}, app, threaded=True)"]
    log_path = server_log(f"http://127.0.0.1:{port}")
    log_path.parent.mkdir(exist_ok=True)
    with open(log_path, "w") as log:
        process = subprocess.Popen(command, cwd=ROOT, env=server_env(database_url, **extra),
                                   stdout=log, stderr=subprocess.STDOUT)
        base_url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 60
            while True:
                if process.poll() is not None:
                    raise RuntimeError(f"server exited early:\n{log_path.read_text()}")
                try:
                    if requests.get(f"{base_url}/healthz", timeout=5).status_code == 200:
                        break
                except (requests.ConnectionError, requests.Timeout):
                    pass  # not listening yet, or a worker still booting on a busy machine
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
