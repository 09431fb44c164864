"""Fixtures: the app on SQLite and on PostgreSQL, a real SMTP server, signed-in clients."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from tests.databases import BACKENDS, fresh_database
from tests.mailbox import Mailbox, start_smtp_server
from tests.servers import free_port
from training import create_app
from training.accounts import services as accounts
from training.accounts.models import Role, User
from training.core.extensions import db

PASSWORD = "correct horse battery"


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


@pytest.fixture
def app(database_url: str, smtp: tuple[int, Mailbox]) -> Iterator[Flask]:
    """The application on one backend, with empty tables and mail going to the test SMTP server."""
    app = create_app(
        "testing",
        {
            "SQLALCHEMY_DATABASE_URI": database_url,
            "MAIL_PORT": smtp[0],
            # The test's own session reads between requests; it must not hold the write lock.
            "SQLITE_IMMEDIATE_OUTSIDE_REQUESTS": False,
        },
    )
    with app.app_context():
        yield app
        db.session.remove()
        _empty_tables(db.engine)
        db.engine.dispose()


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
    counter = iter(range(1, 1_000_000))

    def make(role: Role = Role.PERSONNEL, country: str | None = "US", **fields: Any) -> User:
        n = next(counter)
        user = accounts.create_user(
            session,
            email=fields.pop("email", f"{role.value}{n}@example.org"),
            name=fields.pop("name", f"{role.value.title()} {n}"),
            role=role,
            country=country,
            password=fields.pop("password", PASSWORD),
            **fields,
        )
        session.commit()
        return user

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

    def __enter__(self) -> QueryCounter:
        sa.event.listen(self.engine, "before_cursor_execute", self._count)
        return self

    def __exit__(self, *exc: object) -> None:
        sa.event.remove(self.engine, "before_cursor_execute", self._count)

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
