"""Every occurrence of a meetings feed as independent readers expand it: python-dateutil,
recurring-ical-events, vobject, Mozilla's ical.js and libical, each applying RRULE, EXDATE and
RECURRENCE-ID overrides."""

from __future__ import annotations

import json
import shutil
import subprocess
from datetime import UTC, datetime

import pytest
import recurring_ical_events
import vobject
from dateutil.rrule import rrulestr
from icalendar import Calendar

from tests.calendar.parsers import DEBIAN_PYTHON, HERE, JS


def _iso(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def _apply(
    originals: list[datetime], excluded: set[datetime], overrides: dict[datetime, datetime | None]
) -> list[str]:
    starts = []
    for original in originals:
        if original in excluded:
            continue
        moved = overrides.get(original, original)
        if moved is not None:
            starts.append(_iso(moved))
    return sorted(starts)


def with_dateutil(text: str) -> list[str]:
    """python-dateutil's rrule on the master's DTSTART (aware, in its zone), as the feed gives it."""
    calendar = Calendar.from_ical(text)
    events = calendar.walk("VEVENT")
    master = next(e for e in events if "RECURRENCE-ID" not in e)
    start = master.decoded("DTSTART")
    rule = master["RRULE"].to_ical().decode()
    excluded = {d.dt for line in _list(master.get("EXDATE")) for d in line.dts}
    overrides = {
        e.decoded("RECURRENCE-ID"): None if str(e.get("STATUS")) == "CANCELLED" else e.decoded("DTSTART")
        for e in events
        if "RECURRENCE-ID" in e
    }
    return _apply(list(rrulestr(rule, dtstart=start)), excluded, overrides)


def _list(value: object) -> list:
    return [] if value is None else value if isinstance(value, list) else [value]


def with_recurring_ical_events(text: str) -> list[str]:
    """recurring-ical-events (icalendar's companion), which applies EXDATE and overrides itself."""
    calendar = Calendar.from_ical(text)
    found = recurring_ical_events.of(calendar).between(
        datetime(1971, 1, 1, tzinfo=UTC), datetime(2100, 1, 1, tzinfo=UTC)
    )
    return sorted(_iso(e.decoded("DTSTART")) for e in found if str(e.get("STATUS")) != "CANCELLED")


def with_vobject(text: str) -> list[str]:
    """vobject's rruleset (RRULE and EXDATE, with tzinfo from the feed's VTIMEZONE) and the overrides."""
    vars(vobject.icalendar)["__tzidMap"].clear()
    calendar = vobject.readOne(text)
    events = calendar.contents.get("vevent", [])
    master = next(e for e in events if not hasattr(e, "recurrence_id"))
    overrides = {
        e.recurrence_id.value: None
        if getattr(e, "status", None) and e.status.value == "CANCELLED"
        else e.dtstart.value
        for e in events
        if hasattr(e, "recurrence_id")
    }
    return _apply(list(master.getrruleset(addRDate=True)), set(), overrides)


def with_icaljs(text: str) -> list[str]:
    node = shutil.which("node")
    if node is None or not (JS / "node_modules" / "ical.js").is_dir():
        pytest.fail("ical.js is not installed: run `make test` (npm install --prefix tests/calendar/js)")
    done = subprocess.run(
        [node, str(JS / "expand.mjs")], input=text, capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def with_libical(text: str) -> list[str]:
    done = subprocess.run(
        [DEBIAN_PYTHON, str(HERE / "libical_expand.py")],
        input=text,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, f"libical (make system-packages): {done.stderr}"
    return json.loads(done.stdout)


EXPANDERS = {
    "dateutil": with_dateutil,
    "recurring-ical-events": with_recurring_ical_events,
    "vobject": with_vobject,
    "ical.js": with_icaljs,
    "libical": with_libical,
}
