"""How the audit trail reads clearance: sentences for requirements, documents and decisions, field names."""

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
from training.clearance.models import ItemState, Requirement
from training.core.i18n import in_reader_language

PHRASES = {
    "clearance.requirements_set": _l("%(actor)s set the clearance requirements of “%(subject)s”."),
    "clearance.submitted": _l("%(actor)s submitted %(filename)s for “%(requirement_id)s” of %(subject)s."),
    "clearance.accepted": _l("%(actor)s accepted “%(requirement_id)s” of %(subject)s."),
    "clearance.returned": _l("%(actor)s returned “%(requirement_id)s” of %(subject)s."),
    "clearance.extended": _l("%(actor)s extended the due date of “%(requirement_id)s” of %(subject)s."),
    "clearance.document_read": _l("%(actor)s opened the document for “%(requirement_id)s” of %(subject)s."),
    "clearance.document_purged": _l(
        "The contents of the document for “%(requirement_id)s” of %(subject)s were deleted after the "
        "retention period."),
    "enrolment.lapsed": _l(
        "The enrolment of %(subject)s lapsed (%(country)s): clearance was not met in time."),
}

LABELS = {
    "requirement_id": _l("Requirement"),
    "requirements": _l("Requirements"),
    "state": _l("State"),
    "due_at_override": _l("Due date"),
    "extension_reason": _l("Reason for the extension"),
    "filename": _l("File"),
    "person_id": _l("Person"),
}


# A requirement is named by its title in the reader's language (an entry recorded before it
# was removed names it by its key, still in the recorded data).
REQUIREMENTS = NameSource(
    lambda ids: sa.select(*name_columns(Requirement.id, Requirement.title, Requirement.title_zh))
    .where(Requirement.id.in_(ids)),
    lambda title, title_zh, _zone: Named(in_reader_language(title, title_zh)),
)


def register_trail() -> None:
    """Tell the audit trail how clearance entries read (the enrolment trail names enrolments)."""
    register_subject("Requirement", REQUIREMENTS)
    register_phrases(PHRASES)
    register_fields(LABELS, references={"person_id": "User", "requirement_id": "Requirement"},
                    values={"state": {s.value: s.label for s in ItemState}},
                    hidden=("requirement", "requirement_id"))
