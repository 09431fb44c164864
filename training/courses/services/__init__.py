"""The rules of courses, callable without HTTP: lookups, the catalogue, a course's life, its
schedule and clash checks, the week grid, notices of changes and the instructor directory.

Views, the API, enrolment, calendar, demo and tests call `services.<name>`; each name lives
in the module of its concern and is re-exported here.
"""

from __future__ import annotations

from training.courses.services.access import (
    CLOSED_STATUSES,
    VISIBLE_STATUSES,
    may_see,
    require_course_manager,
    require_directory_manager,
)
from training.courses.services.catalogue import all_courses, catalogue, catalogue_countries, courses_query
from training.courses.services.instructors import (
    InstructorDetails,
    account_email,
    create_instructor,
    delete_instructor,
    find_instructor,
    instructor_directory,
    instructor_directory_query,
    instructor_for_user,
    instructor_snapshot,
    teaching,
    update_instructor,
)
from training.courses.services.letters import (
    LetterSettings,
    letter_languages,
    missing_letter_settings,
    update_letter_settings,
)
from training.courses.services.lifecycle import (
    CourseCancellation,
    CourseDetails,
    cancel_course,
    cancellation_outcome,
    complete_course,
    course_snapshot,
    create_course,
    may_complete,
    publish_course,
    update_course,
)
from training.courses.services.lookup import (
    course_not_found,
    find_course,
    find_session,
    get_course,
    get_session,
    load_schedule,
    require_visible,
)
from training.courses.services.notices import Recipient, people_to_notify
from training.courses.services.readiness import ReadinessItem, course_readiness, missing_essentials
from training.courses.services.schedule import (
    add_session,
    cancel_session,
    copy_day,
    course_instructors,
    restore_session,
    schedule_by_day,
    schedule_version,
    session_cancellation_outcome,
    session_snapshot,
    sessions_query,
    update_session,
)
from training.courses.services.slots import Slot, describe_slot, local_zone
from training.courses.services.week import GridBlock, WeekGrid, week_grid

__all__ = [
    "CLOSED_STATUSES",
    "VISIBLE_STATUSES",
    "CourseCancellation",
    "CourseDetails",
    "GridBlock",
    "InstructorDetails",
    "LetterSettings",
    "ReadinessItem",
    "Recipient",
    "Slot",
    "WeekGrid",
    "account_email",
    "add_session",
    "all_courses",
    "cancel_course",
    "cancel_session",
    "cancellation_outcome",
    "catalogue",
    "catalogue_countries",
    "complete_course",
    "copy_day",
    "course_instructors",
    "course_not_found",
    "course_readiness",
    "course_snapshot",
    "courses_query",
    "create_course",
    "create_instructor",
    "delete_instructor",
    "describe_slot",
    "find_course",
    "find_instructor",
    "find_session",
    "get_course",
    "get_session",
    "instructor_directory",
    "instructor_directory_query",
    "instructor_for_user",
    "instructor_snapshot",
    "letter_languages",
    "load_schedule",
    "local_zone",
    "may_complete",
    "may_see",
    "missing_essentials",
    "missing_letter_settings",
    "people_to_notify",
    "publish_course",
    "require_course_manager",
    "require_directory_manager",
    "require_visible",
    "restore_session",
    "schedule_by_day",
    "schedule_version",
    "session_cancellation_outcome",
    "session_snapshot",
    "sessions_query",
    "teaching",
    "update_course",
    "update_instructor",
    "update_letter_settings",
    "update_session",
    "week_grid",
]
