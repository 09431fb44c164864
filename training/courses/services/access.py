"""Who may see a course and who may change courses, schedules and instructors."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _

from training.accounts.permissions import is_coordinator
from training.core.errors import DomainError, Forbidden
from training.courses.models import Course, CourseStatus

# Statuses everyone may see; a draft is seen only by coordinators and admins.
VISIBLE_STATUSES = (CourseStatus.PUBLISHED, CourseStatus.CANCELLED, CourseStatus.COMPLETED)
# The schedule of a course in these statuses no longer changes.
CLOSED_STATUSES = (CourseStatus.CANCELLED, CourseStatus.COMPLETED)


def may_see(course: Course, viewer: Any) -> bool:
    """Whether viewer (an account, anonymous, or None) may see course: drafts only for coordinators."""
    return course.is_visible or is_coordinator(viewer)


def require_course_manager(actor: Any) -> None:
    """Refuse anyone but a coordinator (or admin) a change to a course or its schedule."""
    if not is_coordinator(actor):
        raise Forbidden(_("Only coordinators change courses and their schedules."))


def require_directory_manager(actor: Any) -> None:
    """Refuse anyone but a coordinator (or admin) a change to the instructor directory."""
    if not is_coordinator(actor):
        raise Forbidden(_("Only coordinators change the instructor directory."))


def require_open(course: Course) -> None:
    """Refuse a change to a cancelled or completed course."""
    if course.status in CLOSED_STATUSES:
        raise DomainError(
            _("This course is %(status)s; it can no longer change.", status=course.status.label)
        )
