"""One-off changes to one meeting of a series: moved to another day or hour, cancelled, placed elsewhere."""

from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy.orm import Session

from training.accounts.models import User
from training.audit.services import record
from training.core.database import utcnow
from training.core.errors import Conflict, DomainError
from training.core.localtime import local_datetime_to_instant
from training.meetings.models import MAX_PLACE, MeetingSeries, OccurrenceStatus
from training.meetings.services import notices
from training.meetings.services.access import clean_text, require_coordinator, topic
from training.meetings.services.schedule import Meeting, duration, find_meeting, occurrence_row


def _snapshot(meeting: Meeting) -> dict[str, object]:
    return {
        "recurrence_id": meeting.original_start.isoformat(),
        "status": meeting.status.value,
        "starts_at": meeting.starts_at.isoformat(),
        "location": meeting.location,
    }


def _changeable(series: MeetingSeries, meeting: Meeting, now: datetime) -> None:
    if series.cancelled:
        raise Conflict(_("This series is cancelled."))
    if meeting.starts_at <= now:
        raise DomainError(
            _("Only meetings to come can be changed; this one has begun."), field="recurrence_id"
        )


def _record(
    session: Session, series: MeetingSeries, before: Meeting, action: str, *, actor: User, via: str
) -> Meeting:
    after = find_meeting(series, before.recurrence_id)
    record(
        session,
        actor=actor,
        action=action,
        subject=series,
        before=_snapshot(before),
        after=_snapshot(after),
        topic=topic(series),
        via=via,
    )
    return after


def move_meeting(
    session: Session,
    series: MeetingSeries,
    key: str | datetime,
    *,
    starts_at: datetime,
    actor: User,
    via: str = "web",
    now: datetime | None = None,
) -> Meeting:
    """Move one meeting to another day or hour (a time without offset is on the series' clock).

    Its participants get a REQUEST naming it by RECURRENCE-ID, with the series' SEQUENCE raised.
    Moving it back to its original start makes it scheduled again.
    """
    require_coordinator(actor)
    meeting = find_meeting(series, key)
    now = now or utcnow()
    _changeable(series, meeting, now)
    if meeting.cancelled:
        raise Conflict(_("This meeting is cancelled; it cannot be moved."), field="recurrence_id")
    start = local_datetime_to_instant(
        starts_at.replace(second=0, microsecond=0), series.timezone, field="starts_at"
    )
    if start <= now:
        raise DomainError(_("Move it to a time still to come."), field="starts_at")
    row = occurrence_row(session, meeting)
    if start == meeting.original_start:
        row.status, row.starts_at, row.ends_at = OccurrenceStatus.SCHEDULED, None, None
    else:
        row.status, row.starts_at, row.ends_at = OccurrenceStatus.MOVED, start, start + duration(series)
    row.updated_at = utcnow()
    series.sequence += 1
    series.updated_at = utcnow()
    session.flush()
    after = _record(session, series, meeting, "meetings.meeting_moved", actor=actor, via=via)
    notices.tell_moved(session, series, after)
    return after


def cancel_meeting(
    session: Session,
    series: MeetingSeries,
    key: str | datetime,
    *,
    actor: User,
    via: str = "web",
    now: datetime | None = None,
) -> Meeting:
    """Cancel one meeting, that date only: a CANCEL with its RECURRENCE-ID to every participant."""
    require_coordinator(actor)
    meeting = find_meeting(series, key)
    _changeable(series, meeting, now or utcnow())
    if meeting.cancelled:
        raise Conflict(_("This meeting is already cancelled."), field="recurrence_id")
    row = occurrence_row(session, meeting)
    row.status = OccurrenceStatus.CANCELLED
    row.updated_at = utcnow()
    series.sequence += 1
    series.updated_at = utcnow()
    session.flush()
    after = _record(session, series, meeting, "meetings.meeting_cancelled", actor=actor, via=via)
    notices.tell_cancelled(session, series, after)
    return after


def place_meeting(
    session: Session,
    series: MeetingSeries,
    key: str | datetime,
    *,
    location: str,
    actor: User,
    via: str = "web",
    now: datetime | None = None,
) -> Meeting:
    """Hold one meeting elsewhere (Washington this time); empty: the series' own place again."""
    require_coordinator(actor)
    meeting = find_meeting(series, key)
    _changeable(series, meeting, now or utcnow())
    place = clean_text(location, MAX_PLACE, "location")
    row = occurrence_row(session, meeting)
    row.location = place
    row.updated_at = utcnow()
    series.sequence += 1
    series.updated_at = utcnow()
    session.flush()
    after = _record(session, series, meeting, "meetings.meeting_placed", actor=actor, via=via)
    if not after.cancelled:
        notices.tell_moved(session, series, after)
    return after


def restore_meeting(
    session: Session,
    series: MeetingSeries,
    key: str | datetime,
    *,
    actor: User,
    via: str = "web",
    now: datetime | None = None,
) -> Meeting:
    """Hold a cancelled meeting after all, at its original time: a REQUEST with its RECURRENCE-ID
    puts it back in every participant's calendar."""
    require_coordinator(actor)
    meeting = find_meeting(series, key)
    if series.cancelled:
        raise Conflict(_("This series is cancelled."))
    if not meeting.cancelled:
        raise Conflict(_("This meeting is not cancelled."), field="recurrence_id")
    if meeting.original_start <= (now or utcnow()):
        raise DomainError(
            _("Only meetings to come can be changed; this one has begun."), field="recurrence_id"
        )
    row = occurrence_row(session, meeting)
    row.status, row.starts_at, row.ends_at = OccurrenceStatus.SCHEDULED, None, None
    row.updated_at = utcnow()
    series.sequence += 1
    series.updated_at = utcnow()
    session.flush()
    after = _record(session, series, meeting, "meetings.meeting_restored", actor=actor, via=via)
    notices.tell_moved(session, series, after)
    return after
