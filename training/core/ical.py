"""iCalendar text: event descriptions, VTIMEZONE data from zoneinfo, and the calendar built from both."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from icalendar import Timezone, TimezoneDaylight, TimezoneStandard

PRODID = "-//training//Calendar feeds 1.0//EN"

# How often clients should poll; RFC 7986 and the older Microsoft property say the same.
REFRESH_INTERVAL = timedelta(hours=1)


@dataclass(frozen=True)
class FeedEvent:
    """One event of a feed, whatever it comes from (a course, a session, a symposium).

    start/end are dates for all-day events (end exclusive) or aware datetimes for
    timed events; tzid names the IANA zone the times are written in.
    """

    uid: str
    summary: str
    start: date | datetime
    end: date | datetime
    stamp: datetime
    sequence: int = 0
    cancelled: bool = False
    tzid: str | None = None
    location: str = ""
    description: str = ""
    url: str | None = None
    categories: tuple[str, ...] = field(default_factory=tuple)
    # A recurring event: its RRULE, the original starts it skips, and the last instant it
    # reaches (so that the VTIMEZONE covers every occurrence, not only the first).
    rrule: str = ""
    exdates: tuple[datetime, ...] = ()
    recurs_until: datetime | None = None
    # An override of one occurrence of the recurring event with the same UID.
    recurrence_id: datetime | None = None


@dataclass(frozen=True)
class FeedCalendar:
    """A whole feed: its name, description and events."""

    name: str
    events: tuple[FeedEvent, ...]
    description: str = ""
    timezone: str | None = None  # the zone a client should show by default (X-WR-TIMEZONE)
    source: str | None = None  # the public URL of the feed; never set for a private one


def build_calendar(feed: FeedCalendar) -> bytes:
    """The feed as iCalendar bytes: UTF-8 without BOM, CRLF, folded at 75 octets.

    The result depends only on feed, so an unchanged feed is byte-identical between
    requests. Each event is written once per process and kept: after one session
    changes, only its event is written again.
    """
    # Content lines are written here rather than through the iCalendar library's
    # components, which take about a second for a thousand events; the library still
    # writes the VTIMEZONE components, and the tests read everything back with it.
    lines = [
        b"BEGIN:VCALENDAR\r\n",
        _line("VERSION", "2.0"),
        _line("PRODID", _text(PRODID)),
        _line("CALSCALE", "GREGORIAN"),
        _line("METHOD", "PUBLISH"),
        _line("NAME", _text(feed.name)),
        _line("X-WR-CALNAME", _text(feed.name)),
    ]
    if feed.description:
        lines.append(_line("DESCRIPTION", _text(feed.description)))
        lines.append(_line("X-WR-CALDESC", _text(feed.description)))
    if feed.timezone:
        lines.append(_line("X-WR-TIMEZONE", _text(feed.timezone)))
    if feed.source:
        lines.append(_line("SOURCE;VALUE=URI", _uri(feed.source)))
    lines.append(_line("REFRESH-INTERVAL;VALUE=DURATION", _duration(REFRESH_INTERVAL)))
    lines.append(_line("X-PUBLISHED-TTL", _duration(REFRESH_INTERVAL)))
    for tzid, (first, last) in sorted(_zone_spans(feed.events).items()):
        lines.append(_vtimezone_bytes(tzid, first, last))
    lines.extend(map(_vevent_bytes, feed.events))
    lines.append(b"END:VCALENDAR\r\n")
    return b"".join(lines)


# Control characters other than tab and line breaks are not allowed in TEXT (RFC 5545 3.3.11).
_CONTROLS = dict.fromkeys([*range(0, 9), *range(11, 13), *range(14, 32), 127])


def _text(value: str) -> str:
    """value escaped as a TEXT value: a line break becomes \\n and can never start a new line."""
    value = value.translate(_CONTROLS)
    value = value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return value.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\\n")


def _uri(value: str) -> str:
    return "".join(c for c in value if c.isprintable() and c not in " \"<>\\^`{|}")


def _duration(value: timedelta) -> str:
    seconds = int(value.total_seconds())
    hours, seconds = divmod(seconds, 3600)
    minutes, seconds = divmod(seconds, 60)
    return "PT" + (f"{hours}H" if hours else "") + (f"{minutes}M" if minutes else "") + (
        f"{seconds}S" if seconds or not (hours or minutes) else "")


def _line(name: str, value: str) -> bytes:
    """One content line, CRLF-terminated, folded at 75 octets between characters."""
    line = f"{name}:{value}"
    data = line.encode()
    if len(data) <= 75:
        return data + b"\r\n"
    parts: list[bytes] = []
    current = bytearray()
    for character in line:
        encoded = character.encode()
        if len(current) + len(encoded) > 75:
            parts.append(bytes(current))
            current = bytearray(b" ")
        current += encoded
    parts.append(bytes(current))
    return b"\r\n".join(parts) + b"\r\n"


@lru_cache(maxsize=256)
def _vtimezone_bytes(tzid: str, first_year: int, last_year: int) -> bytes:
    return vtimezone(tzid, first_year, last_year).to_ical()


def _zone_spans(events: Iterable[FeedEvent]) -> dict[str, tuple[int, int]]:
    """For each TZID used, the first and last year its events fall in."""
    spans: dict[str, tuple[int, int]] = {}
    for event in events:
        if event.tzid is None or not isinstance(event.start, datetime):
            continue
        if _written_in_utc(event.start, event.tzid) and _written_in_utc(event.end, event.tzid):
            continue
        end_year = max(event.end.year, event.recurs_until.year if event.recurs_until else 0)
        first, last = spans.get(event.tzid, (event.start.year, end_year))
        spans[event.tzid] = (min(first, event.start.year), max(last, end_year))
    return spans


@lru_cache(maxsize=4096)
def _written_in_utc(instant: date | datetime, tzid: str) -> bool:
    """Whether a wall-clock time in tzid could not name instant unambiguously.

    In the hour a clock is set back, 01:30 happens twice; a TZID time cannot say
    which, so such instants are written in UTC instead.
    """
    if not isinstance(instant, datetime):
        return False
    local = instant.astimezone(ZoneInfo(tzid))
    return local.replace(fold=1 - local.fold).utcoffset() != local.utcoffset()


def _time_line(name: str, instant: date | datetime, tzid: str | None) -> bytes:
    if not isinstance(instant, datetime):
        return _line(f"{name};VALUE=DATE", instant.strftime("%Y%m%d"))
    if tzid is None or _written_in_utc(instant, tzid):
        return _line(name, instant.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ"))
    return _line(f"{name};TZID={tzid}", instant.astimezone(ZoneInfo(tzid)).strftime("%Y%m%dT%H%M%S"))


# An event kept here costs about 1.7 KB (its text and the event it was written from): two
# thousand five hundred of them, 4 MB a worker, cover a thousand-session course changing while
# others are built, or twenty-five courses of a hundred sessions each.
@lru_cache(maxsize=2_500)
def _vevent_bytes(event: FeedEvent) -> bytes:
    return b"".join(_vevent(event))


def _vevent(event: FeedEvent) -> list[bytes]:
    stamp = event.stamp.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    lines = [
        b"BEGIN:VEVENT\r\n",
        _line("UID", _text(event.uid)),
        _line("DTSTAMP", stamp),
        _line("LAST-MODIFIED", stamp),
        _line("SEQUENCE", str(int(event.sequence))),
        _line("SUMMARY", _text(event.summary)),
        _time_line("DTSTART", event.start, event.tzid),
        _time_line("DTEND", event.end, event.tzid),
    ]
    if event.recurrence_id is not None:
        lines.append(_time_line("RECURRENCE-ID", event.recurrence_id, event.tzid))
    if event.rrule:
        lines.append(_line("RRULE", event.rrule))
    lines.extend(_time_line("EXDATE", skipped, event.tzid) for skipped in event.exdates)
    if not isinstance(event.start, datetime):
        # A course spanning days must not mark the subscriber busy for all of them.
        lines.append(_line("TRANSP", "TRANSPARENT"))
    lines.append(_line("STATUS", "CANCELLED" if event.cancelled else "CONFIRMED"))
    if event.location:
        lines.append(_line("LOCATION", _text(event.location)))
    if event.description:
        lines.append(_line("DESCRIPTION", _text(event.description)))
    if event.url:
        lines.append(_line("URL;VALUE=URI", _uri(event.url)))
    if event.categories:
        lines.append(_line("CATEGORIES", ",".join(_text(c) for c in event.categories)))
    lines.append(b"END:VEVENT\r\n")
    return lines


# ---------------------------------------------------------------------------------------------
# VTIMEZONE
#
# Written from zoneinfo rather than generated by the iCalendar library, whose generator
# puts the onset of daylight saving at the wall-clock time after the jump (03:00 for
# America/New_York) while RFC 5545 (3.6.5) reads DTSTART in the offset before it (02:00).
# Each transition inside the years the events span gets its own sub-component, so every
# instant in the feed maps to one offset in every reader, with no rule to interpret.


@lru_cache(maxsize=256)
def vtimezone(tzid: str, first_year: int, last_year: int) -> Timezone:
    """A VTIMEZONE for tzid exact from 1 January first_year to 1 January last_year + 2.

    The opening observance starts in 1970, as is customary, with the offset in
    force at the start of first_year: earlier history is of no use to the feed.
    """
    zone = ZoneInfo(tzid)
    begin = datetime(first_year, 1, 1, tzinfo=UTC)
    end = datetime(last_year + 2, 1, 1, tzinfo=UTC)
    component = Timezone()
    component.add("tzid", tzid)
    component.add("x-lic-location", tzid)

    opening = begin.astimezone(zone)
    offset = opening.utcoffset() or timedelta(0)
    component.add_component(
        _observance(opening.dst(), datetime(1970, 1, 1), offset, offset, opening.tzname())
    )
    for instant in _transitions(zone, begin, end):
        before = (instant - timedelta(seconds=1)).astimezone(zone).utcoffset() or timedelta(0)
        after = instant.astimezone(zone)
        onset = (instant + before).replace(tzinfo=None)
        component.add_component(
            _observance(after.dst(), onset, before, after.utcoffset() or timedelta(0), after.tzname())
        )
    return component


def _observance(
    dst: timedelta | None, onset: datetime, offset_from: timedelta, offset_to: timedelta, name: str | None
) -> TimezoneStandard | TimezoneDaylight:
    observance = TimezoneDaylight() if dst and dst > timedelta(0) else TimezoneStandard()
    observance.add("dtstart", onset)
    observance.add("tzoffsetfrom", offset_from)
    observance.add("tzoffsetto", offset_to)
    if name:
        observance.add("tzname", name)
    return observance


def _transitions(zone: ZoneInfo, begin: datetime, end: datetime) -> Iterator[datetime]:
    """The instants (UTC, to the second) at which zone's offset changes in [begin, end)."""
    step = timedelta(hours=6)  # no zone changes offset twice within six hours
    previous = begin
    previous_offset = begin.astimezone(zone).utcoffset()
    while previous < end:
        current = min(previous + step, end)
        offset = current.astimezone(zone).utcoffset()
        if offset != previous_offset:
            low, high = previous, current  # offset at low is the old one, at high the new one
            while high - low > timedelta(seconds=1):
                middle = low + (high - low) / 2
                middle = middle.replace(microsecond=0)
                if middle.astimezone(zone).utcoffset() == previous_offset:
                    low = middle
                else:
                    high = middle
            yield high
            previous_offset = offset
        previous = current


def ordered_events(events: Sequence[FeedEvent]) -> tuple[FeedEvent, ...]:
    """events as a hashable, ordered tuple (start, then UID), so the output is stable."""
    return tuple(sorted(events, key=lambda e: (_sort_key(e.start), e.uid)))


def _sort_key(value: date | datetime) -> datetime:
    if isinstance(value, datetime):
        return value.astimezone(UTC)
    return datetime(value.year, value.month, value.day, tzinfo=UTC)


def clear_caches() -> None:
    """Forget every written event and VTIMEZONE, as in a process that just started."""
    _vevent_bytes.cache_clear()
    _written_in_utc.cache_clear()
    _vtimezone_bytes.cache_clear()
    vtimezone.cache_clear()
