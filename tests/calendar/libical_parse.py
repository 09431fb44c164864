"""Reads an iCalendar feed on stdin with libical (Debian's GObject bindings); prints its events as JSON.

Run by Debian's /usr/bin/python3, which has python3-gi; the instants are computed
from the feed's own VTIMEZONE components, as libical resolves a TZID in its calendar.
"""

import json
import sys
from datetime import UTC, datetime

import gi

gi.require_version("ICalGLib", "3.0")
from gi.repository import ICalGLib  # noqa: E402

calendar = ICalGLib.Component.new_from_string(sys.stdin.read())
utc = ICalGLib.Timezone.get_utc_timezone()


def instant(time, tzid):
    if time.is_date():
        return f"{time.get_year():04d}{time.get_month():02d}{time.get_day():02d}"
    if tzid:
        zone = calendar.get_timezone(tzid)
        if zone is None:
            raise SystemExit(f"libical found no VTIMEZONE for {tzid}")
        time.set_timezone(zone)
    seconds = time.as_timet_with_zone(time.get_timezone() or utc)
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def tzid_of(component, kind):
    prop = component.get_first_property(kind)
    return prop.get_parameter_as_string("TZID") if prop else None


events = []
event = calendar.get_first_component(ICalGLib.ComponentKind.VEVENT_COMPONENT)
while event is not None:
    status = event.get_status()
    events.append({
        "uid": event.get_uid(),
        "summary": event.get_summary(),
        "start": instant(event.get_dtstart(), tzid_of(event, ICalGLib.PropertyKind.DTSTART_PROPERTY)),
        "end": instant(event.get_dtend(), tzid_of(event, ICalGLib.PropertyKind.DTEND_PROPERTY)),
        "status": "CANCELLED" if status == ICalGLib.PropertyStatus.CANCELLED else "CONFIRMED",
        "sequence": event.get_sequence(),
    })
    event = calendar.get_next_component(ICalGLib.ComponentKind.VEVENT_COMPONENT)
print(json.dumps(events))
