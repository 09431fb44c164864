"""make bench: the product under load next to a bare Flask app, on PostgreSQL and SQLite, as data grows.

For each database, the runner

1. creates one database per size of data (enrolments), migrates it, loads the data set of
   bench/dataset.py and serves it with gunicorn (2 workers), as in production;
2. counts the SQL queries each scenario's request issues, and times the icalendar library
   writing the 1,000-session feed (the floor the feed is judged against);
3. in interleaved rounds, measures on every size bare Flask (bench/bare.py, served the same
   way: the yardstick) and then every scenario with wrk from its own process; the feed
   scenarios that need a fresh state before every request (cold, after one change) are sent
   one at a time from this process; each figure is the median of its rounds, and each ratio
   to bare Flask the median of the rounds' ratios, each to the bare Flask measured just before
   it on the same size (a shared machine's speed drifts from minute to minute: pairs keep most
   of that drift out of the ratios), shown with the lowest and highest round's;
4. checks the enrol scenario's seats, and reads each worker's peak RSS.

It prints one table per database and size, then the growth, memory and feed tables, and checks
every figure against the budget in docs/BENCHMARKS.md. The exit status is 0 whatever the figures:
this is a measurement, not a test.

    .venv/bin/python bench/run.py [--databases postgresql,sqlite] [--sizes 100,10000,100000]
                                  [--rounds 3] [--duration 4] [--markdown FILE]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import psycopg
import requests
import sqlalchemy as sa
from flask import Flask

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from dataset import Manifest, load  # noqa: E402
from floor import icalendar_bytes  # noqa: E402

from training import create_app  # noqa: E402
from training.calendar import services as calendar  # noqa: E402
from training.core import ical, versions  # noqa: E402
from training.core.extensions import db  # noqa: E402
from training.core.probe import probe_ran  # noqa: E402
from training.courses.models import Course, CourseSession  # noqa: E402
from training.enrolment.models import SEAT_HOLDING_STATUSES, Enrolment, EnrolmentStatus, SeatQuota  # noqa: E402

SECRET_KEY = "benchmark-only-secret-key-of-32-bytes"
# Production refuses to start without a key for the personal data it encrypts; the bench holds none.
DATA_ENCRYPTION_KEYS = "YmVuY2htYXJrLW9ubHktZGF0YS1rZXktMzItYnl0ZXM="
# Production shares rate-limit counts between workers through Redis; so does the bench.
REDIS = os.environ.get("RATELIMIT_STORAGE_URI", "redis://127.0.0.1:6379/0")
POSTGRES_ADMIN = os.environ.get("BENCH_POSTGRES_DSN", "postgresql://postgres@127.0.0.1:5432/postgres")
WORKERS = 2
SEQUENTIAL_SAMPLES = 30


@dataclass
class Figure:
    """One scenario's measurement."""

    scenario: str
    requests_per_second: float
    p50: float  # milliseconds
    p95: float
    p99: float
    statuses: dict[str, int]
    queries: int | None = None
    ratio: float | None = None  # to bare Flask (throughput), or to the icalendar floor (time)
    round_ratios: list[float] = field(default_factory=list)  # each round's, to its own bare Flask
    ratio_of: str = ""
    budget: str = ""
    met: bool | None = None


@dataclass
class Run:
    """Everything measured on one database at one size."""

    database: str
    enrolments: int
    counts: dict[str, int]
    figures: list[Figure] = field(default_factory=list)
    peak_rss_mb: list[float] = field(default_factory=list)
    floor_ms: float = 0.0
    build_cold_ms: float = 0.0
    feed_bytes: int = 0
    seat_check: str = ""

    def figure(self, scenario: str) -> Figure:
        return next(f for f in self.figures if f.scenario == scenario)


# --- databases and servers ---------------------------------------------------------------


@contextmanager
def fresh_database(backend: str, directory: Path) -> Iterator[str]:
    if backend == "sqlite":
        yield f"sqlite:///{directory / f'bench-{uuid.uuid4().hex[:8]}.sqlite'}"
        return
    name = f"training_bench_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(POSTGRES_ADMIN, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    finally:
        with psycopg.connect(POSTGRES_ADMIN, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def server_env(database_url: str, base_url: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(TRAINING_CONFIG="production", SECRET_KEY=SECRET_KEY, DATABASE_URL=database_url,
               BASE_URL=base_url, PYTHONPATH=str(ROOT),
               RATELIMIT_STORAGE_URI=REDIS, DATA_ENCRYPTION_KEYS=DATA_ENCRYPTION_KEYS)
    return env


@contextmanager
def gunicorn(application: str, env: dict[str, str], port: int, ready_path: str) -> Iterator[subprocess.Popen]:
    """application served by gunicorn with WORKERS sync workers, as in production."""
    log = open(ROOT / "test-artifacts" / f"bench-{port}.log", "w")
    process = subprocess.Popen(
        [str(BIN / "gunicorn"), "-w", str(WORKERS), "-b", f"127.0.0.1:{port}", "--pythonpath", "bench",
         "--log-level", "warning", application],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    process.base_url = f"http://127.0.0.1:{port}"  # type: ignore[attr-defined]
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"{application} exited: see {log.name}")
            try:
                if requests.get(f"http://127.0.0.1:{port}{ready_path}", timeout=5).status_code == 200:
                    break
            except requests.RequestException:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"{application} did not start: see {log.name}")
            time.sleep(0.1)
        # Every worker answers once before measuring, so that none is still importing.
        for _ in range(4 * WORKERS):
            requests.get(f"http://127.0.0.1:{port}{ready_path}", timeout=30)
        yield process
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()


@contextmanager
def nginx_cache(upstream: str, port: int) -> Iterator[str]:
    """Debian's nginx on loopback port with bench/nginx.conf's proxy_cache in front of upstream."""
    directory = ROOT / "test-artifacts" / f"nginx-{port}"
    directory.mkdir(parents=True, exist_ok=True)
    directory.chmod(0o755)  # run as root, nginx's workers are another user and write the cache
    conf = directory / "nginx.conf"
    template = (ROOT / "bench" / "nginx.conf").read_text()
    conf.write_text(template.replace("{directory}", str(directory)).replace("{listen}", f"127.0.0.1:{port}")
                    .replace("{upstream}", upstream))
    log = open(directory / "stdout.log", "w")
    binary = shutil.which("nginx") or "/usr/sbin/nginx"  # sbin is not on everyone's PATH
    process = subprocess.Popen(
        [binary, "-c", str(conf), "-p", str(directory), "-e", str(directory / "error.log")],
        stdout=log, stderr=subprocess.STDOUT,
    )
    base_url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"nginx exited: see {directory / 'error.log'}")
            try:
                requests.get(f"{base_url}/healthz", timeout=5)
                break
            except requests.RequestException:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"nginx did not start: see {directory / 'error.log'}") from None
                time.sleep(0.1)
        yield base_url
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()


def worker_pids(master: subprocess.Popen) -> list[int]:
    children = Path(f"/proc/{master.pid}/task/{master.pid}/children").read_text().split()
    return [int(pid) for pid in children]


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmHWM for {pid}")


# --- load ----------------------------------------------------------------------------------


# method, path, session cookie, If-None-Match, form body, and optionally an Authorization header
Request = tuple[str, ...]


def calendar_client(path: str, etag: str = "") -> Request:
    """A feed request as calendar clients send it: they accept gzip."""
    return ("GET", path, "", etag, "", "", "gzip")


def wrk(base_url: str, scenario: str, lines: list[Request], duration: float, connections: int,
        once: bool = False) -> Figure:
    """Drive base_url with wrk replaying lines; the figure from its report."""
    with tempfile.NamedTemporaryFile("w", suffix=".tsv", delete=False) as listing:
        listing.write("".join("\t".join(line) + "\n" for line in lines))
    env = dict(os.environ, BENCH_REQUESTS=listing.name, BENCH_THREADS="1", BENCH_ONCE="1" if once else "0")
    try:
        output = subprocess.run(
            ["wrk", "-t1", f"-c{connections}", f"-d{duration:g}s", "--timeout", "30s",
             "-s", str(ROOT / "bench" / "wrk" / "requests.lua"), base_url],
            env=env, capture_output=True, text=True, check=True, timeout=duration + 120,
        ).stdout
    finally:
        os.unlink(listing.name)
    report = json.loads(next(line for line in output.splitlines() if line.startswith("BENCH "))[6:])
    seconds = report["duration_us"] / 1e6
    return Figure(scenario, report["requests"] / seconds, report["p50"] / 1000, report["p95"] / 1000,
                  report["p99"] / 1000, report["statuses"])


# --- one database, every size ----------------------------------------------------------------


def production_app(database_url: str, base_url: str = "http://127.0.0.1") -> Flask:
    """The product as production configures it, on database_url (the bench's own secrets)."""
    return create_app("production", {"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": SECRET_KEY,
                                     "BASE_URL": base_url, "RATELIMIT_STORAGE_URI": REDIS,
                                     "DATA_ENCRYPTION_KEYS": DATA_ENCRYPTION_KEYS})


def migrate(database_url: str) -> None:
    subprocess.run([str(BIN / "flask"), "--app", "training", "db", "upgrade"], cwd=ROOT, check=True,
                   env=server_env(database_url, "http://127.0.0.1"), capture_output=True, timeout=300)


@contextmanager
def counting(engine: sa.Engine) -> Iterator[list[str]]:
    statements: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):  # noqa: ANN001
        statements.append(statement)

    def count_probe(_probe, statement):  # noqa: ANN001
        statements.append(statement)

    sa.event.listen(engine, "before_cursor_execute", count)
    probe_ran.connect(count_probe)  # the version reads that go through the driver
    try:
        yield statements
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)
        probe_ran.disconnect(count_probe)


def query_counts(app, manifest: Manifest, enrol_probe: tuple[str, str, str]) -> dict[str, int]:  # noqa: ANN001
    """The SQL statements one request of each scenario issues, counted in this process."""
    client = app.test_client()
    probes: dict[str, tuple[str, str, str | None, dict[str, str]]] = {
        "healthz (pool ping)": ("GET", "/healthz", None, {}),
        "catalogue": ("GET", "/", None, {}),
        "course page": ("GET", f"/courses/{manifest.upcoming_slugs[0]}", None, {}),
        "catalogue, signed in": ("GET", "/", manifest.reader_cookie, {}),
        "course page, signed in": ("GET", f"/courses/{manifest.upcoming_slugs[0]}", manifest.reader_cookie,
                                   {}),
        "roster of 500": ("GET", f"/courses/{manifest.roster_slug}/roster", manifest.coordinator_cookie, {}),
        "feed 200, unchanged": ("GET", f"/calendar/courses/{manifest.feed_slug}.ics", None, {}),
        "personal feed": ("GET", manifest.personal_feed_path, None, {}),
        "API list of 100 enrolments": ("GET", _api_list_path(manifest), None,
                                       {"Authorization": f"Bearer {manifest.coordinator_token}"}),
    }
    counts = {}
    with app.app_context():
        engine = db.engine
    for scenario, (method, path, cookie, headers) in probes.items():
        if cookie:
            client.set_cookie("session", cookie)
        client.open(path, method=method, headers=headers)  # templates compiled, caches filled
        with counting(engine) as statements:
            response = client.open(path, method=method, headers=headers)
        assert response.status_code == 200, (scenario, response.status_code)
        counts[scenario] = len(statements)
        client.delete_cookie("session")
    feed = f"/calendar/courses/{manifest.feed_slug}.ics"
    etag = client.get(feed).headers["ETag"]
    client.get(feed)  # now served once with its recorded state: the steady state every poll sees
    with counting(engine) as statements:
        assert client.get(feed, headers={"If-None-Match": etag}).status_code == 304
    counts["feed 304"] = len(statements)
    with app.app_context():
        title = _change_one_session(manifest.feed_session_id)
    with counting(engine) as statements:
        changed = client.get(feed)
    assert changed.status_code == 200 and title.encode() in changed.data, "the feed missed the change"
    counts["feed after one change"] = len(statements)
    ical.clear_caches()
    cold = f"/calendar/courses/{manifest.cold_feed_slugs[-1]}.ics"
    with counting(engine) as statements:
        assert client.get(cold).status_code == 200
    counts["feed cold"] = len(statements)
    cookie, csrf, slug = enrol_probe
    client.set_cookie("session", cookie)
    with counting(engine) as statements:
        response = client.post(f"/courses/{slug}/enrol", data={"csrf_token": csrf})
    assert response.status_code == 302, response.status_code
    counts["enrol POST"] = len(statements)
    return counts


def _api_list_path(manifest: Manifest) -> str:
    return f"/api/v1/courses/{manifest.roster_course_id}/enrolments?per_page=100"


def _change_one_session(session_id: int) -> str:
    """What a coordinator's edit does to the row a feed reads: a new title, SEQUENCE and stamp.

    A Core UPDATE that skips the services, so it raises the course's data version itself, as
    docs/data-versions.md asks of any such change. Returns the new title.
    """
    title = f"Module rescheduled {uuid.uuid4().hex[:6]}"
    course_id = db.session.execute(
        sa.update(CourseSession).where(CourseSession.id == session_id).values(
            title=title, sequence=CourseSession.sequence + 1, updated_at=datetime.now(UTC),
        ).returning(CourseSession.course_id)
    ).scalar_one()
    versions.touch(db.session, (versions.COURSE, course_id))
    db.session.commit()
    return title


def feed_floor(app, slug: str) -> tuple[float, float, int]:  # noqa: ANN001
    """Milliseconds for icalendar to write the feed's events, and for our writer to, cold."""
    with app.test_request_context():
        key, feed, _modified = calendar.course_sessions_calendar(db.session, slug)
        floor_times, ours = [], []
        for _ in range(5):
            start = time.perf_counter()
            icalendar_bytes(feed)
            floor_times.append((time.perf_counter() - start) * 1000)
            ical.clear_caches()
            start = time.perf_counter()
            body = ical.build_calendar(feed)
            ours.append((time.perf_counter() - start) * 1000)
        db.session.remove()
    return statistics.median(floor_times), statistics.median(ours), len(body)


def seat_check(app, manifest: Manifest, created: int, in_flight: int) -> str:  # noqa: ANN001
    """The enrol scenario's result: every quota's counter equals its seat holders, within its seats,
    no seat free while someone of that country waits, and one enrolment per accepted request."""
    with app.app_context():
        upcoming = sa.select(Course.id).where(Course.slug.in_(manifest.upcoming_slugs))
        quotas = db.session.scalars(sa.select(SeatQuota).where(SeatQuota.course_id.in_(upcoming))).all()
        holders = dict(db.session.execute(
            sa.select(Enrolment.quota_id, sa.func.count()).where(Enrolment.status.in_(SEAT_HOLDING_STATUSES))
            .group_by(Enrolment.quota_id)).all())
        waiting = {
            (course_id, country): n for course_id, country, n in db.session.execute(
                sa.select(Enrolment.course_id, Enrolment.country, sa.func.count())
                .where(Enrolment.status == EnrolmentStatus.WAITLISTED)
                .group_by(Enrolment.course_id, Enrolment.country))
        }
        newcomers = db.session.scalar(
            sa.select(sa.func.count()).select_from(Enrolment).join(Enrolment.user)
            .where(sa.text("users.email LIKE 'newcomer%'")))
        db.session.remove()
    problems = []
    for quota in quotas:
        if quota.confirmed != holders.get(quota.id, 0):
            problems.append(
                f"quota {quota.id}: counter {quota.confirmed} but {holders.get(quota.id, 0)} holders")
        if quota.confirmed > quota.seats:
            problems.append(f"quota {quota.id}: {quota.confirmed} confirmed for {quota.seats} seats")
        if waiting.get((quota.course_id, quota.country)) and quota.confirmed < quota.seats:
            problems.append(f"quota {quota.id}: seats free while people wait")
    # wrk stops with up to one request per connection still in flight: the server may have
    # stored those without wrk reading the answer.
    if not created <= newcomers <= created + in_flight:
        problems.append(f"{created} enrolments answered but {newcomers} stored")
    confirmed = sum(q.confirmed for q in quotas)
    seats = sum(q.seats for q in quotas)
    waitlisted = sum(waiting.get((q.course_id, q.country), 0) for q in quotas)
    summary = f"{newcomers} enrolments: {confirmed}/{seats} seats taken, {waitlisted} waitlisted"
    if problems:
        raise RuntimeError(summary + "; " + "; ".join(problems))
    return summary + "; counters exact, no seat over, none free while someone waits"


@dataclass
class Prepared:
    """One size of data, loaded and served, with what the scenarios need."""

    run: Run
    app: Flask
    manifest: Manifest
    base_url: str
    server: subprocess.Popen
    cache_url: str
    queries: dict[str, int]
    enrol_batches: list[list[Request]]
    figures: dict[str, list[Figure]] = field(default_factory=dict)
    cold_times: list[float] = field(default_factory=list)
    changed_times: list[float] = field(default_factory=list)
    accepted: int = 1  # the probe that counted the enrol scenario's queries


def prepare(stack: ExitStack, backend: str, enrolments: int, directory: Path, rounds: int) -> Prepared:
    """A database of enrolments, migrated, loaded and served by gunicorn until stack closes."""
    started = time.monotonic()
    database_url = stack.enter_context(fresh_database(backend, directory))
    migrate(database_url)
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    app = production_app(database_url, base_url)
    manifest = load(app, enrolments)
    stack.callback(_dispose, app)
    print(f"  {backend}, {enrolments:,} enrolments: loaded {manifest.counts} "
          f"in {time.monotonic() - started:.0f} s", flush=True)
    run = Run(backend, enrolments, manifest.counts)
    queries = query_counts(app, manifest, manifest.enrol_requests.pop())
    run.floor_ms, run.build_cold_ms, run.feed_bytes = feed_floor(app, manifest.feed_slug)
    server = stack.enter_context(gunicorn("wsgi:app", server_env(database_url, base_url), port, "/healthz"))
    cache_url = stack.enter_context(nginx_cache(f"127.0.0.1:{port}", free_port()))
    enrols = [("POST", f"/courses/{slug}/enrol", cookie, "", f"csrf_token={csrf}")
              for cookie, csrf, slug in manifest.enrol_requests]
    # Each round enrols people who have not tried yet.
    batches = [enrols[n::rounds] for n in range(rounds)]
    return Prepared(run, app, manifest, base_url, server, cache_url, queries, batches)


def _dispose(app: Flask) -> None:
    with app.app_context():
        db.engine.dispose()


def measure_round(data: Prepared, bare_url: str, round_number: int, duration: float,
                  connections: int) -> None:
    """Bare Flask, then every scenario once on one size of data; figures are kept per scenario."""
    manifest, base_url, app = data.manifest, data.base_url, data.app
    feed = f"/calendar/courses/{manifest.feed_slug}.ics"

    def keep(figure: Figure) -> None:
        data.figures.setdefault(figure.scenario, []).append(figure)

    # The yardstick of this size's round, measured next to what it is compared with.
    keep(wrk(bare_url, "bare Flask", [("GET", "/", "", "", "")], duration, connections))
    # The product's own floor: the whole middleware stack and one trivial query.
    keep(wrk(base_url, "healthz (pool ping)", [("GET", "/healthz", "", "", "")], duration, connections))
    keep(wrk(base_url, "catalogue", [("GET", "/", "", "", "")], duration, connections))
    keep(wrk(base_url, "course page", [("GET", f"/courses/{slug}", "", "", "")
                                       for slug in manifest.upcoming_slugs], duration, connections))
    # A trainee enrolled on three of the courses: their own panel, greeting and navigation.
    keep(wrk(base_url, "catalogue, signed in", [("GET", "/", manifest.reader_cookie, "", "")], duration,
             connections))
    reader = manifest.reader_cookie
    signed_in = [("GET", f"/courses/{slug}", reader, "", "") for slug in manifest.upcoming_slugs]
    keep(wrk(base_url, "course page, signed in", signed_in, duration, connections))
    batch = data.enrol_batches[round_number]
    enrol = wrk(base_url, "enrol POST", batch, duration, connections, once=True)
    if sum(enrol.statuses.values()) >= len(batch):
        # wrk divides by the whole duration: a figure from a batch that ran out is only a floor.
        raise RuntimeError(f"enrol POST: all {len(batch)} people enrolled before the {duration:g} s were "
                           "over; raise ENROLLING_PEOPLE in bench/dataset.py")
    data.accepted += enrol.statuses.get("302", 0)
    keep(enrol)
    roster = ("GET", f"/courses/{manifest.roster_slug}/roster", manifest.coordinator_cookie, "", "")
    keep(wrk(base_url, "roster of 500", [roster], duration, connections))

    rounds = len(data.enrol_batches)
    for slug in manifest.cold_feed_slugs[round_number::rounds]:
        data.cold_times.append(timed_get(f"{base_url}/calendar/courses/{slug}.ics", expect=200))
    for _ in range(4 * WORKERS):  # every worker has built the feed before a session changes
        requests.get(base_url + feed, timeout=60)
    for _ in range(SEQUENTIAL_SAMPLES // rounds):
        with app.app_context():
            _change_one_session(manifest.feed_session_id)
        data.changed_times.append(timed_get(base_url + feed, expect=200))
    keep(wrk(base_url, "feed 200, unchanged", [calendar_client(feed)], duration, connections))
    etag = requests.get(base_url + feed, headers={"Accept-Encoding": "gzip"}, timeout=60).headers["ETag"]
    keep(wrk(base_url, "feed 304", [calendar_client(feed, etag)], duration, connections))
    personal = calendar_client(manifest.personal_feed_path)
    keep(wrk(base_url, "personal feed", [personal], duration, connections))
    api_list = ("GET", _api_list_path(manifest), "", "", "", f"Bearer {manifest.coordinator_token}")
    keep(wrk(base_url, "API list of 100 enrolments", [api_list], duration, connections))
    # nginx answers from its cache: filled by the first request, kept for SHARED_CACHE_SECONDS.
    # The feed as calendar clients ask for it (gzip), the catalogue as a plain request.
    for request, scenario in ((calendar_client(feed), "feed through nginx's cache"),
                              (("GET", "/", "", "", ""), "catalogue through nginx's cache")):
        encoding = {"Accept-Encoding": request[6] if len(request) > 6 else "identity"}
        answers = [requests.get(data.cache_url + request[1], headers=encoding, timeout=60) for _ in range(2)]
        kept = answers[1].headers.get("X-Cache-Status") == "HIT"
        if [a.status_code for a in answers] != [200, 200] or not kept:
            raise RuntimeError(f"{scenario}: nginx did not keep the answer "
                               f"({[(a.status_code, a.headers.get('X-Cache-Status')) for a in answers]})")
        keep(wrk(data.cache_url, scenario, [request], duration, connections))


def timed_get(url: str, expect: int) -> float:
    """Milliseconds for one GET of url, which must answer expect."""
    start = time.perf_counter()
    response = requests.get(url, timeout=60)
    elapsed = (time.perf_counter() - start) * 1000
    if response.status_code != expect:
        raise RuntimeError(f"{url}: {response.status_code} instead of {expect}")
    return elapsed


def median_figure(scenario: str, figures: list[Figure]) -> Figure:
    """The rounds of one scenario as one figure: the median of each measure, every status counted."""
    statuses: dict[str, int] = {}
    for figure in figures:
        for status, n in figure.statuses.items():
            statuses[status] = statuses.get(status, 0) + n
    return Figure(scenario, statistics.median(f.requests_per_second for f in figures),
                  statistics.median(f.p50 for f in figures), statistics.median(f.p95 for f in figures),
                  statistics.median(f.p99 for f in figures), statuses)


def sequential_figure(scenario: str, times: list[float]) -> Figure:
    cuts = statistics.quantiles(times, n=100, method="inclusive")
    return Figure(scenario, 1000 / statistics.mean(times), statistics.median(times), cuts[94], cuts[98],
                  {"200": len(times)})


EXPECTED_STATUS = {"enrol POST": "302", "feed 304": "304"}
ORDER = ["healthz (pool ping)", "catalogue", "course page", "catalogue, signed in", "course page, signed in",
         "enrol POST", "roster of 500", "feed cold",
         "feed after one change", "feed 200, unchanged", "feed 304", "personal feed",
         "API list of 100 enrolments", "feed through nginx's cache", "catalogue through nginx's cache"]


def measure_database(backend: str, sizes: list[int], rounds: int, duration: float, connections: int,
                     directory: Path) -> list[Run]:
    """Every size of data on backend, served side by side and measured in interleaved rounds.

    Round after round, each scenario runs on each size in turn (and bare Flask once per
    round), so that a machine busier for a minute weighs on every size alike; each figure
    is the median of its rounds.
    """
    with ExitStack() as stack:
        prepared = [prepare(stack, backend, size, directory, rounds) for size in sizes]
        bare_server = stack.enter_context(gunicorn("bare:app", server_env("sqlite://", "http://127.0.0.1"),
                                                   free_port(), "/"))
        for round_number in range(rounds):
            print(f"  {backend}: round {round_number + 1} of {rounds}", flush=True)
            # A different size goes first in each round.
            for data in prepared[round_number % len(prepared):] + prepared[:round_number % len(prepared)]:
                measure_round(data, bare_server.base_url, round_number, duration, connections)
        runs = []
        for data in prepared:
            run = data.run
            bare_rounds = data.figures.pop("bare Flask")
            bare = median_figure("bare Flask", bare_rounds)
            run.peak_rss_mb = [peak_rss_mb(pid) for pid in worker_pids(data.server)]
            run.seat_check = seat_check(data.app, data.manifest, data.accepted, connections * rounds)
            figures = {name: median_figure(name, found) for name, found in data.figures.items()}
            figures["feed cold"] = sequential_figure("feed cold", data.cold_times)
            figures["feed after one change"] = sequential_figure("feed after one change", data.changed_times)
            run.figures = [bare, *(figures[name] for name in ORDER)]
            for figure in run.figures:
                wrong = {s: n for s, n in figure.statuses.items()
                         if s != EXPECTED_STATUS.get(figure.scenario, "200")}
                if wrong:
                    raise RuntimeError(f"{backend}, {run.enrolments}: {figure.scenario}: unexpected {wrong}")
                figure.queries = data.queries.get(figure.scenario)
                pairs = zip(data.figures.get(figure.scenario, []), bare_rounds, strict=False)
                judge(figure, bare, run.floor_ms,
                      [f.requests_per_second / b.requests_per_second for f, b in pairs])
            runs.append(run)
        return runs


THROUGHPUT_BUDGET = {"healthz (pool ping)": 0.7, "catalogue": 0.35, "course page": 0.35,
                     "catalogue, signed in": 0.35, "course page, signed in": 0.35, "enrol POST": 0.1,
                     "roster of 500": 0.04, "feed 304": 0.6, "personal feed": 0.3,
                     "API list of 100 enrolments": 0.15, "feed through nginx's cache": 3.0,
                     "catalogue through nginx's cache": 3.0}
FLOOR_BUDGET = {"feed cold": 1.3, "feed after one change": 0.2}
GROWTH_BUDGET = 1.2
RSS_BUDGET_MB = 150


def judge(figure: Figure, bare: Figure, floor_ms: float, paired_ratios: list[float]) -> None:
    """Set figure's ratio (the median of paired_ratios, the rounds' ratios to bare Flask, when it has
    rounds) and whether it meets its budget."""
    figure.round_ratios = paired_ratios
    figure.ratio = (statistics.median(paired_ratios) if paired_ratios
                    else figure.requests_per_second / bare.requests_per_second)
    if figure.scenario in THROUGHPUT_BUDGET:
        limit = THROUGHPUT_BUDGET[figure.scenario]
        figure.budget = f"≥ {limit}× bare"
        figure.met = figure.ratio >= limit
    elif figure.scenario in FLOOR_BUDGET:
        limit = FLOOR_BUDGET[figure.scenario]
        figure.ratio_of = f"{figure.p50 / floor_ms:.2f}× floor"
        figure.budget = f"≤ {limit}× floor"
        figure.met = figure.p50 <= limit * floor_ms


# --- report ----------------------------------------------------------------------------------


def mark(met: bool | None) -> str:
    return "" if met is None else ("ok" if met else "MISS")


def table(headers: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers)]
    lines = ["| " + " | ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)) + " |",
             "|" + "|".join("-" * (w + 2) for w in widths) + "|"]
    lines += ["| " + " | ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) + " |" for r in rows]
    return "\n".join(lines)


def _ratio_cell(figure: Figure) -> str:
    """The ratio to bare Flask, and the lowest and highest of the rounds' when there were several."""
    if figure.scenario == "bare Flask":
        return "1.00"
    if len(figure.round_ratios) < 2:
        return f"{figure.ratio:.2f}"
    return f"{figure.ratio:.2f} ({min(figure.round_ratios):.2f}–{max(figure.round_ratios):.2f})"


def report(runs: list[Run]) -> str:
    out = []
    for run in runs:
        out.append(f"\n### {run.database}, {run.enrolments:,} enrolments "
                   f"({run.counts['users']:,} users, {run.counts['courses']:,} courses, "
                   f"{run.counts['course_sessions']:,} sessions, "
                   f"{run.counts['enrolments']:,} enrolments in all)\n")
        rows = []
        for f in run.figures:
            rows.append([f.scenario, f"{f.requests_per_second:,.0f}", f"{f.p50:.1f}", f"{f.p95:.1f}",
                         f"{f.p99:.1f}", _ratio_cell(f),
                         f.ratio_of, "" if f.queries is None else str(f.queries), f.budget, mark(f.met)])
        out.append(table(["scenario", "req/s", "p50 ms", "p95 ms", "p99 ms", "× bare", "× floor", "queries",
                          "budget", ""], rows))
        out.append(f"\nicalendar floor for the 1,000-session feed: {run.floor_ms:.0f} ms; our writer, cold: "
                   f"{run.build_cold_ms:.0f} ms ({run.feed_bytes:,} bytes)  ")
        out.append(f"enrol scenario: {run.seat_check}")

    out.append("\n### Growth: p50 latency from the smallest to the largest data set\n")
    rows = []
    for database in dict.fromkeys(r.database for r in runs):
        mine = sorted((r for r in runs if r.database == database), key=lambda r: r.enrolments)
        if len(mine) < 2:
            continue
        for f in mine[0].figures:
            if f.scenario == "bare Flask":
                continue
            p50s = [r.figure(f.scenario).p50 for r in mine]
            growth = p50s[-1] / p50s[0]
            rows.append([database, f.scenario, *(f"{p:.1f}" for p in p50s), f"{growth:.2f}",
                         mark(growth <= GROWTH_BUDGET)])
        sizes = [f"p50 ms at {r.enrolments:,}" for r in mine]
    if rows:
        out.append(table(["database", "scenario", *sizes, "largest ÷ smallest", f"≤ {GROWTH_BUDGET}"], rows))

    out.append("\n### Memory: peak RSS per worker after the run\n")
    out.append(table(["database", "enrolments", "workers' peak RSS (MB)", f"≤ {RSS_BUDGET_MB} MB"], [
        [r.database, f"{r.enrolments:,}", ", ".join(f"{m:.0f}" for m in r.peak_rss_mb),
         mark(max(r.peak_rss_mb) <= RSS_BUDGET_MB)] for r in runs]))
    return "\n".join(out)


def machine() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    memory = int(Path("/proc/meminfo").read_text().split()[1]) // 1024 // 1024
    load = os.getloadavg()
    versions = subprocess.run(["wrk", "--version"], capture_output=True, text=True).stdout.split()[1]
    return (f"{os.cpu_count()} × {cpu}, {memory} GiB, {platform.platform()}, "
            f"Python {platform.python_version()}, wrk {versions}, load average before the run {load[0]:.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--databases", default="postgresql,sqlite")
    parser.add_argument("--sizes", default="100,10000,100000", help="enrolments in the database")
    parser.add_argument("--duration", type=float, default=4, help="seconds of load per scenario and round")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds; figures are their median")
    parser.add_argument("--connections", type=int, default=4, help="wrk's open connections")
    parser.add_argument("--markdown", type=Path, help="also write the tables to this file")
    args = parser.parse_args()
    (ROOT / "test-artifacts").mkdir(exist_ok=True)
    header = (f"Machine: {machine()}  \nRun {datetime.now(UTC):%Y-%m-%d %H:%M} UTC: gunicorn {WORKERS} sync "
              f"workers, wrk 1 thread × {args.connections} connections × {args.duration:g} s per scenario, "
              f"{args.rounds} interleaved rounds (each figure is their median)")
    print(header, flush=True)
    runs = []
    sizes = [int(size) for size in args.sizes.split(",")]
    with tempfile.TemporaryDirectory() as directory:
        for database in args.databases.split(","):
            runs.extend(measure_database(database, sizes, args.rounds, args.duration, args.connections,
                                         Path(directory)))
    text = header + "\n" + report(runs)
    print(text)
    if args.markdown:
        args.markdown.write_text(text + "\n")


if __name__ == "__main__":
    main()
