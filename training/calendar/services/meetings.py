"""The meeting feeds: a series as one recurring event (RRULE) with its one-off changes as overrides."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy.orm import Session, selectinload

from training.accounts.models import User
from training.calendar.services.events import Feed, finish_feed, kept_or_built, newest
from training.core import versions
from training.core.errors import NotFound
from training.core.i18n import country_name
from training.core.ical import FeedCalendar, FeedEvent, ordered_events
from training.core.probe import Probe
from training.core.urls import external_url
from training.meetings import services as meetings
from training.meetings.calendar import series_uid
from training.meetings.models import MeetingSeries, Participant


def series_events(series: MeetingSeries) -> list[FeedEvent]:
    """The series' recurring event, its cancelled dates as EXDATE, and an override (RECURRENCE-ID)
    for every meeting moved or held elsewhere."""
    uid = series_uid(series)
    every = meetings.meetings_of(series)
    description = _(
        "Working-level meeting: %(a)s and %(b)s.",
        a=country_name(series.side_a),
        b=country_name(series.side_b),
    )
    if series.video_url:
        description += "\n" + _("Video link: %(url)s", url=series.video_url)
    first = every[0]
    master = FeedEvent(
        uid=uid,
        summary=series.shown_title,
        start=first.original_start,
        end=first.original_start + timedelta(minutes=series.duration_minutes),
        stamp=series.updated_at,
        sequence=series.sequence,
        cancelled=series.cancelled,
        tzid=series.timezone,
        location=series.location,
        description=description,
        url=series.video_url or None,
        rrule=series.rrule,
        exdates=tuple(m.original_start for m in every if m.cancelled and not series.cancelled),
        recurs_until=every[-1].original_start,
    )
    events = [master]
    for meeting in every:
        if meeting.cancelled or not (meeting.moved or meeting.location != series.location):
            continue
        events.append(
            FeedEvent(
                uid=uid,
                summary=series.shown_title,
                start=meeting.starts_at,
                end=meeting.ends_at,
                stamp=series.updated_at,
                sequence=series.sequence,
                tzid=series.timezone,
                location=meeting.location,
                description=description,
                url=series.video_url or None,
                recurrence_id=meeting.original_start,
            )
        )
    return events


# Built once per process: every poll of a meeting feed runs it, with the slug bound.
_FINGERPRINT = Probe(
    sa.select(MeetingSeries.id, versions.version_of(versions.SERIES, MeetingSeries.id))
    .where(MeetingSeries.slug == sa.bindparam("slug"))
)


def meeting_feed(session: Session, slug: str) -> Feed:
    """/calendar/meetings/<slug>.ics: one series. Its address is known to its participants only.

    Unchanged since this process last built it (same data version), the feed costs one query.
    """
    if len(slug) > 120 or "\x00" in slug:
        raise NotFound(_("There is no such meeting series."))
    # Through the driver: the ORM's execution would only add its own cost to every poll.
    rows = _FINGERPRINT.rows(session, {"slug": slug})
    if not rows:
        raise NotFound(_("There is no such meeting series."))
    row = rows[0]
    key = f"meetings:{row[0]}"
    fingerprint = versions.settled(session, versions.SERIES, row[0], row[1])
    return kept_or_built(key, fingerprint, lambda: _build_meeting_feed(session, row[0]))


def _build_meeting_feed(session: Session, series_id: int) -> Feed:
    series = session.scalars(
        sa.select(MeetingSeries).where(MeetingSeries.id == series_id)
        .options(selectinload(MeetingSeries.occurrences))
    ).one()
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        calendar = FeedCalendar(
            name=series.shown_title,
            description=_("Every meeting of %(title)s, with its changes.", title=series.shown_title),
            timezone=series.timezone,
            events=ordered_events(series_events(series)),
            source=external_url("calendar.meeting_feed", slug=series.slug),
        )
    stamps = [series.updated_at, *(row.updated_at for row in series.occurrences)]
    return finish_feed(f"meetings:{series.id}", calendar, newest(*stamps))


def participating_series(session: Session, user: User) -> Sequence[MeetingSeries]:
    """The series user takes part in (by account or by address), with their occurrence rows."""
    mine = sa.select(Participant.series_id).where(
        sa.or_(Participant.user_id == user.id, Participant.email == user.email.lower())
    )
    return session.scalars(
        sa.select(MeetingSeries)
        .where(MeetingSeries.id.in_(mine))
        .options(selectinload(MeetingSeries.occurrences))
        .order_by(MeetingSeries.starts_at, MeetingSeries.id)
    ).all()
