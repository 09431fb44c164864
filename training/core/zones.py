"""The timezones each country keeps (CLDR's, through Babel) and the one a place most likely keeps."""

from __future__ import annotations

from datetime import datetime
from functools import cache
from zoneinfo import ZoneInfo

from babel import Locale
from babel.core import get_global

from training.core.i18n import timezone_names

# A fixed winter day: the order of a country's zones must not change with the season.
_ORDER_REFERENCE = datetime(2025, 1, 15, 12)


def _canonical(zone: str) -> str:
    """CLDR's name for zone: an old name (Asia/Calcutta, US/Eastern) becomes the current one."""
    return str(get_global("zone_aliases").get(zone, zone))


@cache
def country_zones(country: str) -> tuple[str, ...]:
    """The IANA timezones of a country, east to west (a country's main clock before its
    special cases: America/New_York before America/Indiana/Knox); empty when CLDR knows none."""
    known = set(timezone_names())
    zones = [z for z in get_global("territory_zones").get(country, ()) if z in known]

    def order(zone: str) -> tuple[float, int, str]:
        offset = ZoneInfo(zone).utcoffset(_ORDER_REFERENCE)
        return (-(offset.total_seconds() if offset else 0), zone.count("/"), zone)

    return tuple(sorted(zones, key=order))


def zone_fits_country(zone: str, country: str) -> bool:
    """Whether zone is one of country's timezones (any zone fits a country CLDR has none for)."""
    zones = country_zones(country)
    return not zones or _canonical(zone) in zones or zone in zones


@cache
def zone_cities(zone: str) -> tuple[str, ...]:
    """The city a zone is named after, in English and in Chinese, lower-cased, for matching."""
    english = zone.rsplit("/", 1)[-1].replace("_", " ")
    cities = {english.lower()}
    for locale in ("en", "zh_Hans"):
        city = Locale.parse(locale).time_zones.get(zone, {}).get("city")
        if city:
            cities.add(str(city).lower())
    return tuple(sorted(cities))


def zone_for_place(country: str, city: str = "") -> str | None:
    """The timezone a place keeps, when it can be told: the country's only zone, or the zone
    named after its city (New York, 纽约); None when the country has several and the city
    names none of them (Washington, DC)."""
    zones = country_zones(country)
    if len(zones) == 1:
        return zones[0]
    # "Washington, DC" → "washington": the part before a comma names the city.
    wanted = city.split(",")[0].split("，")[0].strip().lower()
    if wanted:
        named = [zone for zone in zones if wanted in zone_cities(zone)]
        if len(named) == 1:
            return named[0]
    return None


@cache
def zones_by_country() -> dict[str, list[tuple[str, tuple[str, ...]]]]:
    """Every country's timezones with their cities: what the course form's script needs."""
    table = get_global("territory_zones")
    return {
        country: [(zone, zone_cities(zone)) for zone in country_zones(country)]
        for country in sorted(table)
        if len(country) == 2 and country.isalpha() and country_zones(country)
    }
