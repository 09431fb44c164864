""" "This and following": a series ends before one meeting and a new series continues from it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from training.accounts.models import User
from training.audit.services import record
from training.core.database import utcnow
from training.core.errors import DomainError
from training.meetings.models import ActionItem, MeetingSeries
from training.meetings.services import notices
from training.meetings.services.access import require_coordinator, topic
from training.meetings.services.participants import ParticipantSpec
from training.meetings.services.schedule import Meeting, meetings_of
from training.meetings.services.series import SeriesSpec, check_spec, create_series, require_active, snapshot


def _until_before(series: MeetingSeries, meeting: Meeting) -> str:
    """The rule cut so that its last meeting is the one before meeting (UNTIL, in UTC)."""
    kept = [part for part in series.rrule.split(";") if not part.startswith(("COUNT=", "UNTIL="))]
    until = (meeting.original_start - timedelta(seconds=1)).astimezone(UTC)
    return ";".join([*kept, f"UNTIL={until:%Y%m%dT%H%M%SZ}"])


def _rest_of_rule(series: MeetingSeries, meeting: Meeting) -> str:
    """The rule of the meetings from meeting on: the same ending (COUNT reduced by those before)."""
    parts = series.rrule.split(";")
    count = next((p for p in parts if p.startswith("COUNT=")), None)
    if count is None:
        return series.rrule
    left = int(count.split("=", 1)[1]) - (meeting.number - 1)
    return ";".join(f"COUNT={left}" if p == count else p for p in parts)


def split_series(
    session: Session,
    series: MeetingSeries,
    meeting: Meeting,
    *,
    starts_at: datetime,
    duration_minutes: object,
    location: str,
    actor: User,
    via: str = "web",
    now: datetime | None = None,
) -> MeetingSeries:
    """ "This and following": the series ends before meeting and a new one starts with the change.

    Meetings before it (and their minutes and action items) stay on the old series untouched;
    the changes already made to later meetings follow them, shifted as the new start shifts.
    """
    require_coordinator(actor)
    require_active(series)
    now = now or utcnow()
    if meeting.number == 1:
        raise DomainError(
            _("Change the whole series from its first meeting: nothing would stay behind."),
            field="recurrence_id",
        )
    if meeting.original_start <= now:
        raise DomainError(
            _("Only meetings to come can be changed; this one has begun."), field="recurrence_id"
        )
    if meeting.series.id != series.id:
        raise DomainError(_("This meeting belongs to another series."), field="recurrence_id")
    new_first = starts_at.replace(second=0, microsecond=0)
    shift = new_first - meeting.recurrence_id
    rule = _rest_of_rule(series, meeting)
    spec = SeriesSpec(
        title=series.title,
        title_zh=series.title_zh,
        timezone=series.timezone,
        starts_at=new_first,
        duration_minutes=duration_minutes,
        rrule=_shift_until(rule, shift),
        side_a=series.side_a,
        side_b=series.side_b,
        location=location,
        video_url=series.video_url,
        participants=[ParticipantSpec(p.email, p.name, p.language) for p in series.participants],
    )
    check_spec(spec)  # refused before anything changes: the old series keeps its meetings
    before = snapshot(series)
    later = [row for row in series.occurrences if row.recurrence_id >= meeting.recurrence_id]
    series.rrule = _until_before(series, meeting)
    series.sequence += 1
    series.updated_at = utcnow()
    session.flush()
    successor = create_series(session, spec, actor=actor, via=via, continues=series)
    for row in later:
        # Re-parented, not copied: an agenda or an action item written ahead goes with its meeting.
        series.occurrences.remove(row)
        row.recurrence_id = row.recurrence_id + shift
        successor.occurrences.append(row)
    session.flush()
    if later:
        session.execute(
            sa.update(ActionItem)
            .where(ActionItem.occurrence_id.in_([r.id for r in later]))
            .values(series_id=successor.id)
        )
    record(
        session,
        actor=actor,
        action="meetings.series_split",
        subject=series,
        before=before,
        after={**snapshot(series), "continued_by": successor.slug},
        topic=topic(series),
        via=via,
    )
    notices.invite(session, series, meetings_of(series), series.participants, updated=True)
    return successor


def _shift_until(rule: str, shift: timedelta) -> str:
    """A rule with UNTIL moved by shift, so that a later clock keeps the same last meeting."""
    parts = rule.split(";")
    out = []
    for part in parts:
        if part.startswith("UNTIL="):
            until = datetime.strptime(part[6:], "%Y%m%dT%H%M%SZ") + max(shift, timedelta(0))
            part = f"UNTIL={until:%Y%m%dT%H%M%SZ}"
        out.append(part)
    return ";".join(out)
