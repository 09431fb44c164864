"""Clearance rules, callable without HTTP: one module per concern, the public names re-exported.

requirements (set and copy a course's), state (due dates, progress, clearance), items
(upload, accept or return, record a check, extend, read a document), documents (what an
upload is and may be), deadlines (reminders and lapses) and notices (mail). Services
take a session, flush, raise domain errors and never commit.
"""

from __future__ import annotations

from training.clearance.services.deadlines import (
    ASKS_CLEARANCE,
    REMINDER_DAYS,
    Lapse,
    asks_clearance,
    courses_with_requirements,
    lapse_course,
    lapse_overdue,
    on_enrolments_changed,
    send_reminders,
)
from training.clearance.services.documents import Upload, check_upload, max_document_bytes, sniff_type
from training.clearance.services.items import (
    DECISIONS,
    check_may_see,
    decide,
    extend_due,
    may_see,
    may_upload,
    read_document,
    record_check,
    submit_document,
)
from training.clearance.services.requirements import RequirementSpec, copy_requirements, set_requirements
from training.clearance.services.retention import Purged, purge_documents, purge_due_at, retention_days
from training.clearance.services.state import (
    Clearance,
    ClearanceLine,
    base_due_at,
    clearance_of,
    clearances_for,
    due_at,
    grace_days,
    requirements_of,
)

__all__ = [
    "ASKS_CLEARANCE",
    "DECISIONS",
    "REMINDER_DAYS",
    "Clearance",
    "ClearanceLine",
    "Lapse",
    "Purged",
    "RequirementSpec",
    "Upload",
    "asks_clearance",
    "base_due_at",
    "check_may_see",
    "check_upload",
    "clearance_of",
    "clearances_for",
    "copy_requirements",
    "courses_with_requirements",
    "decide",
    "due_at",
    "extend_due",
    "grace_days",
    "lapse_course",
    "lapse_overdue",
    "max_document_bytes",
    "may_see",
    "may_upload",
    "on_enrolments_changed",
    "purge_documents",
    "purge_due_at",
    "read_document",
    "record_check",
    "requirements_of",
    "retention_days",
    "send_reminders",
    "set_requirements",
    "sniff_type",
    "submit_document",
]
