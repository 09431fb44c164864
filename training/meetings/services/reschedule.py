"""A series that has not begun: its first start, duration, clock and rule changed directly."""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from training.accounts.models import User
from training.audit.services import record
from training.core.database import utcnow
from training.core.errors import Conflict, Problems
from training.core.localtime import local_datetime_to_instant, show_datetime
from training.meetings.models import ActionItem, MeetingSeries, Occurrence, OccurrenceStatus
from training.meetings.services import notices
from training.meetings.services.access import require_coordinator, topic
from training.meetings.services.recurrence import local_starts, recurrence_key
from training.meetings.services.schedule import meetings_of, series_query
from training.meetings.services.series import SeriesSpec, check_spec, require_active, snapshot


def has_begun(series: MeetingSeries, now: datetime) -> bool:
    """Whether a meeting of series has started, where the rule put it or where it was moved to."""
    return any(min(m.original_start, m.starts_at) <= now for m in meetings_of(series))


def reschedule_series(
    session: Session,
    series: MeetingSeries,
    *,
    starts_at: datetime,
    duration_minutes: object,
    timezone: str,
    rrule: str,
    actor: User,
    via: str = "web",
    now: datetime | None = None,
) -> MeetingSeries:
    """Change the first start, duration, timezone and rule of a series none of whose meetings has begun.

    Everyone is sent the series again with a higher SEQUENCE. A meeting already given its own
    changes or records moves with the first start; if the new rule has no meeting there, the
    change is refused rather than leaving it behind. Once a meeting has begun, the clock and
    rule change only from a meeting to come on, by a split.
    """
    require_coordinator(actor)
    require_active(series)
    now = now or utcnow()
    if has_begun(series, now):
        raise Conflict(
            _(
                "This series has begun: change its clock or rule from a meeting to come on "
                "(“this and following”, on that meeting's page)."
            )
        )
    spec = SeriesSpec(
        title=series.title,
        timezone=timezone,
        starts_at=starts_at,
        duration_minutes=duration_minutes,
        rrule=rrule,
        side_a=series.side_a,
        side_b=series.side_b,
    )
    values = check_spec(spec)
    first = values["first_start"]
    first_instant = local_datetime_to_instant(first, values["timezone"])
    problems = Problems()
    if first_instant <= now:
        problems.add(_("The first meeting is to come: give a start after now."), "starts_at")
    shift = first - series.first_start
    starts = set(local_starts(values["rrule"], first, values["timezone"]))
    for row in series.occurrences:
        if row.recurrence_id + shift not in starts:
            problems.add(
                _(
                    "The meeting of %(when)s has its own changes or records, and the new rule has no "
                    "meeting to carry them to: undo them first, or keep the rule.",
                    when=recurrence_key(row.recurrence_id),
                ),
                "rrule",
            )
    _check_after_earlier_series(session, series, first_instant, problems)
    _check_due_dates(session, series, shift, problems)
    problems.raise_any()
    before = snapshot(series)
    _shift_rows(session, series, shift)
    series.timezone = values["timezone"]
    series.first_start = first
    series.starts_at = first_instant
    series.duration_minutes = values["duration_minutes"]
    series.rrule = values["rrule"]
    series.sequence += 1
    series.updated_at = utcnow()
    session.flush()
    after = snapshot(series)
    record(
        session,
        actor=actor,
        action="meetings.series_rescheduled",
        subject=series,
        before={k: v for k, v in before.items() if after[k] != v},
        after={k: v for k, v in after.items() if before[k] != v},
        topic=topic(series),
        via=via,
    )
    notices.invite(session, series, meetings_of(series), series.participants, updated=True)
    return series


def _check_after_earlier_series(
    session: Session, series: MeetingSeries, first_instant: datetime, problems: Problems
) -> None:
    """A series that continues another after a split may not start before the other has ended."""
    if series.continues_id is None:
        return
    earlier = session.scalar(series_query().where(MeetingSeries.id == series.continues_id))
    meetings = meetings_of(earlier) if earlier is not None else []
    last_end = max((m.ends_at for m in meetings if not m.cancelled), default=None)
    if last_end is not None and first_instant < last_end:
        problems.add(
            _(
                "This series continues “%(title)s”, whose last meeting ends %(when)s: "
                "start after it.",
                title=earlier.shown_title,
                when=show_datetime(last_end, earlier.timezone),
            ),
            "starts_at",
        )


def _check_due_dates(session: Session, series: MeetingSeries, shift: timedelta, problems: Problems) -> None:
    """An open action item may not fall due before the meeting it came from, once that meeting moves."""
    if shift <= timedelta(0):
        return
    # A meeting moved on its own keeps its instant: only those still where the rule put them move.
    rows = session.execute(
        sa.select(ActionItem, Occurrence.recurrence_id)
        .join(Occurrence, ActionItem.occurrence_id == Occurrence.id)
        .where(Occurrence.series_id == series.id, Occurrence.status != OccurrenceStatus.MOVED)
        .order_by(ActionItem.due_on, ActionItem.id)
    ).all()
    for action, recurrence_id in rows:
        new_day = (recurrence_id + shift).date()
        if action.is_open and action.due_on < new_day:
            problems.add(
                _(
                    "The action “%(what)s” is due %(due)s, before its meeting's new day (%(day)s): "
                    "change its due date first.",
                    what=action.what,
                    due=action.due_on.isoformat(),
                    day=new_day.isoformat(),
                ),
                "starts_at",
            )


def _shift_rows(session: Session, series: MeetingSeries, shift: timedelta) -> None:
    """Move each changed meeting's identity by shift, one at a time so that no two ever share one."""
    if not shift:
        return
    for row in sorted(series.occurrences, key=lambda r: r.recurrence_id, reverse=shift > timedelta(0)):
        row.recurrence_id = row.recurrence_id + shift
        session.flush()
