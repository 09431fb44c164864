"""What a travel form must say, checked once for the pages, the API and the demo."""

from __future__ import annotations

import re
from dataclasses import dataclass, fields
from datetime import date, time, timedelta
from typing import Any

from dateutil.relativedelta import relativedelta
from flask_babel import gettext as _

from training.core.errors import Problems
from training.core.i18n import country_name, is_country_code
from training.core.schemas import FIRST_YEAR, LAST_YEAR, has_control_characters
from training.courses.models import Course
from training.travel.models import (
    MAX_CARRIER,
    MAX_NAME,
    MAX_NEEDS,
    MAX_PASSPORT_NUMBER,
    MAX_PHONE,
    MAX_PLACE,
)

# A consulate refuses a passport that expires within six months of the stay's end.
PASSPORT_VALID_AFTER = relativedelta(months=6)
# Arriving more than this before the start, or leaving this long after the end, is a typo.
TRAVEL_MARGIN = timedelta(days=14)
PASSPORT_NUMBER = re.compile(rf"^[A-Z0-9]{{5,{MAX_PASSPORT_NUMBER}}}$")
BIRTH_YEARS_FROM = 1900
PHONE = re.compile(rf"^\+?[0-9 ()./-]{{5,{MAX_PHONE}}}$")

TEXT_LIMITS = {
    "passport_name": MAX_NAME,
    "passport_issued_at": MAX_PLACE,
    "arrival_carrier": MAX_CARRIER,
    "arrival_place": MAX_PLACE,
    "departure_carrier": MAX_CARRIER,
    "departure_place": MAX_PLACE,
    "hotel": MAX_PLACE,
    "dietary_needs": MAX_NEEDS,
    "accessibility_needs": MAX_NEEDS,
    "emergency_name": MAX_NAME,
}
DATE_FIELDS = (
    "birth_date", "passport_issued_on", "passport_expires_on", "arrival_on", "departure_on",
    "check_in_on", "check_out_on",
)
TIME_FIELDS = ("arrival_time", "departure_time")
# What a letter and an airport pick-up cannot do without.
REQUIRED_FOR_COMPLETE = (
    "passport_name", "passport_number", "nationality", "birth_date", "passport_issued_on",
    "passport_expires_on", "passport_issued_at", "arrival_on", "arrival_time", "arrival_carrier",
    "arrival_place", "departure_on", "departure_time", "departure_carrier", "departure_place",
    "emergency_name", "emergency_phone",
)
MULTILINE = frozenset({"dietary_needs", "accessibility_needs"})


@dataclass
class TravelSpec:
    """What someone typed or sent: strings (or dates and times) to be checked."""

    passport_name: Any = ""
    passport_number: Any = ""
    nationality: Any = ""
    birth_date: Any = None
    passport_issued_on: Any = None
    passport_expires_on: Any = None
    passport_issued_at: Any = ""
    arrival_on: Any = None
    arrival_time: Any = None
    arrival_carrier: Any = ""
    arrival_place: Any = ""
    departure_on: Any = None
    departure_time: Any = None
    departure_carrier: Any = ""
    departure_place: Any = ""
    hotel: Any = ""
    check_in_on: Any = None
    check_out_on: Any = None
    dietary_needs: Any = ""
    accessibility_needs: Any = ""
    emergency_name: Any = ""
    emergency_phone: Any = ""

    @classmethod
    def names(cls) -> tuple[str, ...]:
        return tuple(f.name for f in fields(cls))

    @classmethod
    def of(cls, form: Any) -> TravelSpec:
        """The spec of a stored form (every field as it is)."""
        return cls(**{name: getattr(form, name) for name in cls.names()})


def _text(value: Any, name: str, problems: Problems) -> str:
    text = " ".join(str(value or "").split()) if name not in MULTILINE else str(value or "").strip()
    if has_control_characters(text, multiline=name in MULTILINE):
        problems.add(_("Remove the control characters (such as NUL) from this text."), name)
    elif len(text) > TEXT_LIMITS.get(name, MAX_PLACE):
        problems.add(_("Keep it under %(n)d characters.", n=TEXT_LIMITS.get(name, MAX_PLACE) + 1), name)
    return text


def _date(value: Any, name: str, problems: Problems) -> date | None:
    if value in (None, ""):
        return None
    if not isinstance(value, date):
        try:
            value = date.fromisoformat(str(value).strip())
        except ValueError:
            problems.add(_("Give the date as a date such as 2027-03-31."), name)
            return None
    # Holders of passports were born before the first year the schedules reason about.
    first = BIRTH_YEARS_FROM if name == "birth_date" else FIRST_YEAR
    if not first <= value.year <= LAST_YEAR:
        problems.add(_("Give a date between the years %(first)d and %(last)d.", first=first,
                       last=LAST_YEAR), name)
        return None
    return value


def _time(value: Any, name: str, problems: Problems) -> time | None:
    if value in (None, ""):
        return None
    if not isinstance(value, time):
        try:
            value = time.fromisoformat(str(value).strip())
        except ValueError:
            problems.add(_("Give the time as on a 24-hour clock, such as 14:35."), name)
            return None
    return value.replace(second=0, microsecond=0, tzinfo=None)


def clean(spec: TravelSpec, course: Course) -> dict[str, Any]:
    """The values to store, or DomainError with every problem beside its field."""
    problems = Problems()
    values: dict[str, Any] = {}
    for name in TEXT_LIMITS:
        values[name] = _text(getattr(spec, name), name, problems)
    for name in DATE_FIELDS:
        values[name] = _date(getattr(spec, name), name, problems)
    for name in TIME_FIELDS:
        values[name] = _time(getattr(spec, name), name, problems)

    number = re.sub(r"[\s-]", "", str(spec.passport_number or "")).upper()
    if number and not PASSPORT_NUMBER.match(number):
        problems.add(_("A passport number has 5 to %(n)d letters and digits, as printed.",
                       n=MAX_PASSPORT_NUMBER), "passport_number")
    values["passport_number"] = number
    nationality = str(spec.nationality or "").strip().upper()
    if nationality and not is_country_code(nationality):
        problems.add(_("Choose the country that issued the passport."), "nationality")
    values["nationality"] = nationality
    phone = " ".join(str(spec.emergency_phone or "").split())
    if phone and not PHONE.match(phone):
        problems.add(_("Give a phone number with its country code, such as +1 202 555 0143."),
                     "emergency_phone")
    values["emergency_phone"] = phone

    _check_passport_dates(values, course, problems)
    _check_journey(values, course, problems)
    problems.raise_any()
    return values


def _check_passport_dates(values: dict[str, Any], course: Course, problems: Problems) -> None:
    born, issued, expires = values["birth_date"], values["passport_issued_on"], values["passport_expires_on"]
    if born and born >= course.starts_on:
        problems.add(_("The date of birth must be in the past."), "birth_date")
    if issued and born and issued < born:
        problems.add(_("A passport is issued after its holder was born."), "passport_issued_on")
    if issued and expires and expires <= issued:
        problems.add(_("The expiry date comes after the date of issue."), "passport_expires_on")
    needed = course.ends_on + PASSPORT_VALID_AFTER
    if expires and expires < needed:
        problems.add(
            _("The passport must be valid for six months after the course ends: until %(day)s at least. "
              "Renew it before applying for a visa.", day=needed.isoformat()),
            "passport_expires_on",
        )


def _check_journey(values: dict[str, Any], course: Course, problems: Problems) -> None:
    arrive, leave = values["arrival_on"], values["departure_on"]
    earliest, latest = course.starts_on - TRAVEL_MARGIN, course.ends_on + TRAVEL_MARGIN
    if arrive and not earliest <= arrive <= course.ends_on:
        problems.add(_("Arrive between %(first)s and the course's last day, %(last)s.",
                       first=earliest.isoformat(), last=course.ends_on.isoformat()), "arrival_on")
    if leave and not course.starts_on <= leave <= latest:
        problems.add(_("Leave between the course's first day, %(first)s, and %(last)s.",
                       first=course.starts_on.isoformat(), last=latest.isoformat()), "departure_on")
    if arrive and leave and (leave, values["departure_time"] or time.max) < (arrive, values["arrival_time"]
                                                                            or time.min):
        problems.add(_("The departure comes before the arrival."), "departure_on")
    check_in, check_out = values["check_in_on"], values["check_out_on"]
    if bool(check_in) != bool(check_out):
        problems.add(_("Give both the check-in and the check-out day, or neither."),
                     "check_out_on" if check_in else "check_in_on")
    if check_in and check_out and check_out <= check_in:
        problems.add(_("Check out at least one night after checking in."), "check_out_on")
    if check_in and arrive and check_in < arrive:
        problems.add(_("The check-in day comes before the arrival."), "check_in_on")
    if check_out and leave and check_out > leave:
        problems.add(_("The check-out day comes after the departure."), "check_out_on")
    if (check_in or check_out) and not values["hotel"]:
        problems.add(_("Name the hotel for these nights."), "hotel")


def missing_fields(form: Any) -> list[str]:
    """The fields a complete form still lacks (nothing purged counts as present)."""
    return [name for name in REQUIRED_FOR_COMPLETE if getattr(form, name, None) in (None, "")]


def nationality_label(code: str | None) -> str:
    return country_name(code) if code else ""
