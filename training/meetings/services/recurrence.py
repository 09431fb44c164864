"""Recurrence rules: an RFC 5545 RRULE checked and normalised, and expanded on the venue's clock.

Occurrences are computed by python-dateutil's rrule on naive wall-clock times in the
series' zone (10:00 stays 10:00 across daylight saving), then each is turned into an
instant by to_instant, which refuses a local time that does not exist or happens twice.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from dateutil.rrule import rrulestr
from flask_babel import gettext as _

from training.core.errors import DomainError
from training.core.localtime import show_date, to_instant

# A series is a working arrangement, not a calendar of record: ten years ahead at most, and
# no more meetings than a weekly series holds in that time.
HORIZON_YEARS = 10
MAX_OCCURRENCES = 530
FREQUENCIES = ("DAILY", "WEEKLY", "MONTHLY", "YEARLY")
TOO_FREQUENT = ("SECONDLY", "MINUTELY", "HOURLY")
_DAY = r"(MO|TU|WE|TH|FR|SA|SU)"
_BYDAY = re.compile(rf"^([+-]?[1-5])?{_DAY}$")
_WEEKDAY = re.compile(rf"^{_DAY}$")
_UNTIL = re.compile(r"^(\d{8})(T(\d{6})(Z?))?$")
_PARTS = ("FREQ", "INTERVAL", "COUNT", "UNTIL", "BYDAY", "BYMONTHDAY", "BYMONTH", "BYSETPOS", "WKST")


def _refuse(message: str) -> DomainError:
    return DomainError(message, field="rrule")


def _numbers(value: str, low: int, high: int, name: str) -> list[int]:
    try:
        numbers = [int(v) for v in value.split(",")]
    except ValueError:
        raise _refuse(_("%(part)s takes whole numbers.", part=name)) from None
    if any(not low <= n <= high or n == 0 for n in numbers):
        raise _refuse(
            _("%(part)s takes numbers between %(low)d and %(high)d.", part=name, low=low, high=high)
        )
    return numbers


def _parts(text: str) -> dict[str, str]:
    text = (text or "").strip()
    if text.upper().startswith("RRULE:"):
        text = text[len("RRULE:") :]
    parts: dict[str, str] = {}
    for piece in filter(None, text.split(";")):
        name, sep, value = piece.partition("=")
        name, value = name.strip().upper(), value.strip().upper()
        if not sep or not value:
            raise _refuse(
                _(
                    "Write the rule as NAME=VALUE pairs separated by semicolons, such as "
                    "FREQ=MONTHLY;BYDAY=3WE;COUNT=12."
                )
            )
        if name not in _PARTS:
            raise _refuse(_("%(part)s is not supported in a meeting rule.", part=name[:20]))
        if name in parts:
            raise _refuse(_("%(part)s is given twice.", part=name))
        parts[name] = value
    return parts


def _until(value: str, first_start: datetime, zone: str) -> datetime:
    """UNTIL as an instant: a date ends with its last minute on the venue's clock."""
    match = _UNTIL.match(value)
    if match is None:
        raise _refuse(_("Give UNTIL as a date such as 20271231."))
    try:
        day = datetime.strptime(match.group(1), "%Y%m%d").date()
        clock = datetime.strptime(match.group(3), "%H%M%S").time() if match.group(3) else time(23, 59, 59)
    except ValueError:
        raise _refuse(_("Give UNTIL as a date such as 20271231.")) from None
    if match.group(4):
        return datetime.combine(day, clock, UTC)
    return datetime.combine(day, clock, ZoneInfo(zone)).astimezone(UTC)


def normalise_rule(text: str, first_start: datetime, zone: str) -> str:
    """The rule checked and written one way (UNTIL in UTC, as RFC 5545 asks beside a TZID).

    Refused: a frequency under a day, a rule without COUNT or UNTIL, one that runs past the
    horizon or holds too many meetings, one whose first meeting is not first_start.
    """
    parts = _parts(text)
    frequency = parts.get("FREQ")
    if frequency in TOO_FREQUENT:
        raise _refuse(_("Meetings repeat daily at most often: FREQ=%(freq)s is refused.", freq=frequency))
    if frequency not in FREQUENCIES:
        raise _refuse(_("Give FREQ=WEEKLY or FREQ=MONTHLY (or DAILY, YEARLY)."))
    if "COUNT" not in parts and "UNTIL" not in parts:
        raise _refuse(_("A series must end: give COUNT (the number of meetings) or UNTIL (the last day)."))
    if "COUNT" in parts and "UNTIL" in parts:
        raise _refuse(_("Give COUNT or UNTIL, not both."))
    if "COUNT" in parts:
        _numbers(parts["COUNT"], 1, MAX_OCCURRENCES, "COUNT")
        parts["COUNT"] = str(int(parts["COUNT"]))
    if "INTERVAL" in parts:
        parts["INTERVAL"] = str(_numbers(parts["INTERVAL"], 1, 99, "INTERVAL")[0])
    if "BYDAY" in parts and not all(_BYDAY.match(d) for d in parts["BYDAY"].split(",")):
        raise _refuse(_("BYDAY takes days such as WE, or 3WE for the third Wednesday."))
    if "WKST" in parts and not _WEEKDAY.match(parts["WKST"]):
        raise _refuse(_("WKST takes a day such as MO."))
    for name, low, high in (("BYMONTHDAY", -31, 31), ("BYMONTH", 1, 12), ("BYSETPOS", -366, 366)):
        if name in parts:
            _numbers(parts[name], low, high, name)
    horizon = first_start + timedelta(days=365 * HORIZON_YEARS + 3)
    if "UNTIL" in parts:
        until = _until(parts["UNTIL"], first_start, zone)
        if until.astimezone(ZoneInfo(zone)).replace(tzinfo=None) > horizon:
            raise _refuse(_("A series ends within %(n)d years of its first meeting.", n=HORIZON_YEARS))
        parts["UNTIL"] = until.strftime("%Y%m%dT%H%M%SZ")
    ordered = ["FREQ", *(p for p in _PARTS if p in parts and p != "FREQ")]
    normal = ";".join(f"{p}={parts[p]}" for p in ordered)
    starts = local_starts(normal, first_start, zone)
    if not starts:
        raise _refuse(_("This rule gives no meeting after the first one's start."))
    if starts[0] != first_start:
        raise _refuse(
            _(
                "The first meeting must be one the rule gives: this rule's first is on %(day)s.",
                day=show_date(starts[0]),
            )
        )
    if len(starts) > MAX_OCCURRENCES:
        raise _refuse(_("A series holds at most %(n)d meetings.", n=MAX_OCCURRENCES))
    if starts[-1] > horizon:
        raise _refuse(_("A series ends within %(n)d years of its first meeting.", n=HORIZON_YEARS))
    for start in starts:
        to_instant(start.date(), start.time(), zone, field="starts_at")
    return normal


@lru_cache(maxsize=512)
def local_starts(rule: str, first_start: datetime, zone: str) -> tuple[datetime, ...]:
    """Every meeting's wall-clock start the rule gives, in order (at most MAX_OCCURRENCES + 1)."""
    parts = dict(piece.split("=", 1) for piece in rule.split(";"))
    if "UNTIL" in parts:
        until = datetime.strptime(parts["UNTIL"], "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
        parts["UNTIL"] = until.astimezone(ZoneInfo(zone)).strftime("%Y%m%dT%H%M%S")
    local_rule = ";".join(f"{k}={v}" for k, v in parts.items())
    try:
        recurrence = rrulestr(local_rule, dtstart=first_start)
    except (ValueError, TypeError):
        raise _refuse(_("This rule cannot be read; write it as FREQ=MONTHLY;BYDAY=3WE;COUNT=12.")) from None
    starts = []
    for start in recurrence:
        starts.append(start)
        if len(starts) > MAX_OCCURRENCES:
            break
    return tuple(starts)


def instant_of(local: datetime, zone: str) -> datetime:
    """A wall-clock start the rule gave, as an instant (the rule was checked: it exists once)."""
    return to_instant(local.date(), local.time(), zone)


def between(starts: tuple[datetime, ...], first: datetime | None, last: datetime | None) -> tuple[int, int]:
    """The index range of starts within [first, last] (naive local times)."""
    low = bisect_left(starts, first) if first else 0
    high = bisect_left(starts, last + timedelta(microseconds=1)) if last else len(starts)
    return low, high


def describe(rule: str) -> dict[str, str]:
    """The rule's parts by name, for people reading it."""
    return dict(piece.split("=", 1) for piece in rule.split(";"))


def parse_recurrence_id(value: str) -> datetime | None:
    """A recurrence id as written in addresses: 2027-01-20T10:00[:00] or 20270120T100000; else None."""
    value = (value or "").strip()
    for pattern in ("%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M", "%Y%m%dT%H%M%S"):
        try:
            parsed = datetime.strptime(value, pattern)
        except ValueError:
            continue
        return parsed if 1970 <= parsed.year <= 2999 else None
    return None


def recurrence_key(local: datetime) -> str:
    """A recurrence id in addresses and the API: the original local start, ISO 8601 without offset."""
    return local.strftime("%Y-%m-%dT%H:%M:%S")


PATTERNS = ("weekly", "monthly_weekday", "monthly_date", "custom")
_WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


def nth_weekday(day: date) -> str:
    """The day's place in its month as BYDAY: 3WE for the third Wednesday, -1WE for a fifth one
    (the last Wednesday: a fifth one is missing from most months)."""
    n = (day.day - 1) // 7 + 1
    return f"{-1 if n == 5 else n}{_WEEKDAYS[day.weekday()]}"


def rule_from_pattern(
    pattern: str,
    first_start: datetime,
    *,
    interval: int | None = None,
    count: int | None = None,
    until: date | None = None,
    custom: str = "",
) -> str:
    """The RRULE text of what a form chose: every N weeks, monthly on the start's nth weekday or date,
    or a rule written out; ending after count meetings or on until."""
    if pattern == "custom":
        return custom
    if pattern not in PATTERNS:
        raise _refuse(_("Choose how the meetings repeat."))
    parts = {
        "weekly": [f"FREQ=WEEKLY;BYDAY={_WEEKDAYS[first_start.weekday()]}"],
        "monthly_weekday": [f"FREQ=MONTHLY;BYDAY={nth_weekday(first_start.date())}"],
        "monthly_date": [f"FREQ=MONTHLY;BYMONTHDAY={first_start.day}"],
    }[pattern]
    if interval and interval > 1:
        parts.append(f"INTERVAL={interval}")
    if count and until:
        raise DomainError(_("Give the number of meetings or the last day, not both."), field="count")
    if count:
        parts.append(f"COUNT={count}")
    elif until:
        parts.append(f"UNTIL={until:%Y%m%d}")
    else:
        raise DomainError(_("A series must end: give the number of meetings or the last day."), field="count")
    return ";".join(parts)
