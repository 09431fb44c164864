"""iCalendar text: event descriptions, VTIMEZONE data from zoneinfo, and the calendar built from both."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, Timezone, TimezoneDaylight, TimezoneStandard, vDuration, vText

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
    requests; identical feeds are built once per process.
    """
    return _build_cached(feed)


@lru_cache(maxsize=128)
def _build_cached(feed: FeedCalendar) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    # Text is wrapped in vText explicitly: the library leaves the type of X- properties
    # (and of NAME) unknown and would write them unescaped.
    calendar.add("name", vText(feed.name))
    calendar.add("x-wr-calname", vText(feed.name))
    if feed.description:
        calendar.add("description", vText(feed.description))
        calendar.add("x-wr-caldesc", vText(feed.description))
    if feed.timezone:
        calendar.add("x-wr-timezone", vText(feed.timezone))
    if feed.source:
        calendar.add("source", feed.source, parameters={"VALUE": "URI"})
    calendar.add("refresh-interval", vDuration(REFRESH_INTERVAL), parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", vDuration(REFRESH_INTERVAL))

    for tzid, (first, last) in sorted(_zone_spans(feed.events).items()):
        calendar.add_component(vtimezone(tzid, first, last))
    for event in feed.events:
        calendar.add_component(_vevent(event))
    return calendar.to_ical()


def _zone_spans(events: Iterable[FeedEvent]) -> dict[str, tuple[int, int]]:
    """For each TZID used, the first and last year its events fall in."""
    spans: dict[str, tuple[int, int]] = {}
    for event in events:
        if event.tzid is None or not isinstance(event.start, datetime):
            continue
        if _written_in_utc(event.start, event.tzid) and _written_in_utc(event.end, event.tzid):
            continue
        first, last = spans.get(event.tzid, (event.start.year, event.end.year))
        spans[event.tzid] = (min(first, event.start.year), max(last, event.end.year))
    return spans


def _written_in_utc(instant: date | datetime, tzid: str) -> bool:
    """Whether a wall-clock time in tzid could not name instant unambiguously.

    In the hour a clock is set back, 01:30 happens twice; a TZID time cannot say
    which, so such instants are written in UTC instead.
    """
    if not isinstance(instant, datetime):
        return False
    local = instant.astimezone(ZoneInfo(tzid))
    return local.replace(fold=1 - local.fold).utcoffset() != local.utcoffset()


def _event_time(instant: date | datetime, tzid: str | None) -> date | datetime:
    if not isinstance(instant, datetime):
        return instant
    if tzid is None or _written_in_utc(instant, tzid):
        return instant.astimezone(UTC)
    return instant.astimezone(ZoneInfo(tzid))


def _vevent(event: FeedEvent) -> Event:
    vevent = Event()
    vevent.add("uid", event.uid)
    vevent.add("dtstamp", event.stamp.astimezone(UTC))
    vevent.add("last-modified", event.stamp.astimezone(UTC))
    vevent.add("sequence", event.sequence)
    vevent.add("summary", event.summary)
    vevent.add("dtstart", _event_time(event.start, event.tzid))
    vevent.add("dtend", _event_time(event.end, event.tzid))
    if not isinstance(event.start, datetime):
        # A course spanning days must not mark the subscriber busy for all of them.
        vevent.add("transp", "TRANSPARENT")
    vevent.add("status", "CANCELLED" if event.cancelled else "CONFIRMED")
    if event.location:
        vevent.add("location", event.location)
    if event.description:
        vevent.add("description", event.description)
    if event.url:
        vevent.add("url", event.url, parameters={"VALUE": "URI"})
    if event.categories:
        vevent.add("categories", list(event.categories))
    return vevent


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
