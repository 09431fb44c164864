"""iTIP for meeting series: the REQUEST and CANCEL a participant's calendar receives.

One UID per series; a one-off change names its meeting by RECURRENCE-ID (the rule's local
start) and carries the series' raised SEQUENCE. A single cancelled meeting is a CANCEL with
RECURRENCE-ID; only the whole series' cancellation is a CANCEL without one.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from flask import current_app
from icalendar import Calendar, Event, vCalAddress, vRecur

from training.core.database import utcnow
from training.core.ical import vtimezone
from training.meetings.models import MeetingSeries, Participant
from training.meetings.services.recurrence import local_starts
from training.meetings.services.schedule import Meeting, duration

PRODID = "-//training//meetings//EN"


def _host() -> str:
    return urlsplit(current_app.config["BASE_URL"]).hostname or "localhost"


def series_uid(series: MeetingSeries) -> str:
    """The series' UID: stable for its life, derived from the database, never random."""
    return f"meeting-{series.id}@{_host()}"


def _local(series: MeetingSeries, local: datetime) -> datetime:
    return local.replace(tzinfo=ZoneInfo(series.timezone))


def _in_zone(series: MeetingSeries, instant: datetime) -> datetime:
    return instant.astimezone(ZoneInfo(series.timezone))


def _calendar(series: MeetingSeries, method: str) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("method", method)
    starts = local_starts(series.rrule, series.first_start, series.timezone)
    calendar.add_component(vtimezone(series.timezone, starts[0].year - 1, starts[-1].year + 1))
    return calendar


def _people(event: Event, series: MeetingSeries, participant: Participant, method: str) -> None:
    organiser = vCalAddress(f"mailto:{series.organiser_email}")
    organiser.params["CN"] = series.organiser_name
    event.add("organizer", organiser)
    attendee = vCalAddress(f"mailto:{participant.email}")
    attendee.params["CN"] = participant.name
    attendee.params["ROLE"] = "REQ-PARTICIPANT"
    attendee.params["CUTYPE"] = "INDIVIDUAL"
    attendee.params["PARTSTAT"] = "NEEDS-ACTION"
    if method == "REQUEST":
        attendee.params["RSVP"] = "TRUE"
    event.add("attendee", attendee)


def _base(
    series: MeetingSeries, participant: Participant, method: str, *, summary: str, description: str
) -> Event:
    event = Event()
    event.add("uid", series_uid(series))
    event.add("dtstamp", utcnow())
    event.add("sequence", series.sequence)
    event.add("summary", summary)
    if description:
        event.add("description", description)
    _people(event, series, participant, method)
    return event


def series_request(
    series: MeetingSeries,
    meetings: Sequence[Meeting],
    participant: Participant,
    *,
    summary: str,
    description: str = "",
) -> str:
    """METHOD:REQUEST for the whole series: the rule, its cancelled dates and its moved meetings."""
    calendar = _calendar(series, "REQUEST")
    master = _base(series, participant, "REQUEST", summary=summary, description=description)
    master.start = _local(series, series.first_start)
    master.end = master.start + duration(series)
    master.add("rrule", vRecur.from_ical(series.rrule))
    cancelled = [_local(series, m.recurrence_id) for m in meetings if m.cancelled]
    if cancelled:
        master.add("exdate", cancelled)
    if series.location:
        master.add("location", series.location)
    if series.video_url:
        master.add("url", series.video_url)
    master.add("status", "CONFIRMED")
    calendar.add_component(master)
    for meeting in meetings:
        if meeting.cancelled or not (meeting.moved or meeting.location != series.location):
            continue
        calendar.add_component(_override(series, meeting, participant, "REQUEST", summary=summary))
    return calendar.to_ical().decode("utf-8")


def _override(
    series: MeetingSeries,
    meeting: Meeting,
    participant: Participant,
    method: str,
    *,
    summary: str,
    description: str = "",
) -> Event:
    event = _base(series, participant, method, summary=summary, description=description)
    event.add("recurrence-id", _local(series, meeting.recurrence_id))
    event.start = _in_zone(series, meeting.starts_at)
    event.end = _in_zone(series, meeting.ends_at)
    if meeting.location:
        event.add("location", meeting.location)
    event.add("status", "CANCELLED" if method == "CANCEL" else "CONFIRMED")
    return event


def meeting_request(
    series: MeetingSeries, meeting: Meeting, participant: Participant, *, summary: str, description: str = ""
) -> str:
    """METHOD:REQUEST for one meeting moved (or placed elsewhere): RECURRENCE-ID names it."""
    calendar = _calendar(series, "REQUEST")
    calendar.add_component(
        _override(series, meeting, participant, "REQUEST", summary=summary, description=description)
    )
    return calendar.to_ical().decode("utf-8")


def meeting_cancel(
    series: MeetingSeries, meeting: Meeting, participant: Participant, *, summary: str, description: str = ""
) -> str:
    """METHOD:CANCEL for one meeting only: RECURRENCE-ID names it; the series goes on."""
    calendar = _calendar(series, "CANCEL")
    event = _override(series, meeting, participant, "CANCEL", summary=summary, description=description)
    calendar.add_component(event)
    return calendar.to_ical().decode("utf-8")


def series_cancel(
    series: MeetingSeries, participant: Participant, *, summary: str, description: str = ""
) -> str:
    """METHOD:CANCEL for the whole series (no RECURRENCE-ID): every meeting of it."""
    calendar = _calendar(series, "CANCEL")
    event = _base(series, participant, "CANCEL", summary=summary, description=description)
    event.start = _local(series, series.first_start)
    event.end = event.start + duration(series)
    event.add("rrule", vRecur.from_ical(series.rrule))
    event.add("status", "CANCELLED")
    calendar.add_component(event)
    return calendar.to_ical().decode("utf-8")
