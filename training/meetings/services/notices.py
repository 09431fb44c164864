"""The mails participants receive, each with its iMIP part, in the participant's language."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from flask_babel import force_locale
from sqlalchemy.orm import Session

from training.core.database import utcnow
from training.core.i18n import in_reader_language
from training.core.urls import external_url
from training.meetings import calendar
from training.meetings.models import MeetingSeries, Participant
from training.meetings.services.schedule import Meeting
from training.outbox.services import queue_mail


def _feed_url(series: MeetingSeries) -> str:
    return external_url("calendar.meeting_feed", slug=series.slug)


def _send(
    session: Session,
    series: MeetingSeries,
    participants: Iterable[Participant],
    template: str,
    method: str,
    body: Callable[[Participant, str], str],
    **context: object,
) -> int:
    sent = 0
    for participant in participants:
        with force_locale(participant.language or "en"):
            summary = in_reader_language(series.title, series.title_zh)
            calendar_body = body(participant, summary)
        queue_mail(
            session,
            to=participant.email,
            template=f"meetings/{template}",
            locale=participant.language,
            reply_to=series.organiser_email,
            calendar_method=method,
            calendar_body=calendar_body,
            series=series,
            participant=participant,
            feed_url=_feed_url(series),
            **context,
        )
        sent += 1
    return sent


def invite(
    session: Session,
    series: MeetingSeries,
    meetings: Sequence[Meeting],
    participants: Iterable[Participant],
    *,
    updated: bool = False,
) -> int:
    """The whole series (REQUEST with its rule, cancelled dates and moved meetings) to participants."""
    return _send(
        session,
        series,
        participants,
        "series_updated" if updated else "invitation",
        "REQUEST",
        lambda p, summary: calendar.series_request(series, meetings, p, summary=summary),
        meetings=[m for m in meetings if not m.cancelled and m.starts_at > utcnow()][:3],
    )


def tell_moved(session: Session, series: MeetingSeries, meeting: Meeting) -> int:
    """One meeting moved or placed elsewhere: REQUEST with its RECURRENCE-ID and the raised SEQUENCE."""
    return _send(
        session,
        series,
        series.participants,
        "meeting_moved",
        "REQUEST",
        lambda p, summary: calendar.meeting_request(series, meeting, p, summary=summary),
        meeting=meeting,
    )


def tell_cancelled(session: Session, series: MeetingSeries, meeting: Meeting) -> int:
    """One meeting cancelled, that date only: CANCEL with its RECURRENCE-ID."""
    return _send(
        session,
        series,
        series.participants,
        "meeting_cancelled",
        "CANCEL",
        lambda p, summary: calendar.meeting_cancel(series, meeting, p, summary=summary),
        meeting=meeting,
    )


def tell_series_cancelled(
    session: Session, series: MeetingSeries, participants: Iterable[Participant] | None = None
) -> int:
    """The whole series cancelled (or a participant taken off it): CANCEL without RECURRENCE-ID."""
    return _send(
        session,
        series,
        series.participants if participants is None else participants,
        "series_cancelled",
        "CANCEL",
        lambda p, summary: calendar.series_cancel(series, p, summary=summary),
    )
