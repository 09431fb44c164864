"""One way to show a date and time: the zone named in the reader's language, no seconds, DST-aware."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

from flask_babel import force_locale

from training.core.localtime import show_date, show_datetime, zone_name

SECONDS = re.compile(r"\d:\d\d:\d\d")
IANA_ID = re.compile(r"[A-Z][a-z]+/[A-Z]")


def test_a_beijing_morning_for_a_new_york_reader_names_both_zones(app):
    instant = datetime(2027, 1, 13, 1, 0, tzinfo=UTC)
    with force_locale("en"):
        shown = show_datetime(instant, "Asia/Shanghai", "America/New_York")
    assert shown == ("Wed, Jan 13, 2027, 9:00\u202fAM China Standard Time "
                     "(Tue, Jan 12, 8:00\u202fPM Eastern Standard Time)")


def test_the_same_in_chinese_reads_as_babel_writes_chinese(app):
    instant = datetime(2027, 1, 13, 1, 0, tzinfo=UTC)
    with force_locale("zh_Hans"):
        shown = show_datetime(instant, "Asia/Shanghai", "America/New_York")
    assert shown == "2027年1月13日周三 09:00 中国标准时间（1月12日周二 20:00 北美东部标准时间）"
    assert not SECONDS.search(shown) and not IANA_ID.search(shown)


def test_the_zone_name_follows_a_daylight_saving_change(app):
    before = datetime(2027, 3, 13, 14, 0, tzinfo=UTC)  # Saturday 09:00 in New York, EST
    after = datetime(2027, 3, 15, 13, 0, tzinfo=UTC)  # Monday 09:00 in New York, EDT
    with force_locale("en"):
        assert show_datetime(before, "America/New_York") == (
            "Sat, Mar 13, 2027, 9:00\u202fAM Eastern Standard Time")
        assert show_datetime(after, "America/New_York") == (
            "Mon, Mar 15, 2027, 9:00\u202fAM Eastern Daylight Time")
    with force_locale("zh_Hans"):
        assert show_datetime(before, "America/New_York").endswith("09:00 北美东部标准时间")
        assert show_datetime(after, "America/New_York").endswith("09:00 北美东部夏令时间")


def test_a_reader_in_the_venues_zone_sees_the_time_once(app):
    instant = datetime(2027, 1, 13, 1, 0, tzinfo=UTC)
    with force_locale("en"):
        alone = show_datetime(instant, "Asia/Shanghai")
        assert show_datetime(instant, "Asia/Shanghai", "Asia/Shanghai") == alone
        assert "(" not in show_datetime(instant, "Asia/Shanghai", None)


def test_zones_without_an_instant_are_named_as_places_people_know(app):
    with force_locale("en"):
        assert [zone_name(z) for z in ("America/New_York", "Asia/Shanghai", "Asia/Kolkata", "UTC")] == [
            "Eastern Time", "China Time", "India Time", "Coordinated Universal Time"]
    with force_locale("zh_Hans"):
        assert zone_name("America/New_York") == "北美东部时间" and zone_name("UTC") == "协调世界时"


def test_short_dates_in_chinese_use_the_chinese_pattern(app):
    with force_locale("zh_Hans"):
        assert show_date(date(2026, 11, 30)) == "2026年11月30日周一"
        assert show_datetime(datetime(2026, 11, 29, 17, 22, tzinfo=UTC), "Asia/Shanghai", year=False) == (
            "11月30日周一 01:22 中国标准时间")
