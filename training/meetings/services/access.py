"""Who sees and runs meetings: coordinators run them; the focal points of the two sides see them."""

from __future__ import annotations

from typing import Any

from email_validator import EmailNotValidError, validate_email
from flask_babel import gettext as _

from training.accounts.models import Role
from training.accounts.permissions import is_coordinator
from training.core.errors import DomainError, Forbidden, NotFound
from training.meetings.models import MeetingSeries


def is_focal_point(user: Any) -> bool:
    return bool(user is not None and user.is_authenticated and user.role is Role.FOCAL_POINT)


def may_see_meetings(user: Any) -> bool:
    """Whether user may open the meetings and the hotline at all: coordinators and focal points."""
    return is_coordinator(user) or is_focal_point(user)


def may_see(user: Any, series: MeetingSeries) -> bool:
    """Coordinators see every series; a focal point sees those their country is a side of."""
    return is_coordinator(user) or (is_focal_point(user) and user.country in series.sides)


def series_not_found() -> NotFound:
    """The one refusal of a series that does not exist or that the viewer may not see."""
    return NotFound(_("There is no such meeting series."))


def require_visible(series: MeetingSeries | None, viewer: Any) -> MeetingSeries:
    if series is None or not may_see(viewer, series):
        raise series_not_found()
    return series


def require_coordinator(actor: Any) -> None:
    """Refuse anyone but a coordinator (or an admin) a change to a series."""
    if not is_coordinator(actor):
        raise Forbidden(_("Only coordinators run meeting series."))


def topic(series: MeetingSeries | int) -> str:
    """The audit topic grouping everything that happens to one series."""
    return f"meetings:{series if isinstance(series, int) else series.id}"


def clean_email(value: str, field: str, *, required: bool = True) -> str:
    """value as a normalised lower-case address, or a refusal on field."""
    text = (value or "").strip()
    if not text and not required:
        return ""
    try:
        return validate_email(text, check_deliverability=False).normalized.lower()
    except EmailNotValidError:
        raise DomainError(_("%(email)s is not an email address.", email=text or "''"), field=field) from None


def clean_text(
    value: object, limit: int, field: str, *, required: bool = False, message: str | None = None
) -> str:
    text = str(value or "").strip()
    if required and not text:
        raise DomainError(message or _("This is required."), field=field)
    if len(text) > limit:
        raise DomainError(_("Keep it under %(n)d characters.", n=limit), field=field)
    return text
