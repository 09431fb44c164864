"""Independent iCalendar parsers (Mozilla's ical.js, vobject, libical), each reporting events in UTC."""

from __future__ import annotations

import json
import shutil
import subprocess
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import vobject

HERE = Path(__file__).resolve().parent
JS = HERE / "js"
DEBIAN_PYTHON = "/usr/bin/python3"


def _iso(value: date | datetime) -> str:
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    return value.strftime("%Y%m%d")


def with_icaljs(text: str) -> list[dict]:
    """Events as Mozilla's ical.js (the engine of Thunderbird's calendar) reads them."""
    node = shutil.which("node")
    if node is None or not (JS / "node_modules" / "ical.js").is_dir():
        pytest.fail("ical.js is not installed: run `make test` (npm install --prefix tests/calendar/js)")
    result = subprocess.run([node, str(JS / "parse.mjs")], input=text, capture_output=True,
                            text=True, timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    return _plain(json.loads(result.stdout))


def with_libical(text: str) -> list[dict]:
    """Events as libical (Evolution, GNOME) reads them, through Debian's GObject bindings."""
    check = subprocess.run([DEBIAN_PYTHON, "-c", "import gi; gi.require_version('ICalGLib', '3.0')"],
                           capture_output=True, text=True, check=False)
    if check.returncode != 0:
        pytest.fail("libical's bindings are missing: `make test` installs gir1.2-ical-3.0 and python3-gi")
    result = subprocess.run([DEBIAN_PYTHON, str(HERE / "libical_parse.py")], input=text,
                            capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    return _plain(json.loads(result.stdout))


def with_vobject(text: str) -> list[dict]:
    """Events as vobject reads them, with its tzinfo built from the feed's VTIMEZONE."""
    # vobject keeps the first VTIMEZONE it saw for a TZID for the life of the process.
    vars(vobject.icalendar)["__tzidMap"].clear()
    calendar = vobject.readOne(text)
    events = []
    for vevent in calendar.contents.get("vevent", []):
        start, end = vevent.dtstart.value, vevent.dtend.value
        for value, line in ((start, vevent.dtstart), (end, vevent.dtend)):
            tzid = line.params.get("TZID")
            if tzid:
                # A zone vobject made from the feed's VTIMEZONE, not one from its own database.
                assert type(value.tzinfo).__module__.startswith("dateutil"), value.tzinfo
        events.append({
            "uid": vevent.uid.value,
            "summary": vevent.summary.value,
            "start": _iso(start),
            "end": _iso(end),
            "status": vevent.status.value,
            "sequence": int(vevent.sequence.value),
        })
    return events


def _plain(events: list[dict]) -> list[dict]:
    for event in events:
        event["sequence"] = int(event["sequence"])
    return events


PARSERS = {"ical.js": with_icaljs, "vobject": with_vobject, "libical": with_libical}
