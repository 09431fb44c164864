"""Wall clocks and instants: local times a daylight-saving change skips or repeats are refused."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from babel import dates as babel_dates
from flask import has_app_context
from flask_babel import get_locale
from flask_babel import gettext as _

from training.core.errors import DomainError


def _locale() -> str:
    # Mails rendered outside a request still follow force_locale (the recipient's language).
    return str(get_locale() or "en") if has_app_context() else "en"


def show_date(value: date | datetime, zone: str | None = None, skeleton: str = "yMMMEd") -> str:
    """A day such as 'Tue, Dec 15, 2026' in the reader's language; an instant is seen in zone."""
    if isinstance(value, datetime) and zone:
        value = value.astimezone(ZoneInfo(zone))
    # Equal instants seen in two zones are equal datetimes: the zone is part of the key.
    return _formatted_date(skeleton, value, str(getattr(value, "tzinfo", "")), _locale())


def show_time(value: datetime, zone: str) -> str:
    """The wall-clock time of an instant in zone, e.g. '09:00' or '9:00 AM' as the locale writes it."""
    return _formatted_time(value, zone, _locale())


# Babel works out the pattern of a skeleton on every call; pages show the same days and
# times many times over (every session of a course, every course of the catalogue).
@lru_cache(maxsize=8192)
def _formatted_date(skeleton: str, value: date | datetime, zone: str, locale: str) -> str:
    return babel_dates.format_skeleton(skeleton, value, locale=locale)


@lru_cache(maxsize=8192)
def _formatted_time(value: datetime, zone: str, locale: str) -> str:
    return babel_dates.format_time(value, "short", tzinfo=ZoneInfo(zone), locale=locale)


def zone_name(zone: str, at: datetime | None = None) -> str:
    """The zone named in the reader's language: 'China Standard Time' / '中国标准时间' at an instant
    (so New York reads Eastern Standard or Daylight Time as the date falls), else its place."""
    return _zone_name(zone, at.astimezone(ZoneInfo(zone)) if at else None, _locale())


@lru_cache(maxsize=4096)
def _zone_name(zone: str, at: datetime | None, locale: str) -> str:
    tz = ZoneInfo(zone)
    if at is not None or zone in _UNIVERSAL:
        return babel_dates.get_timezone_name(at or datetime.now(tz), width="long", locale=locale)
    generic = babel_dates.get_timezone_name(tz, width="long", zone_variant="generic", locale=locale)
    # Where CLDR has no generic name Babel falls back to a bare offset; the place reads better.
    return babel_dates.get_timezone_location(tz, locale=locale) if generic.startswith("GMT") else generic


# Zones that are a standard rather than a place: Babel's "location" for them is "Unknown Region".
_UNIVERSAL = frozenset({"UTC", "Etc/UTC", "Etc/UCT", "Etc/GMT", "GMT", "UCT", "Universal", "Zulu",
                        "Etc/Zulu"})


def show_datetime(value: datetime, zone: str, reader_zone: str | None = None, *, year: bool = True) -> str:
    """An instant on zone's clock with the zone named and no seconds, and, when the reader lives
    elsewhere, the same instant on their clock beside it:
    'Wed, Jan 13, 2027, 9:00 AM China Standard Time (Tue, Jan 12, 8:00 PM Eastern Standard Time)'.
    """
    venue = _clock_reading(value, zone, "yMMMEd" if year else "MMMEd")
    if not reader_zone or reader_zone == zone:
        return venue
    same_clock = (value.astimezone(ZoneInfo(zone)).utcoffset()
                  == value.astimezone(ZoneInfo(reader_zone)).utcoffset()
                  and zone_name(zone, value) == zone_name(reader_zone, value))
    if same_clock:
        return venue
    return _("%(venue)s (%(reader)s)", venue=venue, reader=_clock_reading(value, reader_zone, "MMMEd"))


def _clock_reading(value: datetime, zone: str, skeleton: str) -> str:
    locale = _locale()
    joined = babel_dates.get_datetime_format("medium", locale=locale)
    moment = joined.replace("{1}", show_date(value, zone, skeleton)).replace("{0}", show_time(value, zone))
    return f"{moment} {zone_name(zone, value)}"


def zone_abbreviation(value: datetime, zone: str) -> str:
    """The zone's UTC offset at that instant ('UTC+8', 'UTC−4'): it changes across a DST switch.

    Offsets rather than names: 'CST' is China's and also US Central time.
    """
    offset = value.astimezone(ZoneInfo(zone)).utcoffset() or timedelta(0)
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "\u2212"
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours}" + (f":{rest:02d}" if rest else "")


def local_day(value: datetime, zone: str) -> date:
    """The calendar day an instant falls on in zone."""
    return value.astimezone(ZoneInfo(zone)).date()


def to_instant(day: date, wall_clock: time, zone: str, *, field: str | None = None) -> datetime:
    """The UTC instant of a wall-clock time in zone.

    A time skipped when clocks go forward does not exist, and one repeated when they go
    back is ambiguous: both are refused with the time named, never shifted silently.
    """
    tz = ZoneInfo(zone)
    naive = datetime.combine(day, wall_clock.replace(tzinfo=None, fold=0))
    first = naive.replace(tzinfo=tz, fold=0)
    second = naive.replace(tzinfo=tz, fold=1)
    if first.utcoffset() != second.utcoffset():
        shown = f"{wall_clock:%H:%M}"  # the 24-hour clock the form takes, in every language
        when = show_date(day)
        round_trip = first.astimezone(UTC).astimezone(tz).replace(tzinfo=None)
        if round_trip != naive:
            raise DomainError(
                _("%(time)s on %(day)s does not exist in %(zone)s: the clocks go forward "
                  "that night. Choose another time.", time=shown, day=when, zone=zone),
                field=field,
            )
        raise DomainError(
            _("%(time)s on %(day)s happens twice in %(zone)s: the clocks go back that night. "
              "Choose another time.", time=shown, day=when, zone=zone),
            field=field,
        )
    return first.astimezone(UTC)


def local_datetime_to_instant(value: datetime, zone: str, *, field: str | None = None) -> datetime:
    """An aware datetime as is; a naive one read on zone's wall clock (refusing gaps and overlaps)."""
    if value.tzinfo is not None:
        return value.astimezone(UTC)
    return to_instant(value.date(), value.time(), zone, field=field)


def next_transition(zone: str, after: date, within_days: int = 400) -> date | None:
    """The first day after `after` on which zone's UTC offset changes (a DST switch), if any."""
    tz = ZoneInfo(zone)
    previous = datetime.combine(after, time(12), tz).utcoffset()
    for n in range(1, within_days + 1):
        day = after + timedelta(days=n)
        offset = datetime.combine(day, time(12), tz).utcoffset()
        if offset != previous:
            return day
        previous = offset
    return None


def wall_clock_slot(starts_at: datetime, ends_at: datetime, zone: str) -> tuple[date, time, time]:
    """The day and wall-clock start and end in zone of a slot given as instants or as times in zone.

    A time with an offset is an instant and is seen on zone's clock; one without is already
    a wall-clock time there. A session begins and ends on one day of the course.
    """
    tz = ZoneInfo(zone)
    start = starts_at.astimezone(tz) if starts_at.tzinfo else starts_at
    end = ends_at.astimezone(tz) if ends_at.tzinfo else ends_at
    if end.date() != start.date():
        raise DomainError(_("A session must end after it starts (on the same day)."), field="ends")
    return start.date(), start.time().replace(tzinfo=None), end.time().replace(tzinfo=None)
