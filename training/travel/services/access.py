"""Who may read and change a travel form, and who may print the host's lists."""

from __future__ import annotations

from flask_babel import gettext as _

from training.accounts.models import Role, User
from training.accounts.permissions import is_coordinator
from training.core.errors import Conflict, Forbidden, NotFound
from training.enrolment.models import SEAT_HOLDING_STATUSES, Enrolment


def may_read_form(actor: User, enrolment: Enrolment) -> bool:
    """The person, their country's focal point, coordinators and admins: nobody else sees a passport."""
    if not getattr(actor, "is_authenticated", False):
        return False
    if actor.id == enrolment.user_id or is_coordinator(actor):
        return True
    return actor.role is Role.FOCAL_POINT and bool(actor.country) and actor.country == enrolment.country


def require_form_reader(actor: User, enrolment: Enrolment) -> None:
    # NotFound, not Forbidden: whether someone has a travel form is itself not for others to learn.
    if not may_read_form(actor, enrolment):
        raise NotFound(_("No such travel form."))


def require_seat(enrolment: Enrolment) -> None:
    """The form opens once the person holds a seat: nobody books a flight for a waitlist place."""
    if enrolment.status not in SEAT_HOLDING_STATUSES:
        raise Conflict(_("The travel form opens once the seat is confirmed."))


def require_coordinator(actor: User) -> None:
    if not is_coordinator(actor):
        raise Forbidden(_("Only coordinators may do this."))
