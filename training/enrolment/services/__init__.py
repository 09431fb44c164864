"""Enrolment rules, callable without HTTP: one module per concern, the public names re-exported.

access (who may see and act), seats (quotas, locks, counters, waitlists, seat release),
requests (enrol, nominate, approve, withdraw, reject), joining (a new enrolment's one
statement), outcomes (what withdrawing or rejecting would do, for the confirmation page),
rosters, panel (seat summaries and the course page's panel), reciprocity, attendance
(completion, certificates) and notices (audit and mail). Services take a session, flush,
raise domain errors and never commit.
"""

from __future__ import annotations

from training.enrolment.services.access import (
    RosterScope,
    check_takes_attendance,
    enrolment_for,
    in_scope,
    roster_scope,
    teaches,
)
from training.enrolment.services.attendance import (
    attendance_sheet,
    certificate_by_code,
    certificate_for,
    mark_attendance,
    required_sessions,
)
from training.enrolment.services.joining import probe_with_change
from training.enrolment.services.outcomes import LeavingOutcome, rejection_outcome, withdrawal_outcome
from training.enrolment.services.panel import (
    CoursePanel,
    answer_participants,
    answer_seat_summaries,
    course_panel,
    has_free_seat,
    seat_summaries,
)
from training.enrolment.services.reciprocity import Reciprocity, ReciprocityLine, reciprocity
from training.enrolment.services.requests import (
    active_enrolment,
    approve,
    enrol,
    lapse,
    nominate,
    nominate_person,
    reject,
    withdraw,
)
from training.enrolment.services.rosters import (
    STATUS_ORDER,
    CountryCourse,
    MyEnrolment,
    RosterFile,
    RosterGroup,
    RosterRow,
    country_rosters,
    course_roster,
    courses_with_seats,
    enrolment_seen_by,
    my_enrolments,
    my_enrolments_query,
    participants_to_notify,
    roster_csv,
    roster_query,
    roster_version,
)
from training.enrolment.services.seats import (
    courses_due_for_release,
    lock_course,
    lock_quotas,
    promote_from_waitlist,
    quotas_of,
    release_seats,
    seats_released,
    set_quota,
    set_quotas,
    waitlist_position,
)

__all__ = [
    "STATUS_ORDER",
    "CountryCourse",
    "CoursePanel",
    "LeavingOutcome",
    "MyEnrolment",
    "Reciprocity",
    "ReciprocityLine",
    "RosterGroup",
    "RosterRow",
    "RosterFile",
    "RosterScope",
    "active_enrolment",
    "answer_participants",
    "answer_seat_summaries",
    "approve",
    "attendance_sheet",
    "certificate_by_code",
    "certificate_for",
    "check_takes_attendance",
    "country_rosters",
    "course_panel",
    "has_free_seat",
    "course_roster",
    "courses_due_for_release",
    "courses_with_seats",
    "enrol",
    "enrolment_for",
    "enrolment_seen_by",
    "lapse",
    "in_scope",
    "lock_course",
    "lock_quotas",
    "mark_attendance",
    "my_enrolments",
    "my_enrolments_query",
    "nominate",
    "nominate_person",
    "participants_to_notify",
    "probe_with_change",
    "promote_from_waitlist",
    "quotas_of",
    "reciprocity",
    "reject",
    "rejection_outcome",
    "release_seats",
    "required_sessions",
    "roster_csv",
    "roster_query",
    "roster_scope",
    "roster_version",
    "seat_summaries",
    "seats_released",
    "set_quota",
    "set_quotas",
    "teaches",
    "waitlist_position",
    "withdraw",
    "withdrawal_outcome",
]
