"""Meeting rules, callable without HTTP: one module per concern, the public names re-exported.

recurrence (a rule checked and expanded on the venue's clock), schedule (a series' meetings with
their one-off changes), series (create, change, cancel), participants, reschedule (a series
not begun), split ("this and following"), changes (move,
cancel or place one meeting), minutes (agenda, minutes, action items), contacts (the hotline),
notices (iTIP mail), reminders and personal (export and erasure). Services take a session,
flush, raise domain errors and never commit.
"""

from __future__ import annotations

from training.meetings.services.access import may_see, may_see_meetings, require_coordinator, topic
from training.meetings.services.changes import cancel_meeting, move_meeting, place_meeting, restore_meeting
from training.meetings.services.contacts import (
    METHODS,
    ContactSpec,
    add_contact_point,
    directory,
    get_contact_point,
    is_overdue,
    may_edit,
    may_test,
    record_test,
    retire_contact_point,
    test_days,
    update_contact_point,
)
from training.meetings.services.minutes import (
    ActionSpec,
    add_action,
    carried_actions,
    get_action,
    load_actions,
    may_update,
    meeting_actions,
    open_actions,
    update_action,
    write_minutes,
)
from training.meetings.services.participants import (
    LANGUAGES,
    ParticipantSpec,
    add_participants,
    parse_participant_lines,
    remove_participant,
)
from training.meetings.services.personal import erase_person, export_person
from training.meetings.services.recurrence import (
    HORIZON_YEARS,
    MAX_OCCURRENCES,
    local_starts,
    normalise_rule,
    parse_recurrence_id,
    recurrence_key,
)
from training.meetings.services.reminders import REMINDER_DAYS, Reminders, send_reminders
from training.meetings.services.reschedule import has_begun, reschedule_series
from training.meetings.services.schedule import (
    Meeting,
    find_meeting,
    find_series,
    get_series,
    meetings_between,
    meetings_of,
    next_meeting,
)
from training.meetings.services.series import (
    SeriesSpec,
    cancel_series,
    create_series,
    reload,
    update_series,
    visible_series,
)
from training.meetings.services.split import split_series

__all__ = [
    "HORIZON_YEARS",
    "LANGUAGES",
    "MAX_OCCURRENCES",
    "METHODS",
    "REMINDER_DAYS",
    "ActionSpec",
    "ContactSpec",
    "Meeting",
    "ParticipantSpec",
    "Reminders",
    "SeriesSpec",
    "add_action",
    "add_contact_point",
    "add_participants",
    "cancel_meeting",
    "cancel_series",
    "carried_actions",
    "create_series",
    "directory",
    "erase_person",
    "export_person",
    "find_meeting",
    "find_series",
    "get_action",
    "get_contact_point",
    "get_series",
    "has_begun",
    "is_overdue",
    "load_actions",
    "local_starts",
    "may_see",
    "may_see_meetings",
    "may_edit",
    "may_test",
    "may_update",
    "meeting_actions",
    "meetings_between",
    "meetings_of",
    "move_meeting",
    "next_meeting",
    "normalise_rule",
    "open_actions",
    "parse_participant_lines",
    "parse_recurrence_id",
    "place_meeting",
    "record_test",
    "recurrence_key",
    "reload",
    "remove_participant",
    "reschedule_series",
    "restore_meeting",
    "retire_contact_point",
    "require_coordinator",
    "send_reminders",
    "split_series",
    "test_days",
    "topic",
    "update_action",
    "update_contact_point",
    "update_series",
    "visible_series",
    "write_minutes",
]
