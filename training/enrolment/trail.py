"""How the audit trail reads enrolments and attendance: sentences, field names and people's names."""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from training.accounts.models import User
from training.audit.readable import (
    NameSource,
    name_columns,
    register_fields,
    register_phrases,
    register_subject,
)
from training.enrolment.models import Enrolment, EnrolmentStatus

PHRASES = {
    "enrolment.pending": _l("%(actor)s asked for a %(country)s seat for %(subject)s."),
    "enrolment.confirmed": _l("%(actor)s confirmed %(subject)s (%(country)s seat)."),
    "enrolment.waitlisted": _l("%(actor)s put %(subject)s on the %(country)s waitlist."),
    "enrolment.pending:own": _l("%(actor)s asked for a %(country)s seat."),
    "enrolment.confirmed:own": _l("%(actor)s enrolled (%(country)s seat)."),
    "enrolment.waitlisted:own": _l("%(actor)s enrolled and is on the %(country)s waitlist."),
    "enrolment.withdrawn:own": _l("%(actor)s withdrew (%(country)s)."),
    "enrolment.approved": _l("%(actor)s approved %(subject)s (%(country)s)."),
    "enrolment.rejected": _l("%(actor)s rejected %(subject)s (%(country)s)."),
    "enrolment.withdrawn": _l("%(actor)s withdrew %(subject)s (%(country)s)."),
    "enrolment.promoted": _l("%(actor)s gave %(subject)s a %(country)s seat from the waitlist."),
    "enrolment.completed": _l("%(actor)s recorded that %(subject)s completed the course."),
    "enrolment.completion_revoked": _l("%(actor)s withdrew the completion of %(subject)s."),
    "attendance.marked": _l("%(actor)s took attendance at “%(subject)s”."),
}

LABELS = {
    "rejection_reason": _l("Reason for rejection"),
    "attended": _l("Sessions attended"),
}


ENROLLED = NameSource(
    lambda ids: sa.select(*name_columns(Enrolment.id, User.name))
    .join(User, User.id == Enrolment.user_id).where(Enrolment.id.in_(ids)),
)


def register_trail() -> None:
    """Tell the audit trail how enrolment entries read."""
    register_subject("Enrolment", ENROLLED)
    register_phrases(PHRASES)
    register_fields(LABELS, values={"status": {s.value: s.label for s in EnrolmentStatus}})
