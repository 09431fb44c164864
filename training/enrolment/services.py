"""Enrolment rules: quotas, enrolling, nominating, approving, waitlists, seat release, attendance.

Every change that can move a seat runs under one lock on the course's quota rows
(SELECT ... FOR UPDATE on PostgreSQL, taken in id order so two transactions never
deadlock; on SQLite every writing request already holds the database write lock),
and takes or frees the seat with an atomic conditional UPDATE of the quota's
confirmed counter. The counter's CHECK (confirmed <= seats) makes an overbooked
seat impossible in the database itself, whatever the code above it does.
"""

from __future__ import annotations

import math
import secrets
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask_babel import format_datetime
from flask_babel import gettext as _
from sqlalchemy.orm import Session, joinedload, selectinload

from training.accounts import services as accounts
from training.accounts.models import Role, User
from training.accounts.permissions import is_coordinator
from training.audit.services import record
from training.core import i18n
from training.core.database import utcnow
from training.core.errors import Conflict, DomainError, Forbidden, NotFound
from training.core.locking import lock_row, lock_rows
from training.core.urls import external_url
from training.courses.models import Course, CourseSession, CourseStatus, Instructor, session_instructors
from training.courses.seats import QuotaSummary, SeatSummary
from training.enrolment.models import (
    ACTIVE_STATUSES,
    SEAT_HOLDING_STATUSES,
    Attendance,
    Enrolment,
    EnrolmentStatus,
    SeatQuota,
)
from training.outbox.services import queue_mail

MAX_REASON_LENGTH = 2000


# --- who may do what ---------------------------------------------------------------




def teaches(session: Session, user: User, course: Course) -> bool:
    """Whether user is an instructor of at least one session of course."""
    return bool(
        session.scalar(
            sa.select(sa.literal(True))
            .select_from(CourseSession)
            .join(session_instructors, session_instructors.c.session_id == CourseSession.id)
            .join(Instructor, Instructor.id == session_instructors.c.instructor_id)
            .where(CourseSession.course_id == course.id, Instructor.user_id == user.id)
            .limit(1)
        )
    )


@dataclass(frozen=True)
class RosterScope:
    """What part of a course's roster one viewer may read."""

    country: str | None = None  # only this country's people
    confirmed_only: bool = False  # only people holding a seat (instructors)
    manage: bool = False  # approve, reject, withdraw anyone (coordinators)


def roster_scope(session: Session, course: Course, viewer: User) -> RosterScope:
    """The viewer's view of the roster; Forbidden when they may see none of it."""
    if is_coordinator(viewer):
        return RosterScope(manage=True)
    if not course.is_visible:
        raise NotFound(_("No such course."))
    if viewer.role is Role.FOCAL_POINT and viewer.country:
        return RosterScope(country=viewer.country)
    if viewer.role is Role.INSTRUCTOR and teaches(session, viewer, course):
        return RosterScope(confirmed_only=True)
    raise Forbidden(_("You may not see this course's roster."))


def _check_may_act_for(actor: User, person: User) -> None:
    """Self, a coordinator, or the focal point of the person's own country."""
    if actor.id == person.id or is_coordinator(actor):
        return
    if actor.role is Role.FOCAL_POINT and actor.country and actor.country == person.country:
        return
    raise Forbidden(
        _("You may act only for personnel of %(country)s.", country=i18n.country_name(actor.country))
        if actor.role is Role.FOCAL_POINT
        else _("You may only enrol yourself.")
    )


# --- snapshots, mail and audit -------------------------------------------------------


def _snapshot(enrolment: Enrolment) -> dict[str, Any]:
    return {
        "user_id": enrolment.user_id,
        "country": enrolment.country,
        "status": enrolment.status.value,
        "quota_id": enrolment.quota_id,
        "rejection_reason": enrolment.rejection_reason,
    }


def _audit(
    session: Session,
    actor: User | None,
    action: str,
    enrolment: Enrolment,
    before: dict[str, Any] | None,
    via: str,
    **extra: Any,
) -> None:
    person = session.get(User, enrolment.user_id)  # usually in the identity map already
    after = {**_snapshot(enrolment), "person": person.name if person else None, **extra}
    record(session, actor=actor, action=action, subject=enrolment, before=before, after=after,
           topic=f"course:{enrolment.course_id}", via=via)


def _mail(session: Session, template: str, person: User, course: Course, **context: Any) -> None:
    queue_mail(
        session,
        to=person.email,
        template=f"enrolment/{template}",
        locale=person.locale,
        person=person,
        course=course,
        my_courses_url=external_url("enrolment.my_courses"),
        **context,
    )


def _coordinators_to_tell(session: Session, course: Course) -> Sequence[User]:
    """The course's creator if they still coordinate, else every active coordinator."""
    if course.created_by_id is not None:
        creator = session.get(User, course.created_by_id)
        if creator is not None and creator.active and is_coordinator(creator):
            return [creator]
    return session.scalars(
        sa.select(User).where(User.role == Role.COORDINATOR, User.active.is_(True)).order_by(User.id)
    ).all()


# --- locks and the seat counter ------------------------------------------------------


def _lock_quotas(session: Session, course: Course) -> list[SeatQuota]:
    """Lock every quota row of course, in id order, and read them fresh."""
    return lock_rows(session, SeatQuota, SeatQuota.course_id == course.id)


def lock_course(session: Session, course: Course) -> Course:
    """Lock the course row (quota totals are checked under it) and read it fresh."""
    return lock_row(session, Course, course.id)


def _refresh(session: Session, enrolment: Enrolment) -> Enrolment:
    """Re-read an enrolment once the locks are held: another request may have changed it."""
    return session.scalars(
        sa.select(Enrolment)
        .where(Enrolment.id == enrolment.id)
        .execution_options(populate_existing=True)
    ).one()


def _take_seat(session: Session, quota: SeatQuota) -> bool:
    """Take one seat of quota if one is free; the database refuses an overbooking."""
    taken = session.execute(
        sa.update(SeatQuota)
        .where(SeatQuota.id == quota.id, SeatQuota.confirmed < SeatQuota.seats)
        .values(confirmed=SeatQuota.confirmed + 1)
        .returning(SeatQuota.confirmed),
        execution_options={"synchronize_session": False},
    ).scalar()
    if taken is None:
        return False
    sa.orm.attributes.set_committed_value(quota, "confirmed", taken)
    return True


def _free_seat(session: Session, quota_id: int | None, quotas: Iterable[SeatQuota]) -> SeatQuota | None:
    """Give back one seat of the quota with quota_id; return that quota."""
    quota = next((q for q in quotas if q.id == quota_id), None)
    if quota is None:
        return None
    left = session.execute(
        sa.update(SeatQuota)
        .where(SeatQuota.id == quota.id, SeatQuota.confirmed > 0)
        .values(confirmed=SeatQuota.confirmed - 1)
        .returning(SeatQuota.confirmed),
        execution_options={"synchronize_session": False},
    ).scalar()
    if left is not None:
        sa.orm.attributes.set_committed_value(quota, "confirmed", left)
    return quota


def seats_released(course: Course, now: datetime | None = None) -> bool:
    """Whether the course's release date has passed: free seats go to any country's waitlist."""
    return course.seat_release_at is not None and (now or utcnow()) >= course.seat_release_at


# --- waitlist ------------------------------------------------------------------------


def _waitlist_head(session: Session, course_id: int, *, country: str | None = None,
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


def _position_expression() -> sa.ScalarSelect[int]:
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


def waitlist_position(session: Session, enrolment: Enrolment) -> int | None:
    """Where a waitlisted enrolment stands in its country's queue (1 = next), else None."""
    if enrolment.status is not EnrolmentStatus.WAITLISTED:
        return None
    session.flush()
    return session.scalar(sa.select(_position_expression()).where(Enrolment.id == enrolment.id))


def _positions(enrolments: Iterable[Enrolment]) -> dict[int, int]:
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


def _fill(
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
        before = _snapshot(head)
        head.status = EnrolmentStatus.CONFIRMED
        head.quota = quota
        head.decided_at = now
        session.flush()
        released = head.country != quota.country
        _audit(session, actor, "enrolment.promoted", head, before, via,
               **({"released_from": quota.country} if released else {}))
        _mail(session, "promoted", head.user, course, released_from=quota.country if released else None)
        promoted.append(head)

    for quota in quotas:
        while quota.confirmed < quota.seats:
            head = _waitlist_head(session, course.id, country=quota.country)
            if head is None or not _take_seat(session, quota):
                break
            promote(quota, head)
    if seats_released(course, now):
        for quota in quotas:
            while quota.confirmed < quota.seats:
                head = _waitlist_head(session, course.id, other_than=quota.country)
                if head is None or not _take_seat(session, quota):
                    break
                promote(quota, head)
    return promoted


def _seat_for(
    session: Session, course: Course, quotas: Sequence[SeatQuota], country: str, now: datetime
) -> SeatQuota | None:
    """Take a seat for a person of country: their own quota's, or a released one."""
    own = next((q for q in quotas if q.country == country), None)
    if own is not None and _take_seat(session, own):
        return own
    if seats_released(course, now):
        for quota in quotas:
            if quota.country != country and _take_seat(session, quota):
                return quota
    return None


# --- quotas --------------------------------------------------------------------------


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
    quotas = _lock_quotas(session, course)
    total = sum(wanted.values())
    if total > course.capacity:
        raise DomainError(
            _("The quotas would add up to %(total)d seats, but the course has %(capacity)d.",
              total=total, capacity=course.capacity),
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
    _fill(session, course, quotas, actor=actor, via=via, now=now)
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


# --- enrolling -----------------------------------------------------------------------


def _check_window(course: Course, actor: User, override_window: bool, now: datetime) -> bool:
    """Refuse outside the window; return True when a coordinator overrides it."""
    if course.status is not CourseStatus.PUBLISHED:
        raise DomainError(_("This course is not open for enrolment."))
    opens, closes = course.enrolment_opens_at, course.enrolment_closes_at
    closed = None
    if opens is not None and now < opens:
        closed = _("Enrolment opens on %(when)s.", when=format_datetime(opens, "medium"))
    elif closes is not None and now >= closes:
        closed = _("Enrolment closed on %(when)s.", when=format_datetime(closes, "medium"))
    if closed is None:
        return False
    if is_coordinator(actor) and override_window:
        return True
    if is_coordinator(actor):
        closed += " " + _("Tick “override the enrolment window” to enrol anyway.")
    raise DomainError(closed, field="override_window" if is_coordinator(actor) else None)


def active_enrolment(session: Session, course: Course, person: User) -> Enrolment | None:
    """The person's enrolment on the course that is still active, if any."""
    return session.scalars(
        sa.select(Enrolment).where(
            Enrolment.course_id == course.id,
            Enrolment.user_id == person.id,
            Enrolment.status.in_(ACTIVE_STATUSES),
        )
    ).first()


def enrol(
    session: Session,
    course: Course,
    person: User,
    *,
    actor: User,
    override_window: bool = False,
    via: str = "web",
) -> Enrolment:
    """Put person on course in their own country's seats: confirmed while seats remain, else
    waitlisted; pending when the course needs approval (unless a coordinator enrols them)."""
    _check_may_act_for(actor, person)
    if not course.is_visible and not is_coordinator(actor):
        raise NotFound(_("No such course."))
    now = utcnow()
    overridden = _check_window(course, actor, override_window, now)
    country = person.country
    if not country:
        raise DomainError(
            _("%(name)s has no country in their profile, so no country's seats apply.", name=person.name)
        )
    quotas = _lock_quotas(session, course)
    if not any(q.country == country and q.seats > 0 for q in quotas):
        raise DomainError(
            _("This course has no seats for personnel of %(country)s.", country=i18n.country_name(country))
        )
    if active_enrolment(session, course, person) is not None:
        raise Conflict(_("%(name)s is already on this course.", name=person.name))
    # Stamped under the lock, so that request times, seats and waitlist order all follow the
    # one order in which the database served the requests.
    now = utcnow()
    if seats_released(course, now):
        _fill(session, course, quotas, actor=actor, via=via, now=now)
    enrolment = Enrolment(
        course_id=course.id, user_id=person.id, country=country, requested_at=now,
        nominated_by_id=actor.id if actor.id != person.id else None,
    )
    enrolment.user = person
    needs_approval = course.requires_approval and not is_coordinator(actor)
    try:
        with session.begin_nested():
            if needs_approval:
                enrolment.status = EnrolmentStatus.PENDING
            else:
                seat = _seat_for(session, course, quotas, country, now)
                if seat is not None:
                    enrolment.status = EnrolmentStatus.CONFIRMED
                    enrolment.quota = seat
                    enrolment.decided_at = now
                else:
                    enrolment.status = EnrolmentStatus.WAITLISTED
                    enrolment.waitlisted_at = now
            session.add(enrolment)
            session.flush()
    except sa.exc.IntegrityError:
        # The partial unique index decides between two simultaneous requests of one person.
        raise Conflict(_("%(name)s is already on this course.", name=person.name)) from None
    extra = {"window_overridden": True} if overridden else {}
    _audit(session, actor, f"enrolment.{enrolment.status.value}", enrolment, None, via, **extra)
    if enrolment.status is EnrolmentStatus.PENDING:
        _mail(session, "pending", person, course)
        for coordinator in _coordinators_to_tell(session, course):
            queue_mail(
                session, to=coordinator.email, template="enrolment/pending_coordinator",
                locale=coordinator.locale, coordinator=coordinator, person=person, course=course,
                url=external_url("enrolment.seats", slug=course.slug),
            )
    elif enrolment.status is EnrolmentStatus.CONFIRMED:
        _mail(session, "confirmed", person, course)
    else:
        _mail(session, "waitlisted", person, course, position=waitlist_position(session, enrolment))
    return enrolment


def nominate(
    session: Session,
    course: Course,
    *,
    actor: User,
    email: str,
    name: str = "",
    country: str | None = None,
    override_window: bool = False,
    via: str = "web",
) -> Enrolment:
    """A focal point (for their own country) or a coordinator puts a person on the course.

    An unknown email creates the person's account without a password and mails them an
    invitation to set one.
    """
    if not (is_coordinator(actor) or (actor.role is Role.FOCAL_POINT and actor.country)):
        raise Forbidden(_("Only focal points and coordinators nominate."))
    if not is_coordinator(actor):
        country = actor.country
    email = (email or "").strip()
    if not email or "@" not in email:
        raise DomainError(_("Give the person's email address."), field="email")
    person = accounts.find_by_email(session, email)
    if person is not None:
        if not is_coordinator(actor) and person.country != actor.country:
            raise Forbidden(
                _("%(email)s is not among the personnel of %(country)s; you nominate only your "
                  "own country's people.", email=person.email, country=i18n.country_name(actor.country)),
                field="email",
            )
        if not person.active:
            raise DomainError(_("This account is deactivated."), field="email")
        return enrol(session, course, person, actor=actor, override_window=override_window, via=via)
    if not (name or "").strip():
        raise DomainError(_("No account uses this email: give the person's name to invite them."),
                          field="name")
    if not country:
        raise DomainError(_("Choose the person's country."), field="country")
    # Checked before an account is created, so a refusal leaves nothing behind.
    _check_window(course, actor, override_window, utcnow())
    person = accounts.create_user(
        session, email=email, name=name, role=Role.PERSONNEL, country=country, password=None,
        actor=actor, via=via,
    )
    queue_mail(
        session, to=person.email, template="enrolment/invitation", locale=person.locale,
        person=person, course=course, nominated_by=actor,
        url=external_url("accounts.reset_password", token=accounts.password_reset_token(person)),
    )
    return enrol(session, course, person, actor=actor, override_window=override_window, via=via)


def nominate_person(
    session: Session, course: Course, person: User, *, actor: User, override_window: bool = False,
    via: str = "web",
) -> Enrolment:
    """A focal point (for their own country) or a coordinator puts an existing account on the course.

    Programs name people by account; a refusal never tells a focal point anything about
    someone of another country.
    """
    if not (is_coordinator(actor) or (actor.role is Role.FOCAL_POINT and actor.country)):
        raise Forbidden(_("Only focal points and coordinators nominate."))
    _check_may_act_for(actor, person)
    if not person.active:
        raise DomainError(_("This account is deactivated."), field="user_id")
    return enrol(session, course, person, actor=actor, override_window=override_window, via=via)


def enrolment_seen_by(session: Session, enrolment_id: int, viewer: User) -> tuple[Enrolment, int | None]:
    """An enrolment and its waitlist position, for its person or someone whose roster shows it."""
    enrolment = enrolment_for(session, enrolment_id)
    if enrolment.user_id != viewer.id:
        try:
            scope = roster_scope(session, enrolment.course, viewer)
        except NotFound:
            raise NotFound(_("No such enrolment.")) from None
        if not in_scope(enrolment, scope):
            raise Forbidden(_("You may not see this enrolment."))
    return enrolment, waitlist_position(session, enrolment)


def approve(session: Session, enrolment: Enrolment, *, actor: User, via: str = "web") -> Enrolment:
    """A coordinator approves a pending request: confirmed if a seat is free, else waitlisted."""
    if not is_coordinator(actor):
        raise Forbidden(_("Only coordinators approve requests."))
    course = session.get_one(Course, enrolment.course_id)
    quotas = _lock_quotas(session, course)
    enrolment = _refresh(session, enrolment)
    if enrolment.status is not EnrolmentStatus.PENDING:
        raise Conflict(_("Only a pending request can be approved; this one is %(status)s.",
                         status=status_label(enrolment.status)))
    now = utcnow()
    if seats_released(course, now):
        _fill(session, course, quotas, actor=actor, via=via, now=now)
    before = _snapshot(enrolment)
    seat = _seat_for(session, course, quotas, enrolment.country, now)
    enrolment.decided_at = now
    if seat is not None:
        enrolment.status = EnrolmentStatus.CONFIRMED
        enrolment.quota = seat
    else:
        enrolment.status = EnrolmentStatus.WAITLISTED
        enrolment.waitlisted_at = now
    session.flush()
    _audit(session, actor, "enrolment.approved", enrolment, before, via)
    person = session.get_one(User, enrolment.user_id)
    _mail(session, "approved", person, course, confirmed=seat is not None,
          position=waitlist_position(session, enrolment))
    return enrolment


def _leave(
    session: Session,
    enrolment: Enrolment,
    *,
    actor: User,
    status: EnrolmentStatus,
    allowed: tuple[EnrolmentStatus, ...],
    refusal: Callable[[str], str],
    reason: str | None,
    via: str,
) -> tuple[Enrolment, Course, list[Enrolment]]:
    course = session.get_one(Course, enrolment.course_id)
    quotas = _lock_quotas(session, course)
    enrolment = _refresh(session, enrolment)
    if enrolment.status not in allowed:
        raise Conflict(refusal(status_label(enrolment.status)))
    before = _snapshot(enrolment)
    if enrolment.status is EnrolmentStatus.CONFIRMED:
        _free_seat(session, enrolment.quota_id, quotas)
    enrolment.status = status
    enrolment.quota_id = None
    enrolment.decided_at = utcnow()
    if reason is not None:
        enrolment.rejection_reason = reason
    session.flush()
    _audit(session, actor, f"enrolment.{status.value}", enrolment, before, via)
    promoted = _fill(session, course, quotas, actor=actor, via=via, now=utcnow())
    return enrolment, course, promoted


def withdraw(session: Session, enrolment: Enrolment, *, actor: User, via: str = "web") -> list[Enrolment]:
    """The person (or their focal point, or a coordinator) leaves the course; a freed seat goes
    to the head of the waitlist in the same transaction. Returns the people promoted."""
    person = session.get_one(User, enrolment.user_id)
    _check_may_act_for(actor, person)
    enrolment, course, promoted = _leave(
        session, enrolment, actor=actor, status=EnrolmentStatus.WITHDRAWN,
        allowed=(EnrolmentStatus.PENDING, EnrolmentStatus.WAITLISTED, EnrolmentStatus.CONFIRMED),
        refusal=lambda status: _("Only a pending, waitlisted or confirmed enrolment can be withdrawn; "
                                 "this one is %(status)s.", status=status),
        reason=None, via=via,
    )
    _mail(session, "withdrawn", person, course, by_self=actor.id == person.id)
    return promoted


def reject(
    session: Session, enrolment: Enrolment, *, actor: User, reason: str, via: str = "web"
) -> list[Enrolment]:
    """A coordinator refuses a request (or takes back a seat), with a reason the person sees."""
    if not is_coordinator(actor):
        raise Forbidden(_("Only coordinators reject requests."))
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Give a reason: the person will read it."), field="reason")
    if len(reason) > MAX_REASON_LENGTH:
        raise DomainError(_("Keep the reason under %(n)d characters.", n=MAX_REASON_LENGTH), field="reason")
    enrolment, course, promoted = _leave(
        session, enrolment, actor=actor, status=EnrolmentStatus.REJECTED,
        allowed=(EnrolmentStatus.PENDING, EnrolmentStatus.WAITLISTED, EnrolmentStatus.CONFIRMED),
        refusal=lambda status: _("Only a pending, waitlisted or confirmed enrolment can be rejected; "
                                 "this one is %(status)s.", status=status),
        reason=reason, via=via,
    )
    person = session.get_one(User, enrolment.user_id)
    _mail(session, "rejected", person, course, reason=reason)
    return promoted


def promote_from_waitlist(
    session: Session, course: Course, *, actor: User | None = None, via: str = "web"
) -> list[Enrolment]:
    """Give every free seat to the waitlist (normally done by the change that frees it)."""
    quotas = _lock_quotas(session, course)
    return _fill(session, course, quotas, actor=actor, via=via, now=utcnow())


def release_seats(
    session: Session, course: Course, *, actor: User | None = None, now: datetime | None = None,
    via: str = "cli",
) -> list[Enrolment]:
    """After the release date, offer seats still free in one country's quota to the other
    countries' waitlists, oldest request first. Before it, nothing moves."""
    now = now or utcnow()
    if not seats_released(course, now):
        return []
    quotas = _lock_quotas(session, course)
    return _fill(session, course, quotas, actor=actor, via=via, now=now)


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


# --- reading -------------------------------------------------------------------------


STATUS_ORDER = (
    EnrolmentStatus.CONFIRMED,
    EnrolmentStatus.COMPLETED,
    EnrolmentStatus.PENDING,
    EnrolmentStatus.WAITLISTED,
    EnrolmentStatus.WITHDRAWN,
    EnrolmentStatus.REJECTED,
)


def status_label(status: EnrolmentStatus) -> str:
    """The status in the reader's language."""
    labels = {
        EnrolmentStatus.PENDING: _("pending approval"),
        EnrolmentStatus.CONFIRMED: _("confirmed"),
        EnrolmentStatus.WAITLISTED: _("waitlisted"),
        EnrolmentStatus.REJECTED: _("rejected"),
        EnrolmentStatus.WITHDRAWN: _("withdrawn"),
        EnrolmentStatus.COMPLETED: _("completed"),
    }
    return labels[status]


@dataclass
class RosterRow:
    """One enrolment as a roster shows it."""

    enrolment: Enrolment
    position: int | None = None


@dataclass
class RosterGroup:
    """The people of one country in one status."""

    country: str
    status: EnrolmentStatus
    rows: list[RosterRow] = field(default_factory=list)


def _within(query: sa.Select[Any], scope: RosterScope) -> sa.Select[Any]:
    """query narrowed to the enrolments scope may see."""
    if scope.country:
        query = query.where(Enrolment.country == scope.country)
    if scope.confirmed_only:
        query = query.where(Enrolment.status.in_(SEAT_HOLDING_STATUSES))
    return query


def in_scope(enrolment: Enrolment, scope: RosterScope) -> bool:
    """Whether a roster of scope shows enrolment."""
    return (not scope.country or enrolment.country == scope.country) and (
        not scope.confirmed_only or enrolment.status in SEAT_HOLDING_STATUSES)


def course_roster(session: Session, course: Course, scope: RosterScope) -> list[RosterGroup]:
    """The course's enrolments the scope may see, by country and status (two queries)."""
    query = _within(
        sa.select(Enrolment)
        .where(Enrolment.course_id == course.id)
        .options(joinedload(Enrolment.user), joinedload(Enrolment.quota), joinedload(Enrolment.nominated_by)),
        scope,
    )
    enrolments = session.scalars(query).unique().all()
    positions = _positions(enrolments)
    groups: dict[tuple[str, EnrolmentStatus], RosterGroup] = {}
    for enrolment in enrolments:
        key = (enrolment.country, enrolment.status)
        groups.setdefault(key, RosterGroup(*key)).rows.append(
            RosterRow(enrolment, positions.get(enrolment.id))
        )
    for group in groups.values():
        if group.status is EnrolmentStatus.WAITLISTED:
            group.rows.sort(key=lambda r: r.position or 0)
        else:
            group.rows.sort(key=lambda r: (r.enrolment.user.name.casefold(), r.enrolment.id))
    return sorted(groups.values(), key=lambda g: (i18n.country_name(g.country), STATUS_ORDER.index(g.status)))


@dataclass
class CountryCourse:
    """One course as a focal point sees it: their country's quota and people."""

    course: Course
    quota: SeatQuota | None
    rows: list[RosterRow]


def country_rosters(session: Session, country: str) -> list[CountryCourse]:
    """Every course with seats for, or people from, country, with that country's people only."""
    enrolments = session.scalars(
        sa.select(Enrolment)
        .where(Enrolment.country == country)
        .options(joinedload(Enrolment.user), joinedload(Enrolment.quota))
    ).unique().all()
    quotas = session.scalars(sa.select(SeatQuota).where(SeatQuota.country == country)).all()
    course_ids = {e.course_id for e in enrolments} | {q.course_id for q in quotas}
    courses = session.scalars(
        sa.select(Course).where(Course.id.in_(course_ids), Course.status != CourseStatus.DRAFT)
        .order_by(Course.starts_on, Course.id)
    ).all() if course_ids else []
    positions = _positions(enrolments)
    by_course: dict[int, list[RosterRow]] = defaultdict(list)
    for enrolment in enrolments:
        by_course[enrolment.course_id].append(RosterRow(enrolment, positions.get(enrolment.id)))
    quota_by_course = {q.course_id: q for q in quotas}
    result = []
    for course in courses:
        rows = sorted(
            by_course.get(course.id, []),
            key=lambda r: (STATUS_ORDER.index(r.enrolment.status), r.position or 0,
                           r.enrolment.user.name.casefold()),
        )
        result.append(CountryCourse(course, quota_by_course.get(course.id), rows))
    return result


@dataclass
class MyEnrolment:
    """One of a person's enrolments with their waitlist position."""

    enrolment: Enrolment
    position: int | None


def roster_query(
    course: Course, scope: RosterScope, *, status: EnrolmentStatus | None = None, country: str | None = None,
) -> sa.Select[Any]:
    """Rows of (enrolment with its person, waitlist position) of course that scope may see,
    by country, status order and request time: one query however long the roster."""
    query = _within(
        sa.select(Enrolment, _position_expression())
        .where(Enrolment.course_id == course.id)
        .options(joinedload(Enrolment.user))
        .order_by(Enrolment.country, Enrolment.status, Enrolment.requested_at, Enrolment.id),
        scope,
    )
    if status is not None:
        query = query.where(Enrolment.status == status)
    if country:
        query = query.where(Enrolment.country == country.upper())
    return query


def my_enrolments_query(person: User) -> sa.Select[Any]:
    """Rows of (enrolment with its course, waitlist position) of one person, newest first."""
    return (
        sa.select(Enrolment, _position_expression())
        .where(Enrolment.user_id == person.id)
        .options(joinedload(Enrolment.course))
        .order_by(Enrolment.requested_at.desc(), Enrolment.id.desc())
    )


def my_enrolments(session: Session, person: User) -> list[MyEnrolment]:
    """The person's enrolments, newest course first, with waitlist positions (one query)."""
    rows = session.execute(my_enrolments_query(person)).unique().all()
    return [
        MyEnrolment(e, position if e.status is EnrolmentStatus.WAITLISTED else None)
        for e, position in rows
    ]


def seat_summaries(session: Session, course_ids: Iterable[int]) -> dict[int, SeatSummary]:
    """Seats per country for each course, in one query (for the catalogue and course pages)."""
    ids = sorted(set(course_ids))
    summaries = {course_id: SeatSummary(course_id) for course_id in ids}
    if not ids:
        return summaries
    waiting = (
        sa.select(Enrolment.course_id, Enrolment.country, sa.func.count(Enrolment.id).label("n"))
        .where(Enrolment.course_id.in_(ids), Enrolment.status == EnrolmentStatus.WAITLISTED)
        .group_by(Enrolment.course_id, Enrolment.country)
        .subquery()
    )
    rows = session.execute(
        sa.select(SeatQuota.course_id, SeatQuota.country, SeatQuota.seats, SeatQuota.confirmed,
                  sa.func.coalesce(waiting.c.n, 0))
        .outerjoin(waiting, sa.and_(waiting.c.course_id == SeatQuota.course_id,
                                    waiting.c.country == SeatQuota.country))
        .where(SeatQuota.course_id.in_(ids))
        .order_by(SeatQuota.course_id, SeatQuota.country)
    ).all()
    for course_id, country, seats, confirmed, waitlisted in rows:
        summaries[course_id].quotas.append(QuotaSummary(country, seats, confirmed, waitlisted))
    return summaries


@dataclass
class CoursePanel:
    """What the course page shows about seats, for one viewer."""

    course: Course
    summary: SeatSummary
    enrolment: Enrolment | None = None
    position: int | None = None
    can_enrol: bool = False
    can_nominate: bool = False
    can_manage: bool = False
    can_see_roster: bool = False
    refusal: str | None = None  # why the viewer cannot enrol, when they cannot


def course_panel(session: Session, course: Course, viewer: User | None) -> CoursePanel:
    """Seats per country and, for a signed-in viewer, their status and what they may do."""
    panel = CoursePanel(course, seat_summaries(session, [course.id])[course.id])
    if viewer is None or not viewer.is_authenticated:
        return panel
    panel.can_manage = is_coordinator(viewer)
    panel.can_nominate = panel.can_manage or viewer.role is Role.FOCAL_POINT
    panel.can_see_roster = panel.can_manage or viewer.role is Role.FOCAL_POINT or (
        viewer.role is Role.INSTRUCTOR and teaches(session, viewer, course)
    )
    row = session.execute(
        sa.select(Enrolment, _position_expression())
        .where(Enrolment.course_id == course.id, Enrolment.user_id == viewer.id)
        .order_by(Enrolment.requested_at.desc(), Enrolment.id.desc())
        .limit(1)
    ).first()
    if row is not None:
        panel.enrolment = row[0]
        if row[0].status is EnrolmentStatus.WAITLISTED:
            panel.position = row[1]
    if panel.enrolment is not None and panel.enrolment.is_active:
        return panel
    try:
        _check_window(course, viewer, False, utcnow())
    except DomainError as error:
        panel.refusal = error.message
        return panel
    quota = panel.summary.for_country(viewer.country)
    if quota is None or quota.seats == 0:
        panel.refusal = _("This course has no seats for personnel of %(country)s.",
                          country=i18n.country_name(viewer.country)) if viewer.country else _(
            "Set your country in your profile to enrol.")
        return panel
    panel.can_enrol = True
    return panel


def participants_to_notify(session: Session, course: Course) -> list[User]:
    """Everyone on the course who should hear of a change: confirmed, completed, waitlisted and
    pending people (not those who withdrew or were rejected)."""
    return list(
        session.scalars(
            sa.select(User)
            .join(Enrolment, Enrolment.user_id == User.id)
            .where(
                Enrolment.course_id == course.id,
                Enrolment.status.in_(ACTIVE_STATUSES),
                User.active.is_(True),
            )
            .order_by(User.name, User.id)
        ).all()
    )


@dataclass
class ReciprocityLine:
    """Seats one host country offered to one guest country's personnel, and their use."""

    host: str
    guest: str
    courses: int = 0
    seats: int = 0
    confirmed: int = 0
    completed: int = 0


@dataclass
class Reciprocity:
    """Who trains whom: lines per host and guest country, and the balance of each pair."""

    lines: list[ReciprocityLine]

    def pairs(self) -> list[tuple[ReciprocityLine, ReciprocityLine]]:
        """Each pair of countries that host each other's personnel (or could), both directions."""
        index = {(line.host, line.guest): line for line in self.lines}
        seen: set[frozenset[str]] = set()
        result = []
        for line in self.lines:
            key = frozenset((line.host, line.guest))
            if line.host == line.guest or key in seen:
                continue
            seen.add(key)
            other = index.get((line.guest, line.host)) or ReciprocityLine(line.guest, line.host)
            result.append(tuple(sorted((line, other), key=lambda x: x.host)))
        return result  # type: ignore[return-value]


def reciprocity(session: Session) -> Reciprocity:
    """Per host country, the seats offered to each country's personnel, confirmed and completed
    (published and completed courses; two grouped queries whatever the number of enrolments)."""
    counted = (CourseStatus.PUBLISHED, CourseStatus.COMPLETED)
    offered = session.execute(
        sa.select(Course.host_country, SeatQuota.country, sa.func.count(sa.distinct(Course.id)),
                  sa.func.sum(SeatQuota.seats))
        .join(Course, Course.id == SeatQuota.course_id)
        .where(Course.status.in_(counted))
        .group_by(Course.host_country, SeatQuota.country)
    ).all()
    taken = session.execute(
        sa.select(
            Course.host_country,
            Enrolment.country,
            sa.func.count(Enrolment.id),
            sa.func.sum(sa.case((Enrolment.status == EnrolmentStatus.COMPLETED, 1), else_=0)),
        )
        .join(Course, Course.id == Enrolment.course_id)
        .where(Course.status.in_(counted), Enrolment.status.in_(SEAT_HOLDING_STATUSES))
        .group_by(Course.host_country, Enrolment.country)
    ).all()
    lines: dict[tuple[str, str], ReciprocityLine] = {}
    for host, guest, courses, seats in offered:
        lines[(host, guest)] = ReciprocityLine(host, guest, courses=courses, seats=int(seats or 0))
    for host, guest, confirmed, completed in taken:
        line = lines.setdefault((host, guest), ReciprocityLine(host, guest))
        line.confirmed = confirmed
        line.completed = int(completed or 0)
    ordered = sorted(lines.values(), key=lambda x: (i18n.country_name(x.host), x.host == x.guest,
                                                    i18n.country_name(x.guest)))
    return Reciprocity(ordered)


# --- attendance, completion and certificates ----------------------------------------


def attendance_sheet(
    session: Session, course_session: CourseSession
) -> list[tuple[Enrolment, bool | None]]:
    """The people holding a seat on the session's course, with whether they were marked present."""
    enrolments = session.scalars(
        sa.select(Enrolment)
        .where(Enrolment.course_id == course_session.course_id,
               Enrolment.status.in_(SEAT_HOLDING_STATUSES))
        .options(joinedload(Enrolment.user))
    ).all()
    marks = dict(
        session.execute(
            sa.select(Attendance.enrolment_id, Attendance.present).where(
                Attendance.session_id == course_session.id
            )
        ).all()
    )
    enrolments = sorted(enrolments, key=lambda e: (i18n.country_name(e.country), e.user.name.casefold()))
    return [(e, marks.get(e.id)) for e in enrolments]


def _new_certificate_code(session: Session) -> str:
    while True:
        raw = secrets.token_hex(8).upper()
        code = "-".join(raw[i:i + 4] for i in range(0, 16, 4))
        if session.scalar(sa.select(Enrolment.id).where(Enrolment.certificate_code == code)) is None:
            return code


def required_sessions(session_count: int, completion_percent: int) -> int:
    """How many sessions a participant must attend to complete a course."""
    return math.ceil(session_count * completion_percent / 100)


def mark_attendance(
    session: Session,
    course_session: CourseSession,
    present_ids: Iterable[int],
    *,
    actor: User,
    via: str = "web",
) -> list[Enrolment]:
    """Record who attended one session (everyone else holding a seat was absent), then complete
    those who attended the share of sessions the course requires. Returns who completed now."""
    course = session.get_one(Course, course_session.course_id)
    if not (is_coordinator(actor) or teaches(session, actor, course)):
        raise Forbidden(_("Only the course's instructors and coordinators take attendance."))
    if course_session.cancelled:
        raise DomainError(_("This session is cancelled; there is no attendance to take."))
    present = set(present_ids)
    sheet = attendance_sheet(session, course_session)
    seat_holders = {e.id for e, _mark in sheet}
    unknown = present - seat_holders
    if unknown:
        raise DomainError(_("Only people holding a seat on this course can be marked present."))
    existing = {
        a.enrolment_id: a
        for a in session.scalars(sa.select(Attendance).where(Attendance.session_id == course_session.id))
    }
    now = utcnow()
    changes = []
    for enrolment, _mark in sheet:
        is_present = enrolment.id in present
        row = existing.get(enrolment.id)
        if row is None:
            session.add(Attendance(session_id=course_session.id, enrolment_id=enrolment.id,
                                   present=is_present, marked_at=now, marked_by_id=actor.id))
            changes.append((enrolment.user_id, None, is_present))
        elif row.present != is_present:
            changes.append((enrolment.user_id, row.present, is_present))
            row.present, row.marked_at, row.marked_by_id = is_present, now, actor.id
    session.flush()
    if changes:
        record(session, actor=actor, action="attendance.marked", subject=course_session,
               before={str(u): b for u, b, _a in changes}, after={str(u): a for u, _b, a in changes},
               topic=f"course:{course.id}", via=via)
    return _update_completion(session, course, [e for e, _mark in sheet], actor=actor, via=via)


def _update_completion(
    session: Session, course: Course, enrolments: Sequence[Enrolment], *, actor: User, via: str
) -> list[Enrolment]:
    held = session.scalar(
        sa.select(sa.func.count(CourseSession.id)).where(
            CourseSession.course_id == course.id, CourseSession.cancelled.is_(False)
        )
    ) or 0
    needed = required_sessions(held, course.completion_percent)
    attended = dict(
        session.execute(
            sa.select(Attendance.enrolment_id, sa.func.count(Attendance.id))
            .join(CourseSession, CourseSession.id == Attendance.session_id)
            .where(CourseSession.course_id == course.id, CourseSession.cancelled.is_(False),
                   Attendance.present.is_(True))
            .group_by(Attendance.enrolment_id)
        ).all()
    )
    completed = []
    now = utcnow()
    for enrolment in enrolments:
        count = attended.get(enrolment.id, 0)
        before = _snapshot(enrolment)
        if enrolment.status is EnrolmentStatus.CONFIRMED and held and count >= needed:
            enrolment.status = EnrolmentStatus.COMPLETED
            enrolment.completed_at = now
            enrolment.certificate_code = enrolment.certificate_code or _new_certificate_code(session)
            session.flush()
            _audit(session, actor, "enrolment.completed", enrolment, before, via, attended=count,
                   required=needed)
            _mail(session, "completed", enrolment.user, course,
                  url=external_url("enrolment.certificate", enrolment_id=enrolment.id))
            completed.append(enrolment)
        elif enrolment.status is EnrolmentStatus.COMPLETED and count < needed:
            # Attendance was corrected downwards: the certificate no longer holds.
            enrolment.status = EnrolmentStatus.CONFIRMED
            enrolment.completed_at = None
            enrolment.certificate_code = None
            session.flush()
            _audit(session, actor, "enrolment.completion_revoked", enrolment, before, via,
                   attended=count, required=needed)
    return completed


def certificate_by_code(session: Session, code: str) -> Enrolment:
    """The completed enrolment a certificate code belongs to."""
    code = (code or "").strip().upper()
    enrolment = session.scalars(
        sa.select(Enrolment)
        .where(Enrolment.certificate_code == code, Enrolment.status == EnrolmentStatus.COMPLETED)
        .options(joinedload(Enrolment.user), joinedload(Enrolment.course))
    ).first()
    if enrolment is None:
        raise NotFound(_("No certificate has this code."))
    return enrolment


def enrolment_for(session: Session, enrolment_id: int) -> Enrolment:
    """An enrolment with its person and course."""
    enrolment = session.scalars(
        sa.select(Enrolment).where(Enrolment.id == enrolment_id)
        .options(joinedload(Enrolment.user), joinedload(Enrolment.course))
    ).first()
    if enrolment is None:
        raise NotFound(_("No such enrolment."))
    return enrolment


def course_by_slug(
    session: Session, slug: str, viewer: User | None, *, with_sessions: bool = False
) -> Course:
    """The course with slug (and its sessions, when asked); drafts only for coordinators."""
    query = sa.select(Course).where(Course.slug == slug)
    if with_sessions:
        query = query.options(selectinload(Course.sessions))
    course = session.scalar(query)
    if course is None or (not course.is_visible and not is_coordinator(viewer)):
        raise NotFound(_("No such course."))
    return course


def courses_with_seats(session: Session) -> Sequence[Course]:
    """Every course not cancelled, soonest first, for the coordinators' seats overview."""
    return session.scalars(
        sa.select(Course).where(Course.status != CourseStatus.CANCELLED).order_by(Course.starts_on, Course.id)
    ).all()


# --- answers to what courses ask (training/courses/signals.py) ------------------------------

def answer_seat_summaries(session: Session, *, course_ids: list[int]) -> dict[int, SeatSummary]:
    """Receiver of seat_summaries_wanted: the catalogue's and course API's seat counts."""
    return seat_summaries(session, course_ids)


def answer_participants(course: Course, *, session: Session) -> list[User]:
    """Receiver of participants_wanted: who hears of a change to the course."""
    return participants_to_notify(session, course)
