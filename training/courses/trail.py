"""How the audit trail reads courses, sessions, quotas and instructors: sentences, field names, names."""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from training.audit.readable import (
    Named,
    NameSource,
    name_columns,
    register_fields,
    register_phrases,
    register_subject,
)
from training.core.i18n import in_reader_language
from training.courses.models import Course, CourseSession, CourseStatus, Instructor, SessionKind

PHRASES = {
    "course.created": _l("%(actor)s created the course “%(subject)s”."),
    "course.updated": _l("%(actor)s changed the course “%(subject)s”."),
    "course.published": _l("%(actor)s published the course “%(subject)s”."),
    "course.cancelled": _l("%(actor)s cancelled the course “%(subject)s”."),
    "course.completed": _l("%(actor)s marked the course “%(subject)s” completed."),
    "course.letter_settings_changed": _l(
        "%(actor)s changed what the letters of the course “%(subject)s” say."),
    "session.added": _l("%(actor)s added the session “%(subject)s” (%(starts_at)s)."),
    "session.updated": _l("%(actor)s changed the session “%(subject)s”."),
    "session.rescheduled": _l("%(actor)s moved the session “%(subject)s”."),
    "session.cancelled": _l("%(actor)s cancelled the session “%(subject)s”."),
    "schedule.day_copied": _l("%(actor)s copied the sessions of %(from)s to %(to)s."),
    "quota.set": _l("%(actor)s set the seats of %(country)s."),
    "instructor.created": _l("%(actor)s added %(subject)s to the instructor directory."),
    "instructor.updated": _l("%(actor)s changed the details of the instructor %(subject)s."),
    "instructor.deleted": _l("%(actor)s removed %(subject)s from the instructor directory."),
}

LABELS = {
    "kind": _l("Kind"),
    "instructors": _l("Instructors"),
    "cancelled": _l("Cancelled"),
    "requires_approval": _l("Approval needed"),
    "enrolment_opens_at": _l("Enrolment opens"),
    "enrolment_closes_at": _l("Enrolment closes"),
    "organisation": _l("Organisation"),
    "expertise": _l("Expertise"),
    "to": _l("To"),
    "issuer": _l("Inviting organisation"),
    "issuer_zh": _l("Inviting organisation in Chinese"),
    "letterhead": _l("Letterhead"),
    "signatory_name": _l("Signatory"),
    "signatory_title": _l("Signatory's title"),
    "signatory_title_zh": _l("Signatory's title in Chinese"),
    "costs": _l("Who pays"),
    "costs_zh": _l("Who pays, in Chinese"),
}


COURSES = NameSource(
    lambda ids: sa.select(*name_columns(Course.id, Course.title, Course.title_zh, Course.timezone))
    .where(Course.id.in_(ids)),
    lambda title, title_zh, zone: Named(in_reader_language(title, title_zh), zone),
)
SESSIONS = NameSource(
    lambda ids: sa.select(*name_columns(CourseSession.id, CourseSession.title, zone=Course.timezone))
    .join(Course, Course.id == CourseSession.course_id).where(CourseSession.id.in_(ids)),
)
INSTRUCTORS = NameSource(
    lambda ids: sa.select(*name_columns(Instructor.id, Instructor.name)).where(Instructor.id.in_(ids)),
)


def register_trail() -> None:
    """Tell the audit trail how course entries read."""
    register_subject("Course", COURSES)
    register_subject("CourseSession", SESSIONS)
    register_subject("Instructor", INSTRUCTORS)
    register_phrases(PHRASES)
    register_fields(
        LABELS, references={"instructors": "Instructor"},
        values={"status": {s.value: s.label for s in CourseStatus},
                "kind": {k.value: k.label for k in SessionKind}},
    )
