"""Reads an iCalendar feed on stdin with libical; prints every occurrence's UTC start as JSON.

Run by Debian's /usr/bin/python3 (python3-gi). libical's own recurrence iterator expands the
RRULE on the wall clock of the feed's VTIMEZONE; EXDATE and RECURRENCE-ID overrides are then
applied as a calendar client does.
"""

import json
import sys
from datetime import UTC, datetime

import gi

gi.require_version("ICalGLib", "3.0")
from gi.repository import ICalGLib  # noqa: E402

calendar = ICalGLib.Component.new_from_string(sys.stdin.read())
utc = ICalGLib.Timezone.get_utc_timezone()


def zoned(time, prop):
    tzid = prop.get_parameter_as_string("TZID") if prop else None
    if tzid:
        time.set_timezone(calendar.get_timezone(tzid))
    return time


def instant(time):
    seconds = time.as_timet_with_zone(time.get_timezone() or utc)
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


masters, overrides = [], {}
event = calendar.get_first_component(ICalGLib.ComponentKind.VEVENT_COMPONENT)
while event is not None:
    rid = event.get_first_property(ICalGLib.PropertyKind.RECURRENCEID_PROPERTY)
    start = zoned(event.get_dtstart(), event.get_first_property(ICalGLib.PropertyKind.DTSTART_PROPERTY))
    if rid is not None:
        original = instant(zoned(rid.get_recurrenceid(), rid))
        cancelled = event.get_status() == ICalGLib.PropertyStatus.CANCELLED
        overrides[(event.get_uid(), original)] = None if cancelled else instant(start)
    else:
        masters.append((event, start))
    event = calendar.get_next_component(ICalGLib.ComponentKind.VEVENT_COMPONENT)

starts = []
for master, start in masters:
    excluded = set()
    prop = master.get_first_property(ICalGLib.PropertyKind.EXDATE_PROPERTY)
    while prop is not None:
        excluded.add(instant(zoned(prop.get_exdate(), prop)))
        prop = master.get_next_property(ICalGLib.PropertyKind.EXDATE_PROPERTY)
    rule = master.get_first_property(ICalGLib.PropertyKind.RRULE_PROPERTY).get_rrule()
    iterator = ICalGLib.RecurIterator.new(rule, start)
    occurrence = iterator.next()
    while occurrence is not None and not occurrence.is_null_time():
        occurrence.set_timezone(start.get_timezone())
        original = instant(occurrence)
        if original not in excluded:
            moved = overrides.get((master.get_uid(), original), original)
            if moved is not None:
                starts.append(moved)
        occurrence = iterator.next()
print(json.dumps(sorted(starts)))
