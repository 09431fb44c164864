"""Calendar feeds: which events each feed holds, and the ETags they were served with.

The package re-exports the names the views, the API and the tests use.
"""

from training.calendar.services.courses import (
    course_sessions_calendar,
    course_sessions_feed,
    public_courses_feed,
)
from training.calendar.services.events import (
    CANCELLED_KEPT_FOR,
    Feed,
    course_event,
    course_url,
    session_event,
    short_label,
)
from training.calendar.services.meetings import meeting_feed, participating_series, series_events
from training.calendar.services.personal import (
    accepted_symposia,
    kept_personal_feed,
    personal_feed,
    personal_feed_url,
    personal_sessions,
)
from training.calendar.services.served import record_served, served_state
from training.calendar.services.symposia import programme_event, symposium_event, symposium_feed

__all__ = [
    "CANCELLED_KEPT_FOR", "Feed", "accepted_symposia", "course_event", "course_sessions_calendar",
    "course_sessions_feed", "course_url", "kept_personal_feed",
    "meeting_feed", "participating_series", "series_events", "personal_feed", "personal_feed_url",
    "personal_sessions",
    "programme_event", "public_courses_feed", "record_served", "served_state", "session_event",
    "short_label", "symposium_event", "symposium_feed",
]
