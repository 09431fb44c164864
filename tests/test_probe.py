"""Version reads through the driver (core/probe.py): what is committed, in one statement, however
the connection fares; through the session while it holds a transaction of its own."""

from __future__ import annotations

import psycopg
import pytest
import sqlalchemy as sa

from tests import factories
from training.core import versions
from training.core.extensions import db
from training.core.probe import Probe, probe_ran, probes_engine
from training.courses.models import Course, CourseSession

pytestmark = pytest.mark.commits


@pytest.fixture
def feed_course(app):
    course_id = factories.course_rows(db.session, slug="probed", sessions=2).id
    db.session.remove()  # nothing open: as a request starts
    return course_id


def _probes() -> tuple[list[str], object]:
    ran: list[str] = []

    def note(_probe: Probe, statement: str) -> None:
        ran.append(statement)

    probe_ran.connect(note)
    return ran, note


def test_an_unchanged_feed_answers_304_after_one_statement_through_the_driver(client, feed_course,
                                                                                count_queries):
    first = client.get("/calendar/courses/probed.ics")
    assert first.status_code == 200
    # The second poll reads the date the first was served with; from the third on, only versions.
    unchanged = {"If-None-Match": first.headers["ETag"]}
    assert client.get("/calendar/courses/probed.ics", headers=unchanged).status_code == 304
    db.session.remove()  # each request of a server starts with a new session; the test's share one
    ran, note = _probes()
    try:
        with count_queries() as counter:
            again = client.get("/calendar/courses/probed.ics", headers=unchanged)
    finally:
        probe_ran.disconnect(note)
    assert again.status_code == 304
    assert counter.count == 1, counter.statements
    assert len(ran) == 1 and ran[0].lstrip().upper().startswith("SELECT")


def test_a_committed_change_shows_at_the_next_poll(client, feed_course):
    first = client.get("/calendar/courses/probed.ics")
    lecture = db.session.scalars(
        sa.select(CourseSession).where(CourseSession.course_id == feed_course)).first()
    lecture.title = "Renamed lecture"
    db.session.commit()
    db.session.remove()
    again = client.get("/calendar/courses/probed.ics", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 200
    assert again.headers["ETag"] != first.headers["ETag"]
    assert b"Renamed lecture" in again.data


def test_a_draft_or_missing_course_is_not_found_through_the_driver(client, feed_course):
    db.session.execute(sa.update(Course).where(Course.id == feed_course).values(status="draft"))
    db.session.commit()
    db.session.remove()
    assert client.get("/calendar/courses/probed.ics").status_code == 404
    assert client.get("/calendar/courses/nowhere.ics").status_code == 404


def test_versions_read_through_the_driver_match_the_committed_rows(app):
    with app.test_request_context("/"):
        versions.bump_now(db.session.connection(),
                          [(versions.COURSE, 7), (versions.COURSE, 7), (versions.SEATS, 9)])
        db.session.commit()
        db.session.remove()
        ran, note = _probes()
        try:
            read = versions.versions(db.session,
                                     [(versions.COURSE, 7), (versions.SEATS, 9), (versions.COURSE, 8)])
        finally:
            probe_ran.disconnect(note)
        assert read == (1, 1, 0)
        assert len(ran) == 1
        db.session.remove()


def test_a_session_with_a_transaction_open_reads_its_own_changes(app):
    with app.test_request_context("/"):
        versions.bump_now(db.session.connection(), [(versions.ROSTER, 3)])  # not committed
        ran, note = _probes()
        try:
            assert versions.version(db.session, versions.ROSTER, 3) == 1
        finally:
            probe_ran.disconnect(note)
        assert ran == []  # through the session's own connection, which the driver's read could not see
        db.session.rollback()
        db.session.remove()
        assert versions.version(db.session, versions.ROSTER, 3) == 0
        db.session.remove()


def _admin_dsn(database_url: str) -> str:
    """The server's maintenance database: an admin outside the database the test reads."""
    return sa.make_url(database_url).set(drivername="postgresql", database="postgres").render_as_string(
        hide_password=False)


def _terminate_at_checkout(admin_dsn: str, cut: list[int], *, then: str = ""):  # noqa: ANN202
    """A pool checkout hook that terminates the connection's backend the first time, and waits for
    it to be gone (then: a statement the same admin runs next)."""

    def kill_it(dbapi_connection, _record, _proxy):  # noqa: ANN001
        if cut:
            return
        pid = dbapi_connection.info.backend_pid
        with psycopg.connect(admin_dsn, autocommit=True) as admin:
            assert admin.execute("SELECT pg_terminate_backend(%s)", (pid,)).fetchone()[0] is True
            while admin.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", (pid,)).fetchone():
                pass
            if then:
                admin.execute(then)
        cut.append(pid)

    return kill_it


@pytest.mark.postgresql_only
def test_a_connection_cut_before_the_probes_statement_is_read_again_on_a_new_pool(app, database_url,
                                                                                  feed_course):
    """The backend dies between the checkout and the probe's statement (the probes' pool does not
    ping): the server cut the pool's connections, so the pool is replaced and the read made again
    through the driver, on a new connection, without an error."""
    cut: list[int] = []
    kill_it = _terminate_at_checkout(_admin_dsn(database_url), cut)
    with app.test_request_context("/"):
        versions.bump_now(db.session.connection(), [(versions.SERIES, 5)])
        db.session.commit()
        db.session.remove()
        pool = probes_engine(db.engine)
        sa.event.listen(pool, "checkout", kill_it)
        ran, note = _probes()
        try:
            assert versions.version(db.session, versions.SERIES, 5) == 1
        finally:
            sa.event.remove(pool, "checkout", kill_it)
            probe_ran.disconnect(note)
            db.session.remove()
        assert probes_engine(db.engine) is not pool
        assert pool.pool.checkedin() == 0  # the cut pool was closed
    assert cut, "the checkout hook never ran"
    assert len(ran) == 2  # tried, failed on the cut connection, and read on the new one


@pytest.mark.postgresql_only
def test_a_probe_that_no_new_connection_can_answer_is_read_through_the_session(app, database_url,
                                                                               feed_course):
    """The probes' connection is cut and the database then refuses new connections: the read is
    made through the session, on the engine's pooled connection, and still answers."""
    admin_dsn = _admin_dsn(database_url)
    name = sa.make_url(database_url).database
    cut: list[int] = []
    kill_it = _terminate_at_checkout(admin_dsn, cut, then=f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false')
    with app.test_request_context("/"):
        versions.bump_now(db.session.connection(), [(versions.SERIES, 6)])
        db.session.commit()
        db.session.remove()
        with db.engine.connect() as held:  # a connection in the engine's pool, made before the refusal
            held.exec_driver_sql("SELECT 1")
        pool = probes_engine(db.engine)
        sa.event.listen(pool, "checkout", kill_it)
        ran, note = _probes()
        try:
            assert versions.version(db.session, versions.SERIES, 6) == 1
        finally:
            sa.event.remove(pool, "checkout", kill_it)
            probe_ran.disconnect(note)
            db.session.remove()
            with psycopg.connect(admin_dsn, autocommit=True) as admin:
                admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')
    assert cut, "the checkout hook never ran"
    assert len(ran) == 1  # the new pool never connected, so it sent nothing; the session answered


def test_a_probe_reads_integer_and_text_columns_only():
    with pytest.raises(TypeError):
        Probe(sa.select(Course.starts_on))
    with pytest.raises(TypeError):
        Probe(lambda _dialect: sa.select(Course.starts_on)).statement("postgresql")


def test_a_seal_stands_for_every_version_it_was_read_at_in_one_read(app):
    """The sum of versions that only rise: unchanged exactly while each of them is."""
    scopes = [(versions.SEATS, n) for n in range(1, 41)] + [(versions.CATALOGUE, 0)]
    with app.test_request_context("/"):
        versions.bump_now(db.session.connection(), scopes[:20])
        db.session.commit()
        db.session.remove()
        sealed = versions.seal(scopes, versions.versions(db.session, scopes))
        db.session.remove()
        ran, note = _probes()
        try:
            assert versions.unchanged(db.session, sealed)
        finally:
            probe_ran.disconnect(note)
        assert len(ran) == 1
        db.session.remove()
        for moved in ([(versions.SEATS, 3)], [(versions.SEATS, 33)], [(versions.CATALOGUE, 0)]):
            versions.bump_now(db.session.connection(), moved)  # a raised row, or a row created at 1
            db.session.commit()
            db.session.remove()
            assert not versions.unchanged(db.session, sealed), moved
            sealed = versions.seal(scopes, versions.versions(db.session, scopes))
            db.session.remove()
            assert versions.unchanged(db.session, sealed)
            db.session.remove()


def test_a_seal_is_broken_by_the_reading_transactions_own_change_and_never_made_from_one(app):
    scopes = [(versions.COURSE, 1), (versions.SEATS, 1)]
    with app.test_request_context("/"):
        sealed = versions.seal(scopes, versions.versions(db.session, scopes))
        versions.touch(db.session, (versions.SEATS, 1))
        assert not versions.unchanged(db.session, sealed)
        assert versions.seal(scopes, versions.versions(db.session, scopes)) is None
        db.session.rollback()
        db.session.remove()


def test_a_scope_read_twice_at_two_versions_is_not_sealed():
    assert versions.seal([(versions.COURSE, 1), (versions.COURSE, 1)], [3, 4]) is None
    assert versions.seal([(versions.COURSE, 1), (versions.COURSE, 1)], [3, 3]) is not None


def _drop_with_discard_all(connection: object) -> None:
    connection.dbapi_connection.pgconn.exec_(b"DISCARD ALL")  # type: ignore[attr-defined]


def _drop_as_psycopg_does_at_a_rollback(connection: object) -> None:
    # psycopg prepares a statement its cursors run 5 times, and at the next rollback (the pool's
    # reset of every connection it takes back) deallocates every prepared statement.
    dbapi_connection = connection.dbapi_connection  # type: ignore[attr-defined]
    for _ in range(6):
        dbapi_connection.execute("SELECT %s::int", [1])
    dbapi_connection.rollback()


@pytest.mark.postgresql_only
@pytest.mark.parametrize("drop", [_drop_with_discard_all, _drop_as_psycopg_does_at_a_rollback],
                         ids=["discard all", "psycopg's rollback"])
def test_on_postgresql_a_probe_is_prepared_once_per_connection_and_again_when_dropped(app, drop):
    """The server parses and plans the statement once per connection; dropped behind its back,
    it is prepared again on the same connection, which stays in the pool."""
    probe = Probe(sa.select(Course.id).where(Course.slug == sa.bindparam("slug")))
    with app.test_request_context("/"):
        connection = db.engine.raw_connection()
        try:
            pgconn = connection.dbapi_connection.pgconn

            def prepared_here() -> list[bytes]:
                result = pgconn.exec_(b"SELECT name FROM pg_prepared_statements")
                return [result.get_value(row, 0) for row in range(result.ntuples)]

            for _ in range(3):
                assert probe._run(db.engine.dialect, connection, {"slug": "nowhere"}) == []
            name = probe._compiled["postgresql", ()].name
            assert prepared_here().count(name) == 1
            drop(connection)
            assert prepared_here().count(name) == 0
            assert probe._run(db.engine.dialect, connection, {"slug": "nowhere"}) == []
            assert prepared_here().count(name) == 1
            assert pgconn.status == psycopg.pq.ConnStatus.OK
        finally:
            connection.invalidate()  # psycopg's own prepared statements may have gone with the drop
            connection.close()


@pytest.mark.postgresql_only
def test_the_probes_pool_is_disposed_of_with_the_engines(app, feed_course):
    """On PostgreSQL the probes read through a pool of their own; disposing of the engine's pool
    closes its connections too (no connection is left open on a database about to be dropped)."""
    with app.test_request_context("/"):
        assert versions.version(db.session, versions.COURSE, feed_course) is not None
        db.session.remove()
        probes = probes_engine(db.engine)
        assert probes is not db.engine and probes.pool.checkedin() == 1
        db.engine.dispose()
        assert probes.pool.checkedin() == 0
        assert probes_engine(db.engine) is not probes
