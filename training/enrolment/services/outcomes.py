"""What taking someone off a course would do, read before the person confirms it.

The confirmation page names the consequences; they come from the same rules that act on
confirmation (free_seat, then fill_free_seats), read without locks or changes.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy.orm import Session

from training.accounts.models import User
from training.accounts.permissions import is_coordinator
from training.core.errors import Conflict, Forbidden
from training.courses.models import Course
from training.enrolment.models import Enrolment, EnrolmentStatus, SeatQuota
from training.enrolment.services.access import check_may_act_for
from training.enrolment.services.seats import seats_released, waitlist_head, waitlist_position


@dataclass(frozen=True)
class LeavingOutcome:
    """What leaving the course does to the seats: held_in is the country of the seat it gives
    up, goes_to the country of the person waiting who would take it (None: nobody), and
    position the place the enrolment leaves on its waitlist."""

    enrolment: Enrolment
    held_in: str | None = None
    goes_to: str | None = None
    position: int | None = None


def _outcome(session: Session, enrolment: Enrolment) -> LeavingOutcome:
    if enrolment.status is EnrolmentStatus.WAITLISTED:
        return LeavingOutcome(enrolment, position=waitlist_position(session, enrolment))
    if enrolment.status is not EnrolmentStatus.CONFIRMED or enrolment.quota_id is None:
        return LeavingOutcome(enrolment)
    quota = session.get_one(SeatQuota, enrolment.quota_id)
    head = waitlist_head(session, enrolment.course_id, country=quota.country)
    if head is None and seats_released(session.get_one(Course, enrolment.course_id)):
        head = waitlist_head(session, enrolment.course_id, other_than=quota.country)
    return LeavingOutcome(enrolment, held_in=quota.country, goes_to=head.country if head else None)


def _check_leavable(enrolment: Enrolment) -> None:
    if not enrolment.can_withdraw:
        raise Conflict(_("This enrolment is %(status)s; there is nothing to take back.",
                         status=enrolment.status.label))


def withdrawal_outcome(session: Session, enrolment: Enrolment, *, actor: User) -> LeavingOutcome:
    """What withdrawing enrolment would do, for someone who may withdraw it."""
    check_may_act_for(actor, session.get_one(User, enrolment.user_id))
    _check_leavable(enrolment)
    return _outcome(session, enrolment)


def rejection_outcome(session: Session, enrolment: Enrolment, *, actor: User) -> LeavingOutcome:
    """What rejecting enrolment would do (coordinators)."""
    if not is_coordinator(actor):
        raise Forbidden(_("Only coordinators reject requests."))
    _check_leavable(enrolment)
    return _outcome(session, enrolment)
