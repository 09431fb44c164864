"""How the audit trail reads clearance: sentences for requirements, documents and decisions, field names."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from training.audit.readable import register_fields, register_phrases
from training.clearance.models import ItemState

PHRASES = {
    "clearance.requirements_set": _l("%(actor)s set the clearance requirements of “%(subject)s”."),
    "clearance.submitted": _l("%(actor)s submitted %(filename)s for “%(requirement)s” of %(subject)s."),
    "clearance.accepted": _l("%(actor)s accepted “%(requirement)s” of %(subject)s."),
    "clearance.returned": _l("%(actor)s returned “%(requirement)s” of %(subject)s."),
    "clearance.extended": _l("%(actor)s extended the due date of “%(requirement)s” of %(subject)s."),
    "clearance.document_read": _l("%(actor)s opened the document for “%(requirement)s” of %(subject)s."),
    "enrolment.lapsed": _l(
        "The enrolment of %(subject)s lapsed (%(country)s): clearance was not met in time."),
}

LABELS = {
    "requirement": _l("Requirement"),
    "requirements": _l("Requirements"),
    "state": _l("State"),
    "due_at_override": _l("Due date"),
    "extension_reason": _l("Reason for the extension"),
    "filename": _l("File"),
    "person_id": _l("Person"),
}


def register_trail() -> None:
    """Tell the audit trail how clearance entries read (the enrolment trail names enrolments)."""
    register_phrases(PHRASES)
    register_fields(LABELS, references={"person_id": "User"},
                    values={"state": {s.value: s.label for s in ItemState}})
