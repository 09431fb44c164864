"""Fixtures: the app on SQLite and on PostgreSQL, a real SMTP server, signed-in clients."""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask, g
from flask.testing import FlaskClient
from flask_sqlalchemy.session import Session as FlaskSession
from sqlalchemy.orm import Session

from config import ProductionConfig, TestingConfig
from tests import factories
from tests.databases import BACKENDS, fresh_database
from tests.mailbox import Mailbox, start_smtp_server
from tests.servers import free_port
from training import create_app
from training.accounts.models import Role, User
from training.core.extensions import db, limiter
from training.core.probe import dispose_probes_pool, probe_ran

PASSWORD = factories.PASSWORD

# The servers tests start in production mode (gunicorn, the log and restart tests) read their
# key from the environment, as production does; the tests of its absence remove it.
os.environ.setdefault("DATA_ENCRYPTION_KEYS", str(TestingConfig.DATA_ENCRYPTION_KEYS))


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests marked postgresql_only exercise PostgreSQL's row locks: their SQLite runs do not exist."""
    keep, drop = [], []
    for item in items:
        callspec = getattr(item, "callspec", None)
        on_sqlite = callspec is not None and callspec.params.get("database_url") == "sqlite"
        (drop if on_sqlite and item.get_closest_marker("postgresql_only") else keep).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


@pytest.fixture(scope="session")
def smtp() -> Iterator[tuple[int, Mailbox]]:
    """One real SMTP server on loopback for the whole run."""
    port = free_port()
    controller, mailbox = start_smtp_server(port)
    yield port, mailbox
    controller.stop()


@pytest.fixture
def mailbox(smtp: tuple[int, Mailbox]) -> Mailbox:
    """The SMTP server's inbox, emptied for this test."""
    smtp[1].clear()
    return smtp[1]


@pytest.fixture(scope="session", params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A database with the schema, shared by the tests of one backend."""
    with fresh_database(request.param, tmp_path_factory.mktemp(request.param)) as url:
        app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": url})
        with app.app_context():
            db.create_all()
            db.engine.dispose()
        yield url


def _empty_tables(engine: sa.Engine) -> None:
    tables = db.metadata.sorted_tables
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            names = ", ".join(f'"{t.name}"' for t in tables)
            conn.exec_driver_sql(f"TRUNCATE {names} RESTART IDENTITY CASCADE")
        else:
            for table in reversed(tables):
                conn.execute(table.delete())


def _fresh_globals() -> None:
    """In production every request has an app context, and so a `g`, of its own; the tests keep
    one app context open, which requests would share, and one browser would see the user and
    CSRF token that another browser's request left in g."""
    vars(g).clear()


def _make_app(database_url: str, mail_port: int) -> Flask:
    app = create_app(
        "testing",
        {
            "SQLALCHEMY_DATABASE_URI": database_url,
            "MAIL_PORT": mail_port,
            # The test's own session reads between requests; it must not hold the write lock.
            "SQLITE_IMMEDIATE_OUTSIDE_REQUESTS": False,
        },
    )
    app.before_request_funcs.setdefault(None, []).insert(0, _fresh_globals)
    return app


# The settings each shared application was built with, restored before every test.
_BUILT_WITH: dict[Flask, dict[str, Any]] = {}


@pytest.fixture(scope="session")
def shared_app(database_url: str, smtp: tuple[int, Mailbox]) -> Iterator[Flask]:
    """One application per database for the whole run; `app` gives each test a clean one."""
    app = _make_app(database_url, smtp[0])
    _BUILT_WITH[app] = dict(app.config)
    yield app
    del _BUILT_WITH[app]
    with app.app_context():
        db.engine.dispose()


def _as_built(app: Flask) -> None:
    """Forget what earlier tests left in the application: settings, cached pages, rate counts."""
    app.config.clear()
    app.config.update(_BUILT_WITH[app])
    app.extensions.get("fingerprint_caches", {}).clear()
    if "front_answers" in app.extensions:
        app.extensions["front_answers"].forget_all()
    with app.app_context():
        # A test may have cut the connections (pg_terminate_backend): the probes' pool does not
        # ping, so its first read after that would be sent twice (on the cut connection, then on
        # a new pool's), and statement counts would differ.
        dispose_probes_pool(db.engine)
    # One Limiter serves every application: take back this one's settings from any app a test built.
    limiter.init_app(app)
    if limiter.enabled:
        limiter.reset()


class _SessionOnConnection(FlaskSession):
    """Flask-SQLAlchemy's session, on the connection it was configured with when there is one."""

    def get_bind(self, mapper: Any = None, clause: Any = None, bind: Any = None, **kwargs: Any) -> Any:
        if bind is None and self.bind is not None:
            return self.bind
        return super().get_bind(mapper, clause, bind, **kwargs)


@contextmanager
def _rolled_back() -> Iterator[None]:
    """Everything the test commits, it commits to savepoints of one transaction rolled back at the end.

    db.session (the test's and every request's) joins the test's connection with
    join_transaction_mode="create_savepoint": session.commit() releases a SAVEPOINT and
    session.rollback() rolls back to it, while the outer transaction stays open. On SQLite
    the driver leaves transactions to tune_sqlite, which emits BEGIN itself, so SAVEPOINT
    and ROLLBACK TO behave as on PostgreSQL.
    """
    connection = db.engine.connect()
    outer = connection.begin()
    factory = db.session.session_factory
    class_, kw = factory.class_, dict(factory.kw)
    db.session.remove()
    factory.class_ = _SessionOnConnection
    factory.configure(bind=connection, join_transaction_mode="create_savepoint")
    try:
        yield
    finally:
        db.session.remove()
        factory.class_, factory.kw = class_, kw
        outer.rollback()
        if connection.dialect.name == "postgresql":
            # Sequences ignore rollbacks: number the next test's rows from 1 again, as TRUNCATE did.
            with connection.begin():
                connection.exec_driver_sql(
                    "SELECT setval((quote_ident(schemaname) || '.' || quote_ident(sequencename))::regclass,"
                    " 1, false) FROM pg_sequences WHERE last_value IS NOT NULL")
        connection.close()


def _commits_for_real(request: pytest.FixtureRequest) -> bool:
    return request.node.get_closest_marker("commits") is not None


@pytest.fixture(autouse=True)
def _empty_tables_after_real_commits(request: pytest.FixtureRequest) -> Iterator[None]:
    """Tests marked commits share their data with servers, processes or threads: empty the tables after."""
    shared = None
    if _commits_for_real(request) and "database_url" in request.fixturenames:
        shared = request.getfixturevalue("shared_app")
    yield
    if shared is not None:
        with shared.app_context():
            _empty_tables(db.engine)


@pytest.fixture
def app(request: pytest.FixtureRequest, database_url: str, smtp: tuple[int, Mailbox]) -> Iterator[Flask]:
    """The application on one backend, with empty tables and mail going to the test SMTP server.

    One application per database serves the whole run, and what a test writes is rolled
    back after it. Tests marked commits really commit (servers, other processes and threads
    read their data) and the tables are emptied after them; tests marked own_app change the
    application itself (a route) and get one of their own.
    """
    own = request.node.get_closest_marker("own_app") is not None
    app = _make_app(database_url, smtp[0]) if own else request.getfixturevalue("shared_app")
    if not own:
        _as_built(app)
    with app.app_context():
        if _commits_for_real(request):
            yield app
            db.session.remove()
        else:
            with _rolled_back():
                yield app
        if own:
            db.engine.dispose()


@pytest.fixture
def production_password_hashing(app: Flask) -> None:
    """Passwords hashed as in production (scrypt) for this test, not with the suite's cheap method."""
    app.config["PASSWORD_HASH_METHOD"] = ProductionConfig.PASSWORD_HASH_METHOD


@pytest.fixture
def session(app: Flask) -> Session:
    """The request-scoped SQLAlchemy session, as services receive it."""
    return db.session


@pytest.fixture
def backend(app: Flask) -> str:
    """'sqlite' or 'postgresql'."""
    return db.engine.dialect.name


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def make_user(session: Session) -> Callable[..., User]:
    """Create and commit an account; the password is PASSWORD."""
    n = factories.numbered()

    def make(role: Role = Role.PERSONNEL, country: str | None = "US", **fields: Any) -> User:
        return factories.user(session, n(), role, country, **fields)

    return make


def csrf_token(client: FlaskClient, path: str) -> str:
    """The CSRF token of the form at path, as a browser would get it."""
    html = client.get(path).get_data(as_text=True)
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html) or re.search(
        r'name="csrf_token" value="([^"]+)"', html
    )
    assert match, f"no CSRF token in {path}"
    return match.group(1)


def sign_in(client: FlaskClient, user: User, password: str = PASSWORD) -> None:
    """Sign user in through the real login form, CSRF token included."""
    token = csrf_token(client, "/login")
    response = client.post("/login", data={"email": user.email, "password": password, "csrf_token": token})
    assert response.status_code == 302, response.get_data(as_text=True)


@pytest.fixture
def login(client: FlaskClient) -> Callable[[User], FlaskClient]:
    """Sign a user in on the test client."""

    def do(user: User, password: str = PASSWORD) -> FlaskClient:
        sign_in(client, user, password)
        return client

    return do


class QueryCounter:
    """Counts the SQL statements an engine runs while active."""

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine
        self.statements: list[str] = []

    def _count(self, conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if not statement.lstrip().upper().startswith(("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")):
            self.statements.append(statement)

    def _count_probe(self, _probe: Any, statement: str) -> None:
        self.statements.append(statement)

    def __enter__(self) -> QueryCounter:
        sa.event.listen(self.engine, "before_cursor_execute", self._count)
        probe_ran.connect(self._count_probe)
        return self

    def __exit__(self, *exc: object) -> None:
        sa.event.remove(self.engine, "before_cursor_execute", self._count)
        probe_ran.disconnect(self._count_probe)

    @property
    def count(self) -> int:
        return len(self.statements)


@pytest.fixture
def count_queries(app: Flask) -> Callable[[], QueryCounter]:
    """A context manager counting the SQL statements run inside it."""
    return lambda: QueryCounter(db.engine)


@pytest.fixture
def artifacts_dir() -> Path:
    path = Path(__file__).resolve().parent.parent / "test-artifacts"
    path.mkdir(exist_ok=True)
    return path
