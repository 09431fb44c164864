"""A series' meetings as people see them: the rule's occurrences with their one-off changes applied."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import Session, selectinload

from training.core.errors import NotFound
from training.meetings.models import MeetingSeries, Occurrence, OccurrenceStatus
from training.meetings.services.access import require_visible
from training.meetings.services.recurrence import (
    instant_of,
    local_starts,
    parse_recurrence_id,
    recurrence_key,
)


@dataclass(frozen=True)
class Meeting:
    """One meeting of a series: where the rule put it, and where it is now."""

    series: MeetingSeries
    number: int  # 1 for the first meeting of the series
    recurrence_id: datetime  # the rule's wall-clock start: the meeting's identity
    original_start: datetime  # that start as an instant
    starts_at: datetime
    ends_at: datetime
    status: OccurrenceStatus
    row: Occurrence | None

    @property
    def key(self) -> str:
        return recurrence_key(self.recurrence_id)

    @property
    def cancelled(self) -> bool:
        return self.status is OccurrenceStatus.CANCELLED or self.series.cancelled

    @property
    def moved(self) -> bool:
        return self.status is OccurrenceStatus.MOVED

    @property
    def location(self) -> str:
        return (
            self.row.location if self.row is not None and self.row.location else ""
        ) or self.series.location

    @property
    def shown_status(self) -> OccurrenceStatus:
        return OccurrenceStatus.CANCELLED if self.series.cancelled else self.status


def duration(series: MeetingSeries) -> timedelta:
    return timedelta(minutes=series.duration_minutes)


def meetings_of(series: MeetingSeries, rows: Sequence[Occurrence] | None = None) -> list[Meeting]:
    """Every meeting of series in the rule's order; rows (default: the loaded ones) carry the changes."""
    by_id = {row.recurrence_id: row for row in (series.occurrences if rows is None else rows)}
    length = duration(series)
    meetings = []
    for number, local in enumerate(local_starts(series.rrule, series.first_start, series.timezone), 1):
        original = instant_of(local, series.timezone)
        row = by_id.get(local)
        status = row.status if row is not None else OccurrenceStatus.SCHEDULED
        starts = row.starts_at if row is not None and row.status is OccurrenceStatus.MOVED else None
        ends = row.ends_at if row is not None and row.status is OccurrenceStatus.MOVED else None
        meetings.append(
            Meeting(
                series, number, local, original, starts or original, ends or original + length, status, row
            )
        )
    return meetings


def series_query() -> sa.Select[Any]:
    """A series with its participants and occurrence rows (three queries)."""
    return sa.select(MeetingSeries).options(
        selectinload(MeetingSeries.participants), selectinload(MeetingSeries.occurrences)
    )


def find_series(session: Session, slug: str, *, viewer: Any) -> MeetingSeries:
    """The series at slug with what its page shows; NotFound for anyone who may not see it."""
    if len(slug) > 120:
        require_visible(None, viewer)
    return require_visible(session.scalar(series_query().where(MeetingSeries.slug == slug)), viewer)


def get_series(session: Session, series_id: int, *, viewer: Any) -> MeetingSeries:
    """The series with this id, as find_series."""
    return require_visible(session.scalar(series_query().where(MeetingSeries.id == series_id)), viewer)


def find_meeting(series: MeetingSeries, key: str | datetime) -> Meeting:
    """The meeting whose recurrence id is key; NotFound for a time the rule does not give."""
    local = key if isinstance(key, datetime) else parse_recurrence_id(key)
    if local is not None and local.tzinfo is not None:
        local = local.astimezone(ZoneInfo(series.timezone)).replace(tzinfo=None)
    for meeting in meetings_of(series) if local is not None else ():
        if meeting.recurrence_id == local:
            return meeting
    raise NotFound(
        _(
            "This series has no meeting that starts at %(when)s (its original local start).",
            when=str(key)[:40],
        ),
        field="recurrence_id",
    )


def occurrence_row(session: Session, meeting: Meeting) -> Occurrence:
    """The meeting's row, made when first something happens to it."""
    if meeting.row is not None:
        return meeting.row
    row = Occurrence(
        series_id=meeting.series.id, recurrence_id=meeting.recurrence_id, status=OccurrenceStatus.SCHEDULED
    )
    session.add(row)
    meeting.series.occurrences.append(row)
    session.flush()
    return row


def meetings_between(series: MeetingSeries, first: datetime | None, last: datetime | None) -> list[Meeting]:
    """The meetings that start (as they stand now) within [first, last], instants."""
    return [
        m
        for m in meetings_of(series)
        if (first is None or m.starts_at >= first) and (last is None or m.starts_at <= last)
    ]


def next_meeting(series: MeetingSeries, now: datetime) -> Meeting | None:
    """The first meeting still to come that is not cancelled."""
    return next((m for m in meetings_of(series) if m.ends_at > now and not m.cancelled), None)
