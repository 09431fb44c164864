"""Data versions: one number per thing pages and feeds are drawn from, raised with every change to it.

A page or feed keeps what it drew under the versions of the scopes it was drawn from, and
asks the database for those versions alone (one primary-key read) before reusing it. The
versions move in the same transaction as the change, from one place: a SQLAlchemy hook maps
every row a flush inserts, changes or deletes to its scopes (each feature declares its own
models' scopes with watch()), and touch() names the scopes of the few Core UPDATEs that no
flush sees (the seat counter). A direct SQL UPDATE that goes round both must raise the
versions it affects itself: `flask --app training data bump SCOPE KEY` (or touch()).

The rows are raised once per transaction, at its outermost commit, in sorted order: after every other
lock the transaction takes (the course's quota rows first, when a seat moves), so that two
writers never wait on each other in opposite orders. Scopes are fine-grained on purpose: an
enrolment raises its course's seats and its person's feed, never the catalogue's version,
which only course and quota changes raise, so that enrolments never queue on one hot row.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any, Final

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Mapped, Session, mapped_column

from training.core.extensions import db
from training.core.front import Standing
from training.core.probe import Probe

# The scopes a page or feed may be drawn from; key is the owner's id (0 for the catalogue).
COURSE: Final = "course"  # a course's own fields, its schedule and its instructors' names
SEATS: Final = "seats"  # a course's quotas and who holds or waits for its seats
ROSTER: Final = "roster"  # how a course's roster names its people, and whether it asks for clearance
CATALOGUE: Final = "catalogue"  # which courses are listed and what they say (key 0)
SYMPOSIUM: Final = "symposium"  # a symposium, its programme and its invitations' answers
SERIES: Final = "series"  # a meeting series, its meetings and participants
OWNER: Final = "owner"  # which courses, teaching, symposia and series a person's own feed holds
PERSON: Final = "person"  # a person's account: name, role, country, language, timezone, sign-ins
SCOPES: Final = (COURSE, SEATS, ROSTER, CATALOGUE, SYMPOSIUM, SERIES, OWNER, PERSON)

Scope = tuple[str, int]
# A watcher names the scopes a changed row belongs to; it may read through the connection.
Watcher = Callable[[Any, sa.Connection], Iterable[Scope]]

_PENDING = "training.versions.pending"
_watchers: dict[type, list[Watcher]] = {}


class DataVersion(db.Model):
    """How many committed transactions have changed one scope (no row yet: version 0)."""

    __tablename__ = "data_versions"

    scope: Mapped[str] = mapped_column(sa.String(16), primary_key=True)
    key: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=False)
    version: Mapped[int] = mapped_column(sa.BigInteger, default=0)


def watch(model: type, watcher: Watcher) -> None:
    """Raise the scopes watcher names whenever a row of model (or a subclass) is flushed."""
    _watchers.setdefault(model, []).append(watcher)


def touch(session: Session, *scopes: Scope) -> None:
    """Raise these scopes when session's transaction commits (for a change no flush sees)."""
    for scope, key in scopes:
        if scope not in SCOPES:
            raise ValueError(f"unknown data version scope {scope!r}")
        if key is not None:
            session.info.setdefault(_PENDING, set()).add((scope, int(key)))


def pending(session: Session) -> frozenset[Scope]:
    """The scopes session's open transaction has changed and will raise at its commit."""
    return frozenset(session.info.get(_PENDING, ()))


class Unsettled:
    """The version of a scope the reading transaction itself has changed: equal to nothing else,
    so that what was drawn before the change is not reused by the transaction that made it."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "<unsettled>"


Version = int | Unsettled


def _among(dialect: str, names: tuple[str, ...]) -> sa.ColumnElement[bool]:
    """The rows of the keys bound as keys_0, keys_1, … of the scopes called names."""

    def keys_of(n: int) -> sa.ColumnElement[bool]:
        if dialect == "postgresql":
            keys = sa.bindparam(f"keys_{n}", type_=postgresql.ARRAY(sa.Integer))
            return DataVersion.key == sa.any_(keys)
        return DataVersion.key.in_(sa.bindparam(f"keys_{n}", expanding=True))

    return sa.or_(*(sa.and_(DataVersion.scope == name, keys_of(n)) for n, name in enumerate(names)))


def _keys_by_name(scopes: Iterable[Scope]) -> tuple[tuple[str, ...], dict[str, list[int]]]:
    """The names of scopes, sorted, and the parameters _among binds for them."""
    keys: dict[str, list[int]] = {}
    for scope, key in scopes:
        keys.setdefault(scope, []).append(key)
    names = tuple(sorted(keys))
    return names, {f"keys_{n}": keys[name] for n, name in enumerate(names)}


@lru_cache(maxsize=64)
def _read_probe(names: tuple[str, ...]) -> Probe:
    """The versions of the keys bound as keys_0, keys_1, … of the scopes called names, built once
    per set of names. A list of integers per scope binds far faster than a list of (scope, key)
    pairs, and on PostgreSQL one array parameter faster than a list (the catalogue reads a scope
    for each course it lists)."""

    return Probe(lambda dialect: sa.select(DataVersion.scope, DataVersion.key, DataVersion.version)
                 .where(_among(dialect, names)))


@lru_cache(maxsize=64)
def _total_probe(names: tuple[str, ...]) -> Probe:
    """The sum of the versions of the keys bound as keys_0, keys_1, … of the scopes called names."""
    return Probe(lambda dialect: sa.select(
        sa.cast(sa.func.coalesce(sa.func.sum(DataVersion.version), 0), sa.BigInteger))
        .where(_among(dialect, names)))


def versions(session: Session, scopes: Iterable[Scope]) -> tuple[Version, ...]:
    """The committed versions of scopes, in order, in one primary-key read (see Unsettled)."""
    wanted = list(scopes)
    if not wanted:
        return ()
    names, parameters = _keys_by_name(wanted)
    # Through the driver (probe.Probe): the ORM's execution adds nothing to a read of plain
    # columns but its own cost, on every kept page and feed.
    rows = _read_probe(names).rows(session, parameters)
    found = {(scope, key): version for scope, key, version in rows}
    changed = pending(session)
    return tuple(Unsettled() if scope in changed else found.get(scope, 0) for scope in wanted)


@dataclass(frozen=True)
class Seal:
    """The versions something was drawn under, to be checked in a read of one number.

    A version only ever rises (bump_now adds one; a missing row counts 0 and is created at 1)
    and no row is ever deleted, so the sum of a set of versions is unchanged exactly when each
    of them is: a page drawn from the seats of sixty courses is checked by one sum, not by
    sixty versions read back and compared.
    """

    scopes: frozenset[Scope]
    names: tuple[str, ...]
    parameters: dict[str, list[int]]
    total: int


def seal(scopes: Iterable[Scope], drawn_under: Iterable[Version]) -> Seal | None:
    """The seal of scopes at the versions they were read at; None when those cannot stand for
    them (a scope the reading transaction changed, or one read twice at two versions)."""
    read: dict[Scope, Version] = {}
    for scope, version in zip(scopes, drawn_under, strict=True):
        if isinstance(version, Unsettled) or read.setdefault(scope, version) != version:
            return None
    names, parameters = _keys_by_name(read)
    return Seal(frozenset(read), names, parameters, sum(read.values()))  # type: ignore[arg-type]


def unchanged(session: Session, sealed: Seal) -> bool:
    """Whether every version sealed is still the one it was read at, in one read of their sum."""
    if not sealed.scopes or sealed.scopes & pending(session):
        return not sealed.scopes
    (total,), = _total_probe(sealed.names).rows(session, sealed.parameters)
    return int(total) == sealed.total


def standing(session: Session, sealed: Seal | None, until: datetime | None = None) -> Standing | None:
    """What an answer drawn under sealed stands on, to be kept in front of Flask (front.offer);
    None when sealed cannot be checked there: nothing sealed, or session reads what the pool's
    connections do not (Probe.reads_as_others_do)."""
    if sealed is None or not sealed.scopes:
        return None
    probe = _total_probe(sealed.names)
    if not probe.reads_as_others_do(session):
        return None
    return Standing(session.get_bind(), probe, sealed.parameters, ((sealed.total,),), until)


def version(session: Session, scope: str, key: int) -> Version:
    """One scope's committed version (see versions)."""
    return versions(session, [(scope, key)])[0]


def version_of(scope: str, key: Any) -> sa.ScalarSelect[int]:
    """The committed version of scope for key (a column, inside a larger query), 0 without a row."""
    return sa.func.coalesce(
        sa.select(DataVersion.version)
        .where(DataVersion.scope == scope, DataVersion.key == key)
        .scalar_subquery(),
        0,
    )


def settled(session: Session, scope: str, key: int, value: int) -> Version:
    """value, read with version_of, unless session's own transaction has changed the scope."""
    return Unsettled() if (scope, key) in pending(session) else value


@lru_cache(maxsize=32)
def _bump_statement(count: int) -> sa.TextClause:
    """Raise the count scopes bound as scope_0, key_0, scope_1, … by one, creating missing rows at 1.

    Written out once per count, the same for both databases: SQLAlchemy's own multi-row upsert
    cannot be kept in its statement cache, so it was compiled anew at every commit of every write.
    """
    rows = ", ".join(f"(:scope_{n}, :key_{n}, 1)" for n in range(count))
    return sa.text(
        f'INSERT INTO {DataVersion.__tablename__} (scope, "key", version) VALUES {rows} '
        f'ON CONFLICT (scope, "key") DO UPDATE SET version = {DataVersion.__tablename__}.version + 1'
    )


def bump_now(connection: sa.Connection, scopes: Iterable[Scope]) -> None:
    """Raise each scope by one on connection, in sorted order (rows are created at 1)."""
    ordered = sorted(set(scopes))
    if not ordered:
        return
    # One statement for all of them (an enrolment raises two): the database takes the rows'
    # locks in the order of the VALUES list, so the sorted order holds as with one at a time.
    parameters: dict[str, Any] = {}
    for n, (scope, key) in enumerate(ordered):
        parameters[f"scope_{n}"], parameters[f"key_{n}"] = scope, key
    connection.execute(_bump_statement(len(ordered)), parameters)


def changed_values(row: Any, attribute: str) -> list[Any]:
    """The values attribute of row holds and held in this flush (both, when it changed)."""
    history = sa.inspect(row).attrs[attribute].history
    values = [*history.added, *history.unchanged, *history.deleted]
    return [v for v in dict.fromkeys(values) if v is not None]


def _after_flush(session: Session, _context: Any) -> None:
    """Note the scopes of every row this flush wrote; raised at the commit (see _before_commit)."""
    if not _watchers:
        return
    changed = [*session.new, *session.deleted]
    changed += [row for row in session.dirty if session.is_modified(row)]
    found: set[Scope] = set()
    connection: sa.Connection | None = None
    for row in changed:
        for cls in type(row).__mro__:
            for watcher in _watchers.get(cls, ()):
                connection = connection or session.connection()
                found.update(watcher(row, connection))
    if found:
        touch(session, *found)


def _before_commit(session: Session) -> None:
    """Raise the transaction's scopes last: every other lock is already held.

    SQLAlchemy calls this for a SAVEPOINT's release too; the scopes wait for the outermost
    commit, or a savepoint released before the quota locks would take the version rows first.
    """
    if session.in_nested_transaction():
        return
    if session.info.get(_PENDING) is None and not (session.new or session.dirty or session.deleted):
        return
    session.flush()  # the flush the commit would do, so that its scopes are known
    scopes = session.info.pop(_PENDING, None)
    if scopes:
        bump_now(session.connection(), scopes)


def _forget(session: Session, transaction: Any) -> None:
    """A rolled back transaction changed nothing: its scopes stay where they were.

    Only the end of the outermost transaction forgets them: a savepoint rolled back inside it
    leaves the changes made before it, and raising a scope too often costs only a redraw.
    """
    if transaction.parent is None:
        session.info.pop(_PENDING, None)


def install() -> None:
    """Listen on every ORM session (once per process)."""
    if not sa.event.contains(Session, "after_flush", _after_flush):
        sa.event.listen(Session, "after_flush", _after_flush)
        sa.event.listen(Session, "before_commit", _before_commit)
        sa.event.listen(Session, "after_transaction_end", _forget)
