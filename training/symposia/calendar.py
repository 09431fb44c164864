"""iTIP for symposia: the REQUEST/CANCEL an invitee's calendar receives, and reading their REPLY."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import format_time
from icalendar import Calendar, Event, vCalAddress

from training.core.database import utcnow
from training.core.ical import vtimezone
from training.core.localtime import show_date
from training.symposia.models import Invitation, ProgrammeSession, Symposium

PRODID = "-//training//symposia//EN"
_UID = re.compile(r"^symposium-(\d{1,18})@(.+)$")


def _host() -> str:
    return urlsplit(current_app.config["BASE_URL"]).hostname or "localhost"


def symposium_uid(symposium: Symposium) -> str:
    """The event's UID: stable for the symposium's life, derived from the database, never random."""
    return f"symposium-{symposium.id}@{_host()}"


def symposium_id_from_uid(uid: str) -> int | None:
    """The symposium a UID of ours names, or None for anybody else's UID."""
    match = _UID.match(uid.strip())
    if match is None or match.group(2).lower() != _host().lower():
        return None
    return int(match.group(1))


def _mailto(address: str) -> str:
    return f"mailto:{address}"


def _clock(value: datetime, zone: ZoneInfo) -> str:
    return format_time(value.astimezone(zone), "short", rebase=False)


def _programme(symposium: Symposium, programme: Sequence[ProgrammeSession]) -> str:
    zone = ZoneInfo(symposium.timezone)
    # Weekday, day and times as the invitee's language writes them (force_locale by the caller).
    lines = [
        f"{show_date(s.starts_at, symposium.timezone, 'MMMEd')} {_clock(s.starts_at, zone)}"
        f"–{_clock(s.ends_at, zone)}  {s.title}" + (f" ({s.room})" if s.room else "")
        for s in programme
    ]
    return "\n".join(lines)


def invitation_calendar(
    symposium: Symposium, programme: Sequence[ProgrammeSession], invitation: Invitation, method: str
) -> str:
    """The iMIP body (METHOD:REQUEST or CANCEL) sent to one invitee."""
    zone = ZoneInfo(symposium.timezone)
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("method", method)
    # VTIMEZONE from zoneinfo, exact on both sides of every daylight-saving change
    # (the generator the calendar feeds use; see training.core.ical.vtimezone).
    calendar.add_component(
        vtimezone(symposium.timezone, symposium.starts_at.year - 1, symposium.ends_at.year + 1)
    )

    event = Event()
    event.add("uid", symposium_uid(symposium))
    event.add("dtstamp", utcnow())
    event.add("sequence", symposium.sequence)
    event.start = symposium.starts_at.astimezone(zone)
    event.end = symposium.ends_at.astimezone(zone)
    event.add("summary", symposium.shown_title)
    event.add("location", ", ".join(part for part in (symposium.venue, symposium.city) if part))
    parts = (symposium.shown_description, _programme(symposium, programme))
    description = "\n\n".join(part for part in parts if part)
    if description:
        event.add("description", description)
    event.add("status", "CANCELLED" if method == "CANCEL" else "CONFIRMED")

    organiser = vCalAddress(_mailto(symposium.organiser_email))
    organiser.params["CN"] = symposium.organiser_name
    event.add("organizer", organiser)
    attendee = vCalAddress(_mailto(invitation.email))
    attendee.params["CN"] = invitation.name
    attendee.params["ROLE"] = "REQ-PARTICIPANT"
    attendee.params["CUTYPE"] = "INDIVIDUAL"
    attendee.params["PARTSTAT"] = invitation.answer.value.upper() if invitation.answer else "NEEDS-ACTION"
    if method == "REQUEST":
        attendee.params["RSVP"] = "TRUE"
    event.add("attendee", attendee)
    calendar.add_component(event)
    return calendar.to_ical().decode("utf-8")


@dataclass(frozen=True)
class CalendarReply:
    """One VEVENT of an iMIP REPLY: who answered what, to which event, at which SEQUENCE."""

    uid: str
    sequence: int
    partstats: dict[str, str]  # attendee address (lower-cased, without mailto:) -> PARTSTAT
    stamp: datetime | None


def _address(value: object) -> str:
    text = str(value).strip()
    if text.lower().startswith("mailto:"):
        text = text[len("mailto:"):]
    return text.strip().lower()


def replies_in(message: EmailMessage) -> list[CalendarReply]:
    """The REPLY events in a message's calendar parts; raises ValueError for unreadable calendar data."""
    replies: list[CalendarReply] = []
    for part in message.walk():
        content_type = part.get_content_type()
        filename = (part.get_filename() or "").lower()
        if content_type not in ("text/calendar", "application/ics") and not filename.endswith(".ics"):
            continue
        payload = part.get_payload(decode=True) or b""
        charset = part.get_content_charset() or "utf-8"
        text = payload.decode(charset, errors="replace")
        try:
            calendar = Calendar.from_ical(text)
        except (ValueError, IndexError, KeyError) as error:
            raise ValueError(f"unreadable calendar data: {error}") from None
        method = str(calendar.get("METHOD") or part.get_param("method") or "").upper()
        if method != "REPLY":
            continue
        for event in calendar.walk("VEVENT"):
            raw = event.get("ATTENDEE")
            attendees = raw if isinstance(raw, list) else [raw] if raw is not None else []
            partstats = {
                _address(a): str(getattr(a, "params", {}).get("PARTSTAT", "")).upper() for a in attendees
            }
            stamp = event.get("DTSTAMP")
            stamp_value = getattr(stamp, "dt", None)
            if isinstance(stamp_value, datetime) and stamp_value.tzinfo is None:
                stamp_value = stamp_value.replace(tzinfo=UTC)  # DTSTAMP is UTC by definition
            try:
                sequence = int(event.get("SEQUENCE", 0))
            except (TypeError, ValueError):
                raise ValueError("SEQUENCE is not a number") from None
            replies.append(
                CalendarReply(
                    uid=str(event.get("UID", "")),
                    sequence=sequence,
                    partstats=partstats,
                    stamp=stamp_value if isinstance(stamp_value, datetime) else None,
                )
            )
    return replies
