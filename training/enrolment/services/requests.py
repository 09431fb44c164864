"""Requests for seats: enrolling, nominating, approving, withdrawing and rejecting."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy.orm import Session

from training.accounts import services as accounts
from training.accounts.models import Role, User
from training.accounts.permissions import is_coordinator
from training.core import i18n
from training.core.database import utcnow
from training.core.errors import Conflict, DomainError, Forbidden
from training.core.i18n import reader_zone
from training.core.localtime import show_datetime
from training.core.urls import external_url
from training.courses.models import Course, CourseStatus
from training.courses.services import require_visible
from training.enrolment.models import (
    ACTIVE_STATUSES,
    LAPSABLE_STATUSES,
    LEAVABLE_STATUSES,
    MAX_REASON_LENGTH,
    Enrolment,
    EnrolmentStatus,
)
from training.enrolment.services.access import check_may_act_for
from training.enrolment.services.joining import insert_enrolment
from training.enrolment.services.notices import audit_change, coordinators_to_tell, mail_person, snapshot
from training.enrolment.services.seats import (
    fill_free_seats,
    free_seat,
    lock_quotas,
    lock_quotas_for,
    refresh,
    seat_for,
    seats_released,
    waitlist_position,
)
from training.enrolment.signals import enrolments_changed
from training.outbox.services import queue_mail, queue_mail_now


def check_window(course: Course, actor: User, override_window: bool, now: datetime) -> bool:
    """Refuse outside the window; return True when a coordinator overrides it."""
    if course.status is not CourseStatus.PUBLISHED:
        raise DomainError(_("This course is not open for enrolment."))
    opens, closes = course.enrolment_opens_at, course.enrolment_closes_at
    zone, reader = course.timezone, reader_zone()
    closed = None
    if opens is not None and now < opens:
        closed = _("Enrolment opens on %(when)s.", when=show_datetime(opens, zone, reader))
    elif closes is not None and now >= closes:
        closed = _("Enrolment closed on %(when)s.", when=show_datetime(closes, zone, reader))
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
    return enrol_and_place(session, course, person, actor=actor, override_window=override_window, via=via)[0]


def enrol_and_place(
    session: Session,
    course: Course,
    person: User,
    *,
    actor: User,
    override_window: bool = False,
    via: str = "web",
) -> tuple[Enrolment, int | None]:
    """enrol(), and the person's waitlist place as it stands when it is done (None unless
    waitlisted): what the page answering the request says, without asking the database again."""
    check_may_act_for(actor, person)
    require_visible(course, actor)
    now = utcnow()
    overridden = check_window(course, actor, override_window, now)
    country = person.country
    if not country:
        raise DomainError(
            _("%(name)s has no country in their profile, so no country's seats apply.", name=person.name)
        )
    quotas, already_on = lock_quotas_for(session, course, person)
    if not any(q.country == country and q.seats > 0 for q in quotas):
        raise DomainError(
            _("This course has no seats for personnel of %(country)s.", country=i18n.country_name(country))
        )
    if already_on:
        raise Conflict(_("%(name)s is already on this course.", name=person.name))
    # Stamped under the lock, so that request times, seats and waitlist order all follow the
    # one order in which the database served the requests.
    now = utcnow()
    if seats_released(course, now):
        fill_free_seats(session, course, quotas, actor=actor, via=via, now=now)
    seat = None
    if course.requires_approval and not is_coordinator(actor):
        status = EnrolmentStatus.PENDING
    else:
        seat = seat_for(session, course, quotas, country, now)
        status = EnrolmentStatus.CONFIRMED if seat is not None else EnrolmentStatus.WAITLISTED
    try:
        enrolment, position, facts = insert_enrolment(
            session, course_id=course.id, person=person, country=country, status=status, quota=seat,
            now=now, nominated_by_id=actor.id if actor.id != person.id else None,
        )
    except sa.exc.IntegrityError:
        # The partial unique index decides between two simultaneous requests of one person. The
        # statement failed after a seat may have been taken: the refusal rolls the whole request back.
        raise Conflict(_("%(name)s is already on this course.", name=person.name)) from None
    # The entry and the mails are written at once, each by one INSERT: nothing reads them back.
    extra = {"window_overridden": True} if overridden else {}
    audit_change(session, actor, f"enrolment.{enrolment.status.value}", enrolment, None, via, at_once=True,
                 **extra)
    if enrolment.status is EnrolmentStatus.PENDING:
        mail_person(session, "pending", person, course, at_once=True)
        for coordinator in coordinators_to_tell(session, course):
            queue_mail_now(
                session, to=coordinator.email, template="enrolment/pending_coordinator",
                locale=coordinator.locale, coordinator=coordinator, person=person, course=course,
                url=external_url("enrolment.seats", slug=course.slug),
            )
    elif enrolment.status is EnrolmentStatus.CONFIRMED:
        mail_person(session, "confirmed", person, course, at_once=True)
    else:
        mail_person(session, "waitlisted", person, course, position=position, at_once=True)
    moved = enrolments_changed.send(course, session=session, actor=actor, via=via, facts=facts)
    if position is not None and any(changed for _receiver, changed in moved):
        position = waitlist_position(session, enrolment)  # a lapse moved the queue on
    return enrolment, position


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
    check_window(course, actor, override_window, utcnow())
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
    check_may_act_for(actor, person)
    if not person.active:
        raise DomainError(_("This account is deactivated."), field="user_id")
    return enrol(session, course, person, actor=actor, override_window=override_window, via=via)


def approve(session: Session, enrolment: Enrolment, *, actor: User, via: str = "web") -> Enrolment:
    """A coordinator approves a pending request: confirmed if a seat is free, else waitlisted."""
    if not is_coordinator(actor):
        raise Forbidden(_("Only coordinators approve requests."))
    course = session.get_one(Course, enrolment.course_id)
    quotas = lock_quotas(session, course)
    enrolment = refresh(session, enrolment)
    if not enrolment.is_pending:
        raise Conflict(_("Only a pending request can be approved; this one is %(status)s.",
                         status=enrolment.status.label))
    now = utcnow()
    if seats_released(course, now):
        fill_free_seats(session, course, quotas, actor=actor, via=via, now=now)
    before = snapshot(enrolment)
    seat = seat_for(session, course, quotas, enrolment.country, now)
    enrolment.decided_at = now
    if seat is not None:
        enrolment.status = EnrolmentStatus.CONFIRMED
        enrolment.quota = seat
    else:
        enrolment.status = EnrolmentStatus.WAITLISTED
        enrolment.waitlisted_at = now
    session.flush()
    audit_change(session, actor, "enrolment.approved", enrolment, before, via)
    person = session.get_one(User, enrolment.user_id)
    mail_person(session, "approved", person, course, confirmed=seat is not None,
                position=waitlist_position(session, enrolment))
    enrolments_changed.send(course, session=session, actor=actor, via=via)
    return enrolment


def _leave(
    session: Session,
    enrolment: Enrolment,
    *,
    actor: User | None,
    status: EnrolmentStatus,
    refusal: Callable[[str], str],
    reason: str | None,
    via: str,
    leavable: tuple[EnrolmentStatus, ...] = LEAVABLE_STATUSES,
    **audit_extra: object,
) -> tuple[Enrolment, Course, list[Enrolment]]:
    """Take the enrolment off the course as status, free its seat and fill it from the waitlist."""
    course = session.get_one(Course, enrolment.course_id)
    quotas = lock_quotas(session, course)
    enrolment = refresh(session, enrolment)
    if enrolment.status not in leavable:
        raise Conflict(refusal(enrolment.status.label))
    before = snapshot(enrolment)
    if enrolment.status is EnrolmentStatus.CONFIRMED:
        free_seat(session, enrolment.quota_id, quotas)
    enrolment.status = status
    enrolment.quota_id = None
    enrolment.decided_at = utcnow()
    if reason is not None:
        enrolment.rejection_reason = reason
    session.flush()
    audit_change(session, actor, f"enrolment.{status.value}", enrolment, before, via, **audit_extra)
    promoted = fill_free_seats(session, course, quotas, actor=actor, via=via, now=utcnow())
    return enrolment, course, promoted


def withdraw(session: Session, enrolment: Enrolment, *, actor: User, via: str = "web") -> list[Enrolment]:
    """The person (or their focal point, or a coordinator) leaves the course; a freed seat goes
    to the head of the waitlist in the same transaction. Returns the people promoted."""
    person = session.get_one(User, enrolment.user_id)
    check_may_act_for(actor, person)
    enrolment, course, promoted = _leave(
        session, enrolment, actor=actor, status=EnrolmentStatus.WITHDRAWN,
        refusal=lambda status: _("Only a pending, waitlisted or confirmed enrolment can be withdrawn; "
                                 "this one is %(status)s.", status=status),
        reason=None, via=via,
    )
    mail_person(session, "withdrawn", person, course, by_self=actor.id == person.id)
    enrolments_changed.send(course, session=session, actor=actor, via=via)
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
        raise DomainError(ngettext("Keep the reason under %(num)d character.",
                                   "Keep the reason under %(num)d characters.", MAX_REASON_LENGTH),
                          field="reason")
    enrolment, course, promoted = _leave(
        session, enrolment, actor=actor, status=EnrolmentStatus.REJECTED,
        refusal=lambda status: _("Only a pending, waitlisted or confirmed enrolment can be rejected; "
                                 "this one is %(status)s.", status=status),
        reason=reason, via=via,
    )
    person = session.get_one(User, enrolment.user_id)
    mail_person(session, "rejected", person, course, reason=reason)
    enrolments_changed.send(course, session=session, actor=actor, via=via)
    return promoted


def lapse(
    session: Session, enrolment: Enrolment, *, overdue: list[str], via: str = "cli"
) -> tuple[Enrolment, list[Enrolment]]:
    """The product takes a pending or confirmed enrolment off the course for good, because the
    clearance requirements named by key in overdue went past their due dates; its seat goes
    to the head of the waitlist in the same transaction. Returns it and the people promoted.

    The caller (clearance) decides what is overdue, holding the course's quota locks, and
    tells the people concerned.
    """
    enrolment, _course, promoted = _leave(
        session, enrolment, actor=None, status=EnrolmentStatus.LAPSED,
        refusal=lambda status: _("Only a pending or confirmed enrolment can lapse; this one is "
                                 "%(status)s.", status=status),
        reason=None, via=via, leavable=LAPSABLE_STATUSES, overdue=overdue,
    )
    return enrolment, promoted
