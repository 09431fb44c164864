"""The floor for building a feed: the iCalendar library alone serialising the same events.

Every property our writer puts in a VEVENT goes through icalendar's own components here,
with the same VTIMEZONE, so the two outputs describe the same calendar.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event

from training.core.ical import PRODID, FeedCalendar, vtimezone


def icalendar_bytes(feed: FeedCalendar) -> bytes:
    """feed written entirely by the icalendar library."""
    calendar = Calendar()
    calendar.add("version", "2.0")
    calendar.add("prodid", PRODID)
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("name", feed.name)
    calendar.add("x-wr-calname", feed.name)
    if feed.description:
        calendar.add("description", feed.description)
    years = [e.start.year for e in feed.events] + [e.end.year for e in feed.events]
    for tzid in sorted({e.tzid for e in feed.events if e.tzid}):
        calendar.add_component(vtimezone(tzid, min(years), max(years)))
    for item in feed.events:
        event = Event()
        event.add("uid", item.uid)
        event.add("dtstamp", item.stamp)
        event.add("last-modified", item.stamp)
        event.add("sequence", item.sequence)
        event.add("summary", item.summary)
        if isinstance(item.start, datetime) and item.tzid:
            zone = ZoneInfo(item.tzid)
            event.add("dtstart", item.start.astimezone(zone))
            event.add("dtend", item.end.astimezone(zone))
        else:
            event.add("dtstart", item.start)
            event.add("dtend", item.end)
        event.add("status", "CANCELLED" if item.cancelled else "CONFIRMED")
        if item.location:
            event.add("location", item.location)
        if item.description:
            event.add("description", item.description)
        if item.url:
            event.add("url", item.url)
        if item.categories:
            event.add("categories", list(item.categories))
        calendar.add_component(event)
    return calendar.to_ical()
