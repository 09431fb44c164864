"""The app's own CPU per request, in-process, interleaved with bare Flask: a figure a shared machine keeps.

    .venv/bin/python bench/cpu.py [--database postgresql] [--enrolments 100] [--rounds 7] [--requests 300]

Each request goes through the WSGI callable as gunicorn calls it (no test client around it); the
CPU is this process's (time.process_time: the database server's work is not in it, the driver's
round trips are). Every round measures bare Flask (bench/bare.py), a route that does nothing, and
each scenario in turn; each figure is the median of its rounds, and its ratio is bare Flask's
CPU divided by it. The SQL statements one request issues are counted beside it (the pool's ping
on checkout is not a statement: it goes round SQLAlchemy's execution). The enrol POST is sent by
a new person each time (the data set's signed-in newcomers, as bench/run.py's wrk script sends it).
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from werkzeug.test import EnvironBuilder

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import bare  # noqa: E402
from dataset import load  # noqa: E402
from run import fresh_database, migrate, production_app  # noqa: E402

from training.core.extensions import db  # noqa: E402
from training.core.probe import probe_ran  # noqa: E402

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]
# One request: its WSGI environ (without its input) and its body.
Request = tuple[dict[str, Any], bytes]


def environ(path: str, headers: dict[str, str]) -> dict[str, Any]:
    """The WSGI environ of a GET of path, as a calendar client or wrk sends it."""
    builder = EnvironBuilder(path=path, headers={"Host": "127.0.0.1:8000", "User-Agent": "bench", **headers})
    try:
        return builder.get_environ()
    finally:
        builder.close()


def enrol_post(cookie: str, csrf: str, slug: str) -> Request:
    """The enrol button's POST of one signed-in person, with its form token."""
    builder = EnvironBuilder(
        path=f"/courses/{slug}/enrol", method="POST", data={"csrf_token": csrf},
        headers={"Host": "127.0.0.1:8000", "User-Agent": "bench", "Cookie": f"session={cookie}"},
    )
    try:
        template = builder.get_environ()
        return template, template["wsgi.input"].read()
    finally:
        builder.close()


def the_same(template: dict[str, Any]) -> Iterator[Request]:
    """The same GET over and over."""
    while True:
        yield template, b""


def call(app: WSGIApp, template: dict[str, Any], body: bytes = b"") -> str:
    """One request through app's WSGI callable, its body read to the end; the status line."""
    statuses: list[str] = []
    request = dict(template, **{"wsgi.input": io.BytesIO(body)})
    body = app(request, lambda status, headers, exc_info=None: statuses.append(status))
    for _chunk in body:
        pass
    close = getattr(body, "close", None)
    if close:
        close()
    return statuses[0]


def statements_of(app: WSGIApp, template: dict[str, Any], body: bytes) -> int:
    """The SQL statements one request issues."""
    seen: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(statement)

    def count_probe(_probe: Any, statement: str) -> None:
        seen.append(statement)

    engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", count)
    probe_ran.connect(count_probe)  # the version reads that go through the driver
    try:
        call(app, template, body)
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)
        probe_ran.disconnect(count_probe)
    return len(seen)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", default="postgresql", choices=("sqlite", "postgresql"))
    parser.add_argument("--enrolments", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--requests", type=int, default=300, help="per scenario and round")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory, fresh_database(args.database, Path(directory)) as url:
        migrate(url)
        app = production_app(url)
        # The floor of the product's own request path: every hook, no view work, no database.
        app.add_url_rule("/bench/nothing", "bench_nothing", lambda: "Hello, World!")
        manifest = load(app, args.enrolments)
        feed = f"/calendar/courses/{manifest.feed_slug}.ics"
        gzip = {"Accept-Encoding": "gzip"}
        etag = app.test_client().get(feed, headers=gzip).headers["ETag"]
        reader = {"Cookie": f"session={manifest.reader_cookie}"}
        course = f"/courses/{manifest.upcoming_slugs[0]}"
        needed = 21 + args.rounds * (args.requests + 1)
        newcomers = manifest.enrol_requests[:needed]
        if len(newcomers) < needed:
            raise SystemExit("not enough newcomers for the enrol POSTs: fewer rounds or requests")
        scenarios: dict[str, tuple[WSGIApp, Iterator[Request]]] = {
            "bare Flask": (bare.app, the_same(environ("/", {}))),
            "a route that does nothing": (app, the_same(environ("/bench/nothing", {}))),
            "healthz": (app, the_same(environ("/healthz", {}))),
            "feed 304": (app, the_same(environ(feed, {"If-None-Match": etag, **gzip}))),
            "personal feed": (app, the_same(environ(manifest.personal_feed_path, gzip))),
            "catalogue": (app, the_same(environ("/", {}))),
            "course page": (app, the_same(environ(course, {}))),
            "catalogue, signed in": (app, the_same(environ("/", reader))),
            "course page, signed in": (app, the_same(environ(course, reader))),
            "enrol POST": (app, (enrol_post(*newcomer) for newcomer in newcomers)),
        }
        statements: dict[str, int] = {}
        for name, (target, requests) in scenarios.items():
            for _ in range(20):  # templates compiled, caches filled, the pool holding its connection
                status = call(target, *next(requests))
            if not status.startswith(("200", "302", "304")):
                raise RuntimeError(f"{name} answered {status}")
            if target is app:
                with app.app_context():
                    statements[name] = statements_of(app, *next(requests))
        cpu: dict[str, list[float]] = {name: [] for name in scenarios}
        for _ in range(args.rounds):
            for name, (target, requests) in scenarios.items():
                # The enrol POSTs of the round before changed the seats the pages show: each
                # scenario's first request of a round draws its page again, and is not counted.
                call(target, *next(requests))
                # Built before the clock starts: the enrol POSTs' environs are the only ones not shared.
                batch = [next(requests) for _ in range(args.requests)]
                started = time.process_time()
                for template, body in batch:
                    call(target, template, body)
                cpu[name].append((time.process_time() - started) / args.requests * 1e6)
        floor = statistics.median(cpu["bare Flask"])
        print(f"{args.database}, {args.enrolments} enrolments, median of {args.rounds} rounds of "
              f"{args.requests} requests each")
        print(f"| {'scenario':<26} | CPU µs per request | bare Flask ÷ it | statements |")
        print(f"|{'-' * 28}|--------------------|-----------------|------------|")
        for name in scenarios:
            median = statistics.median(cpu[name])
            print(f"| {name:<26} | {median:>18.1f} | {floor / median:>15.2f} | "
                  f"{statements.get(name, ''):>10} |")


if __name__ == "__main__":
    main()
