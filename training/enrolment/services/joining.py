"""A new enrolment written by one statement: its row, its waitlist position, and what the features
above enrolment want to know of the course at that moment (see probe_with_change)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import cache
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session, make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value

from training.accounts.models import User
from training.core import versions
from training.enrolment.models import Enrolment, EnrolmentStatus, SeatQuota, enrolment_scopes

Probe = Callable[[sa.ColumnElement[int]], sa.ColumnElement[Any]]

# What a feature above enrolment wants to know of a course whenever someone enrols on it
# (clearance: whether the course asks anything of its participants), read by the statement
# that writes the enrolment, after the quota lock, rather than by a round trip of its own.
_probes: dict[str, Probe] = {}


def probe_with_change(name: str, probe: Probe) -> None:
    """Have every new enrolment's statement also read probe(the course id column) as name; its answer
    reaches the receivers of enrolments_changed as facts[name]. Registered once at start-up."""
    _probes[name] = probe
    _insert_statement.cache_clear()


@cache
def _insert_statement(waitlisted: bool) -> sa.Insert:
    """The INSERT of one enrolment bound by column name (and its course again as of_course), returning
    its id, the probes' answers and, when waitlisted, its place in its country's queue (its person
    again as of_person); built once per shape."""
    table = Enrolment.__table__
    of_course = sa.bindparam("of_course", type_=sa.Integer)
    returning: list[sa.ColumnElement[Any]] = [table.c.id]
    returning += [probe(of_course).label(name) for name, probe in sorted(_probes.items())]
    if waitlisted:
        # The order of seats.position_expression, (waitlisted_at, id): everyone of the country already
        # waiting came first. The person's own row is the one waiting row of theirs on the course (the
        # partial unique index); PostgreSQL's subquery does not see it, SQLite's does.
        ahead = table.alias("ahead")
        returning.append(
            sa.select(sa.func.count(ahead.c.id) + 1)
            .where(
                ahead.c.course_id == of_course,
                ahead.c.country == sa.bindparam("of_country", type_=sa.String),
                ahead.c.status == EnrolmentStatus.WAITLISTED,
                ahead.c.waitlisted_at <= sa.bindparam("of_time", type_=table.c.waitlisted_at.type),
                ahead.c.user_id != sa.bindparam("of_person", type_=sa.Integer),
            )
            .scalar_subquery()
            .label("position")
        )
    return sa.insert(table).returning(*returning)


def insert_enrolment(
    session: Session,
    *,
    course_id: int,
    person: User,
    country: str,
    status: EnrolmentStatus,
    quota: SeatQuota | None,
    now: datetime,
    nominated_by_id: int | None,
) -> tuple[Enrolment, int | None, dict[str, Any]]:
    """Write a new enrolment of person with status; return it (persistent in session), its waitlist
    position (None unless waitlisted) and the probes' answers by name.

    A Core INSERT on the session's connection: the same row the ORM would write, without a flush
    of its own. It raises IntegrityError when the person is already on the course (the partial
    unique index): the caller refuses the request, and its transaction is rolled back.
    """
    waitlisted = status is EnrolmentStatus.WAITLISTED
    values: dict[str, Any] = {
        "course_id": course_id, "user_id": person.id, "country": country,
        "quota_id": quota.id if quota is not None else None, "status": status, "requested_at": now,
        "waitlisted_at": now if waitlisted else None,
        "decided_at": now if status is EnrolmentStatus.CONFIRMED else None,
        "rejection_reason": None, "nominated_by_id": nominated_by_id, "certificate_code": None,
        "completed_at": None, "cleared_at": None,
    }
    parameters = {**values, "of_course": course_id, "of_country": country, "of_time": now,
                  "of_person": person.id}
    row = session.connection().execute(_insert_statement(waitlisted), parameters).one()._mapping
    enrolment = Enrolment(id=row["id"], **values)
    # Persistent with every column known, as if just read: nothing left to flush or to load.
    make_transient_to_detached(enrolment)
    session.add(enrolment)
    set_committed_value(enrolment, "user", person)
    set_committed_value(enrolment, "quota", quota)
    # No flush sees the row, so it names its scopes itself (the same as a flush would).
    versions.touch(session, *enrolment_scopes(enrolment, session.connection()))
    return enrolment, row["position"] if waitlisted else None, {name: row[name] for name in _probes}
