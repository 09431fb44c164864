"""How the audit trail reads meetings: sentences for series, meetings, action items and the hotline."""

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
from training.meetings.models import ActionItem, ActionStatus, ContactPoint, MeetingSeries, OccurrenceStatus

PHRASES = {
    "meetings.series_created": _l("%(actor)s created the meeting series “%(subject)s”."),
    "meetings.series_updated": _l("%(actor)s changed the meeting series “%(subject)s”."),
    "meetings.series_rescheduled": _l(
        "%(actor)s changed the clock or recurrence of “%(subject)s” before its first meeting."
    ),
    "meetings.series_cancelled": _l("%(actor)s cancelled the meeting series “%(subject)s”."),
    "meetings.series_split": _l(
        "%(actor)s changed “%(subject)s” from one meeting on: a new series continues it."
    ),
    "meetings.participants_added": _l("%(actor)s invited %(participants)s to “%(subject)s”."),
    "meetings.participant_removed": _l("%(actor)s took %(participants)s off “%(subject)s”."),
    "meetings.meeting_moved": _l("%(actor)s moved the meeting of %(recurrence_id)s of “%(subject)s”."),
    "meetings.meeting_cancelled": _l(
        "%(actor)s cancelled the meeting of %(recurrence_id)s of “%(subject)s”."
    ),
    "meetings.meeting_restored": _l(
        "%(actor)s restored the cancelled meeting of %(recurrence_id)s of “%(subject)s”."
    ),
    "meetings.meeting_placed": _l(
        "%(actor)s changed the place of the meeting of %(recurrence_id)s of “%(subject)s”."
    ),
    "meetings.minutes_written": _l(
        "%(actor)s wrote the agenda or minutes of the meeting of %(recurrence_id)s of “%(subject)s”."
    ),
    "meetings.action_added": _l("%(actor)s added the action item “%(subject)s”."),
    "meetings.action_updated": _l("%(actor)s updated the action item “%(subject)s”."),
    "meetings.contact_added": _l("%(actor)s added the contact point %(subject)s."),
    "meetings.contact_updated": _l("%(actor)s changed the contact point %(subject)s."),
    "meetings.contact_retired": _l("%(actor)s retired the contact point %(subject)s; its test log is kept."),
    "meetings.contact_tested": _l("%(actor)s tested the contact point %(subject)s: %(result)s."),
}

LABELS = {
    "sides": _l("Sides"),
    "first_start": _l("First meeting"),
    "duration_minutes": _l("Duration (minutes)"),
    "rrule": _l("Recurrence"),
    "location": _l("Place"),
    "video_url": _l("Video link"),
    "recurrence_id": _l("Meeting"),
    "agenda": _l("Agenda"),
    "minutes_en": _l("Minutes in English"),
    "minutes_zh": _l("Minutes in Chinese"),
    "what": _l("Action"),
    "side": _l("Owning side"),
    "owner": _l("Owner"),
    "owner_email": _l("Owner's email"),
    "due_on": _l("Due"),
    "participants": _l("Participants"),
    "phone": _l("Phone"),
    "hours": _l("Hours"),
    "languages": _l("Languages"),
    "method": _l("How"),
    "result": _l("Result"),
    "tested_at": _l("Tested"),
    "note": _l("Note"),
    "continued_by": _l("Continued by"),
    "retired_at": _l("Retired"),
    "organisation": _l("Organisation"),
}

SERIES = NameSource(
    lambda ids: sa.select(
        *name_columns(MeetingSeries.id, MeetingSeries.title, MeetingSeries.title_zh, MeetingSeries.timezone)
    ).where(MeetingSeries.id.in_(ids)),
    lambda title, title_zh, zone: Named(in_reader_language(title, title_zh), zone),
)
ACTIONS = NameSource(
    lambda ids: sa.select(*name_columns(ActionItem.id, ActionItem.what)).where(ActionItem.id.in_(ids)),
)
CONTACTS = NameSource(
    lambda ids: sa.select(*name_columns(ContactPoint.id, ContactPoint.name, ContactPoint.organisation)).where(
        ContactPoint.id.in_(ids)
    ),
    lambda name, organisation, zone: Named(f"{name} ({organisation})" if organisation else name, zone),
)


def register_trail() -> None:
    """Tell the audit trail how meeting entries read."""
    register_subject("MeetingSeries", SERIES)
    register_subject("ActionItem", ACTIONS)
    register_subject("ContactPoint", CONTACTS)
    register_phrases(PHRASES)
    register_fields(
        LABELS,
        values={
            "status": {
                **{s.value: s.label for s in OccurrenceStatus},
                **{s.value: s.label for s in ActionStatus},
            },
            "result": {"reached": _l("reached"), "late": _l("reached late"), "unreached": _l("not reached")},
        },
        datetimes=("recurrence_id", "tested_at", "retired_at"),
    )
