"""Seat quotas, their locks and counters, the waitlists and the release of unused seats.

Every change that can move a seat runs under one lock on the course's quota rows
(SELECT ... FOR UPDATE on PostgreSQL, taken in id order so two transactions never
deadlock; on SQLite every writing request already holds the database write lock),
and takes or frees the seat with an atomic conditional UPDATE of the quota's
confirmed counter. The counter's CHECK (confirmed <= seats) makes an overbooked
seat impossible in the database itself, whatever the code above it does.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime
from functools import cache
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy.orm import Session, joinedload

from training.accounts.models import User
from training.accounts.permissions import is_coordinator
from training.audit.services import record
from training.core import i18n, versions
from training.core.database import utcnow
from training.core.errors import DomainError, Forbidden
from training.core.locking import lock_row
from training.courses.models import Course, CourseStatus
from training.enrolment.models import ACTIVE_STATUSES, Enrolment, EnrolmentStatus, SeatQuota
from training.enrolment.services.notices import audit_change, mail_person, snapshot


@cache
def _lock_statement(for_person: bool) -> sa.Select[Any]:
    """The quota rows of the course bound as course_id, locked in id order, and, for_person, whether
    the person bound as person_id is already on the course; built once, like every lock of a seat."""
    columns = []
    if for_person:
        columns.append(
            sa.select(Enrolment.id)
            .where(Enrolment.course_id == SeatQuota.course_id, Enrolment.user_id == sa.bindparam("person_id"),
                   Enrolment.status.in_(ACTIVE_STATUSES))
            .exists()
            .label("already_on")
        )
    return (
        sa.select(SeatQuota, *columns)
        .where(SeatQuota.course_id == sa.bindparam("course_id"))
        .order_by(SeatQuota.id)
        .with_for_update(of=SeatQuota)
        .execution_options(populate_existing=True)
    )


def lock_quotas(session: Session, course: Course) -> list[SeatQuota]:
    """Lock every quota row of course, in id order, and read them fresh."""
    return _lock(session, course, None)[0]


def lock_quotas_for(session: Session, course: Course, person: User) -> tuple[list[SeatQuota], bool]:
    """lock_quotas, and whether person is already on the course, read by the same statement.

    On PostgreSQL a locking read that waited for another transaction reads the quota rows as
    that transaction left them, but the rest as the database stood when the read began: a
    person's own simultaneous request may be missed here, and the partial unique index on
    active enrolments refuses the second one instead.
    """
    quotas, already_on = _lock(session, course, person.id)
    return quotas, bool(already_on)


def _lock(session: Session, course: Course, person_id: int | None) -> tuple[list[SeatQuota], bool | None]:
    session.flush()
    if person_id is None:
        return list(session.scalars(_lock_statement(False), {"course_id": course.id})), None
    rows = session.execute(_lock_statement(True), {"course_id": course.id, "person_id": person_id}).all()
    return [quota for quota, _already_on in rows], any(already_on for _quota, already_on in rows)


def lock_course(session: Session, course: Course) -> Course:
    """Lock the course row (quota totals are checked under it) and read it fresh."""
    return lock_row(session, Course, course.id)


def refresh(session: Session, enrolment: Enrolment) -> Enrolment:
    """Re-read an enrolment once the locks are held: another request may have changed it."""
    return session.scalars(
        sa.select(Enrolment)
        .where(Enrolment.id == enrolment.id)
        .execution_options(populate_existing=True)
    ).one()


@cache
def _counter_statement(step: int) -> sa.Update:
    """Move the confirmed counter of the quota bound as quota_id by step, unless that would take it
    past its seats or below zero; returns the new count (no row: nothing moved). Built once."""
    quotas = SeatQuota.__table__
    within = quotas.c.confirmed < quotas.c.seats if step > 0 else quotas.c.confirmed > 0
    return (
        sa.update(quotas)
        .where(quotas.c.id == sa.bindparam("quota_id"), within)
        .values(confirmed=quotas.c.confirmed + step)
        .returning(quotas.c.confirmed)
    )


def _move_counter(session: Session, quota: SeatQuota, step: int) -> bool:
    # A Core UPDATE on the session's connection: the ORM's own path adds only its cost, and no
    # flush sees it, so it names its scope itself. Raised at the commit, after the quota lock
    # this transaction already holds (see training.core.versions).
    count = session.connection().execute(_counter_statement(step), {"quota_id": quota.id}).scalar()
    if count is None:
        return False
    sa.orm.attributes.set_committed_value(quota, "confirmed", count)
    versions.touch(session, (versions.SEATS, quota.course_id))
    return True


def take_seat(session: Session, quota: SeatQuota) -> bool:
    """Take one seat of quota if one is free; the database refuses an overbooking."""
    if quota.confirmed >= quota.seats:
        # Read under the quota lock and kept by every move since: no seat is free, no need to ask.
        return False
    return _move_counter(session, quota, +1)


def free_seat(session: Session, quota_id: int | None, quotas: Iterable[SeatQuota]) -> SeatQuota | None:
    """Give back one seat of the quota with quota_id; return that quota."""
    quota = next((q for q in quotas if q.id == quota_id), None)
    if quota is None:
        return None
    _move_counter(session, quota, -1)
    return quota


def seats_released(course: Course, now: datetime | None = None) -> bool:
    """Whether the course's release date has passed: free seats go to any country's waitlist."""
    return course.seat_release_at is not None and (now or utcnow()) >= course.seat_release_at


def waitlist_head(session: Session, course_id: int, *, country: str | None = None,
                   other_than: str | None = None) -> Enrolment | None:
    query = sa.select(Enrolment).where(
        Enrolment.course_id == course_id, Enrolment.status == EnrolmentStatus.WAITLISTED
    )
    if country is not None:
        query = query.where(Enrolment.country == country).order_by(Enrolment.waitlisted_at, Enrolment.id)
    else:
        # Released seats go to the oldest request of any other country.
        query = query.where(Enrolment.country != other_than).order_by(
            Enrolment.requested_at, Enrolment.id
        )
    return session.scalars(query.options(joinedload(Enrolment.user)).limit(1)).first()


def position_expression() -> sa.ScalarSelect[int]:
    """Correlated subquery: the waitlist position of the outer Enrolment row (1 = next in line)."""
    ahead = sa.orm.aliased(Enrolment)
    return (
        sa.select(sa.func.count(ahead.id) + 1)
        .where(
            ahead.course_id == Enrolment.course_id,
            ahead.country == Enrolment.country,
            ahead.status == EnrolmentStatus.WAITLISTED,
            sa.or_(
                ahead.waitlisted_at < Enrolment.waitlisted_at,
                sa.and_(ahead.waitlisted_at == Enrolment.waitlisted_at, ahead.id < Enrolment.id),
            ),
        )
        .correlate(Enrolment)
        .scalar_subquery()
    )


@cache
def _position_statement() -> sa.Select[tuple[int]]:
    """The waitlist position of the enrolment bound as enrolment_id; built once, because building
    it costs more than running it (every enrolment that queues, and its page, reads it)."""
    return sa.select(position_expression()).where(Enrolment.id == sa.bindparam("enrolment_id"))


def waitlist_position(session: Session, enrolment: Enrolment) -> int | None:
    """Where a waitlisted enrolment stands in its country's queue (1 = next), else None."""
    if enrolment.status is not EnrolmentStatus.WAITLISTED:
        return None
    session.flush()
    return session.scalar(_position_statement(), {"enrolment_id": enrolment.id})


def waitlist_positions(enrolments: Iterable[Enrolment]) -> dict[int, int]:
    """Positions of the waitlisted among enrolments, which hold whole country queues."""
    queues: dict[tuple[int, str], list[Enrolment]] = defaultdict(list)
    for enrolment in enrolments:
        if enrolment.status is EnrolmentStatus.WAITLISTED:
            queues[(enrolment.course_id, enrolment.country)].append(enrolment)
    positions = {}
    for queue in queues.values():
        queue.sort(key=lambda e: (e.waitlisted_at or utcnow(), e.id))
        for index, enrolment in enumerate(queue, start=1):
            positions[enrolment.id] = index
    return positions


def fill_free_seats(
    session: Session,
    course: Course,
    quotas: Sequence[SeatQuota],
    *,
    actor: User | None,
    via: str,
    now: datetime,
) -> list[Enrolment]:
    """Give every free seat to the head of its country's waitlist; after the release date,
    seats still free go to the other countries' waitlists, oldest request first."""
    promoted: list[Enrolment] = []

    def promote(quota: SeatQuota, head: Enrolment) -> None:
        before = snapshot(head)
        head.status = EnrolmentStatus.CONFIRMED
        head.quota = quota
        head.decided_at = now
        session.flush()
        released = head.country != quota.country
        audit_change(session, actor, "enrolment.promoted", head, before, via,
                     **({"released_from": quota.country} if released else {}))
        mail_person(session, "promoted", head.user, course, released_from=quota.country if released else None)
        promoted.append(head)

    for quota in quotas:
        while quota.confirmed < quota.seats:
            head = waitlist_head(session, course.id, country=quota.country)
            if head is None or not take_seat(session, quota):
                break
            promote(quota, head)
    if seats_released(course, now):
        for quota in quotas:
            while quota.confirmed < quota.seats:
                head = waitlist_head(session, course.id, other_than=quota.country)
                if head is None or not take_seat(session, quota):
                    break
                promote(quota, head)
    return promoted


def seat_for(
    session: Session, course: Course, quotas: Sequence[SeatQuota], country: str, now: datetime
) -> SeatQuota | None:
    """Take a seat for a person of country: their own quota's, or a released one."""
    own = next((q for q in quotas if q.country == country), None)
    if own is not None and take_seat(session, own):
        return own
    if seats_released(course, now):
        for quota in quotas:
            if quota.country != country and take_seat(session, quota):
                return quota


def _parse_seats(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        try:
            value = int(str(value).strip())
        except ValueError:
            raise DomainError(_("Seats must be a whole number."), field="seats") from None
    if value < 0:
        raise DomainError(_("Seats cannot be negative."), field="seats")
    return value


def set_quotas(
    session: Session, course: Course, seats: dict[str, object], *, actor: User, via: str = "web"
) -> list[SeatQuota]:
    """Replace the course's quotas with seats (country -> seats); countries left out get none.

    The quotas never add up to more than the capacity, and never fall below the seats
    already confirmed; a raised quota promotes from that country's waitlist at once.
    """
    if not is_coordinator(actor):
        raise Forbidden(_("Only coordinators set quotas."))
    wanted: dict[str, int] = {}
    for code, value in seats.items():
        country = (code or "").strip().upper()
        if not i18n.is_country_code(country):
            raise DomainError(_("Unknown country code %(code)s.", code=code), field="country")
        wanted[country] = _parse_seats(value)
    course = lock_course(session, course)
    quotas = lock_quotas(session, course)
    total = sum(wanted.values())
    if total > course.capacity:
        raise DomainError(
            ngettext("The quotas would add up to %(num)d seat, but the course has %(capacity)d.",
                     "The quotas would add up to %(num)d seats, but the course has %(capacity)d.",
                     total, capacity=course.capacity),
            field="seats",
        )
    by_country = {q.country: q for q in quotas}
    for country, quota in by_country.items():
        new = wanted.get(country, 0)
        if new < quota.confirmed:
            raise DomainError(
                _("%(country)s already has %(confirmed)d confirmed; its quota cannot go below "
                  "%(confirmed)d (asked: %(seats)d).",
                  country=i18n.country_name(country), confirmed=quota.confirmed, seats=new),
                field="seats",
            )
    now = utcnow()
    for country in sorted(set(wanted) | set(by_country)):
        new = wanted.get(country, 0)
        quota = by_country.get(country)
        old = quota.seats if quota is not None else 0
        if quota is not None and new == old:
            continue
        if quota is None:
            if new == 0:
                continue
            quota = SeatQuota(course_id=course.id, country=country, seats=new, confirmed=0)
            session.add(quota)
            quotas.append(quota)
        elif new == 0 and quota.confirmed == 0:
            session.delete(quota)
            quotas.remove(quota)
        else:
            quota.seats = new
        session.flush()
        record(session, actor=actor, action="quota.set", subject=course,
               before={"country": country, "seats": old}, after={"country": country, "seats": new},
               topic=f"course:{course.id}", via=via)
    fill_free_seats(session, course, quotas, actor=actor, via=via, now=now)
    return sorted(quotas, key=lambda q: q.country)


def set_quota(
    session: Session, course: Course, country: str, seats: object, *, actor: User, via: str = "web"
) -> list[SeatQuota]:
    """Set one country's seats, keeping the others."""
    current = {q.country: q.seats for q in quotas_of(session, course)}
    current[(country or "").strip().upper()] = seats
    return set_quotas(session, course, current, actor=actor, via=via)


def quotas_of(session: Session, course: Course) -> Sequence[SeatQuota]:
    """The course's quotas by country code."""
    return session.scalars(
        sa.select(SeatQuota).where(SeatQuota.course_id == course.id).order_by(SeatQuota.country)
    ).all()


def _check_moves_seats(actor: User | None) -> None:
    """Seats are handed out by the product itself (no actor) or by a coordinator."""
    if actor is not None and not is_coordinator(actor):
        raise Forbidden(_("Only coordinators hand out free seats."))


def promote_from_waitlist(
    session: Session, course: Course, *, actor: User | None = None, via: str = "web"
) -> list[Enrolment]:
    """Give every free seat to the waitlist (normally done by the change that frees it).

    actor is None when the product itself does it (a scheduled job); a person must coordinate.
    """
    _check_moves_seats(actor)
    quotas = lock_quotas(session, course)
    return fill_free_seats(session, course, quotas, actor=actor, via=via, now=utcnow())


def release_seats(
    session: Session, course: Course, *, actor: User | None = None, now: datetime | None = None,
    via: str = "cli",
) -> list[Enrolment]:
    """After the release date, offer seats still free in one country's quota to the other
    countries' waitlists, oldest request first. Before it, nothing moves."""
    _check_moves_seats(actor)
    now = now or utcnow()
    if not seats_released(course, now):
        return []
    quotas = lock_quotas(session, course)
    return fill_free_seats(session, course, quotas, actor=actor, via=via, now=now)


def courses_due_for_release(session: Session, now: datetime | None = None) -> Sequence[Course]:
    """Published courses past their release date that still have free seats and a waitlist."""
    now = now or utcnow()
    has_free = sa.select(SeatQuota.id).where(
        SeatQuota.course_id == Course.id, SeatQuota.confirmed < SeatQuota.seats
    ).exists()
    has_waiting = sa.select(Enrolment.id).where(
        Enrolment.course_id == Course.id, Enrolment.status == EnrolmentStatus.WAITLISTED
    ).exists()
    return session.scalars(
        sa.select(Course).where(
            Course.status == CourseStatus.PUBLISHED, Course.seat_release_at <= now, has_free, has_waiting
        ).order_by(Course.id)
    ).all()
