"""Locale and timezone choice, and Babel-formatted countries, dates and times for templates."""

from __future__ import annotations

from datetime import datetime
from functools import cache
from zoneinfo import ZoneInfo, available_timezones

from babel import Locale
from babel.units import format_unit
from flask import Flask, g, has_request_context, request
from flask_babel import format_date, format_datetime, format_time, get_locale, refresh
from flask_babel import gettext as _
from flask_login import current_user

from training.core import localtime
from training.core.caching import visitor_without_cookies
from training.core.errors import DomainError
from training.core.problems import wants_problem

# English is the source language; zh_Hans is Simplified Chinese.
SUPPORTED_LOCALES = ("en", "zh_Hans")
LOCALE_COOKIE = "locale"


def select_locale() -> str | None:
    """The signed-in user's language, else the cookie, else the browser's best match.

    API calls follow their Accept-Language header alone: a program's answers must not
    change language because of a profile setting or a cookie it never sees.
    """
    if not has_request_context():
        return None  # CLI and jobs: the default, unless force_locale chose one
    if wants_problem():
        return accepted_locale()
    # Without a session or remember-me cookie no one is signed in, unless this very request
    # signed them in (Flask-Login then holds them in g): the account is not looked for.
    may_be_signed_in = "_login_user" in g or not visitor_without_cookies()
    if may_be_signed_in and current_user and current_user.is_authenticated and current_user.locale:
        return current_user.locale
    cookie = request.cookies.get(LOCALE_COOKIE)
    if cookie in SUPPORTED_LOCALES:
        return cookie
    # A page may know its reader's language better than the browser does (an invitee's
    # RSVP page follows the language chosen at invitation).
    page_locale = g.get("page_locale")
    if page_locale in SUPPORTED_LOCALES:
        return page_locale
    return accepted_locale()


def accepted_locale() -> str:
    """The supported locale that best matches the request's Accept-Language (English by default)."""
    best = request.accept_languages.best_match(["en", "zh-Hans", "zh-CN", "zh", "zh-SG"])
    return "zh_Hans" if best and best.startswith("zh") else "en"


def reader_zone() -> str | None:
    """The signed-in reader's own timezone, shown beside a venue's; None for anyone else."""
    if has_request_context() and current_user and current_user.is_authenticated and current_user.timezone:
        return str(current_user.timezone)
    return None


def select_timezone() -> str | None:
    """The signed-in user's timezone, else UTC."""
    if not has_request_context():
        return None
    if current_user and current_user.is_authenticated and current_user.timezone:
        return current_user.timezone
    return "UTC"


@cache
def _territories(locale: str) -> dict[str, str]:
    return dict(Locale.parse(locale).territories)


_NOT_COUNTRIES = frozenset({"ZZ", "EU", "EZ", "UN", "QO", "XA", "XB", "XK"})


@cache
def _country_codes() -> tuple[str, ...]:
    # ISO 3166-1 alpha-2 codes: two letters, excluding Babel's regions (numeric) and
    # the pseudo/reserved codes it also lists.
    return tuple(
        sorted(
            code
            for code in Locale.parse("en").territories
            if len(code) == 2 and code.isalpha() and code not in _NOT_COUNTRIES
        )
    )


def is_country_code(code: str | None) -> bool:
    """Whether code is a known ISO 3166-1 alpha-2 country code."""
    return bool(code) and code in _country_codes()


def country_name(code: str | None, locale: str | None = None) -> str:
    """The country's name in the current (or given) locale, e.g. 'United States' / '美国'."""
    if not code:
        return ""
    return _territories(locale or str(get_locale() or "en")).get(code, code)


def country_choices() -> list[tuple[str, str]]:
    """(code, name) pairs for a select, sorted by name in the current locale."""
    return list(_country_choices(str(get_locale() or "en")))


@cache
def _country_choices(locale: str) -> tuple[tuple[str, str], ...]:
    # Sorted once per language and process: every form with a country field asks for it.
    names = _territories(locale)
    return tuple(sorted(((c, names.get(c, c)) for c in _country_codes()), key=lambda pair: pair[1]))


@cache
def timezone_names() -> tuple[str, ...]:
    """Every IANA timezone known to zoneinfo, in alphabetical order."""
    return tuple(sorted(available_timezones() - {"localtime", "Factory"}))


def is_timezone(name: str | None) -> bool:
    """Whether name is a known IANA timezone."""
    return bool(name) and name in timezone_names()


def timezone_choices() -> list[tuple[str, str]]:
    """(name, name) pairs for a select."""
    return list(_timezone_choices())


@cache
def _timezone_choices() -> tuple[tuple[str, str], ...]:
    # The same in every language: IANA names are not translated.
    return tuple((name, name.replace("_", " ")) for name in timezone_names())


@cache
def locale_choices() -> tuple[tuple[str, str], ...]:
    """(code, name in that language) pairs for the language switch (every page draws it)."""
    return tuple((code, Locale.parse(code).display_name or code) for code in SUPPORTED_LOCALES)


def is_locale(code: str | None) -> bool:
    """Whether code is one of the languages the product speaks."""
    return code in SUPPORTED_LOCALES


# How people write a language in a CSV or a form, to the locale the product uses.
_LOCALE_SPELLINGS = {
    "en": "en", "english": "en", "英文": "en", "英语": "en",
    "zh": "zh_Hans", "zh_hans": "zh_Hans", "zh-hans": "zh_Hans", "zh_cn": "zh_Hans", "zh-cn": "zh_Hans",
    "chinese": "zh_Hans", "中文": "zh_Hans", "简体中文": "zh_Hans", "汉语": "zh_Hans",
}


def parse_locale(text: str | None) -> str | None:
    """The supported locale a person means ('zh', 'zh-CN', '中文' → 'zh_Hans'), or None."""
    return _LOCALE_SPELLINGS.get((text or "").strip().lower())


def reads_chinese(locale: str | None = None) -> bool:
    """Whether the current (or given) reader reads Simplified Chinese."""
    return (locale or str(get_locale() or "en")).startswith("zh")


def in_reader_language(original: str, chinese: str | None) -> str:
    """Coordinator-entered text: its Chinese version for Chinese readers, else the original."""
    if chinese and chinese.strip() and reads_chinese():
        return chinese
    return original


def has_han(text: str) -> bool:
    """Whether text holds at least one Chinese (Han) character."""
    return any("\u3400" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff" or "\U00020000" <= ch <= "\U0003134f"
               for ch in text)


def chinese_version(title_zh: str | None, description_zh: str | None) -> tuple[str, str]:
    """The optional Chinese title and description, cleaned; refused when not written in Chinese.

    A Chinese reader sees these instead of the original, so English pasted here by mistake
    would hide nothing but still be wrong: it must hold Chinese characters.
    """
    title = " ".join((title_zh or "").split())
    description = (description_zh or "").strip()
    if title and not has_han(title):
        raise DomainError(_("The Chinese title must be written in Chinese characters."), field="title_zh")
    if description and not has_han(description):
        raise DomainError(_("The Chinese description must be written in Chinese characters."),
                          field="description_zh")
    if description and not title:
        raise DomainError(_("Give a Chinese title with the Chinese description."), field="title_zh")
    return title, description


def locale_name(code: str | None) -> str:
    """A supported language named in itself ('English', '中文 (简体)')."""
    return dict(locale_choices()).get(code or "en", code or "")


def local_datetime(value: datetime, zone: str) -> datetime:
    """An instant seen on the wall clock of zone."""
    return value.astimezone(ZoneInfo(zone))


def show_size(size: int, locale: str | None = None) -> str:
    """A file's size as the reader writes it, in the decimal units the size limits are set in:
    "125 bytes", "12.5 kB", "10 MB"; "125字节", "10 MB" in Chinese."""
    locale = locale or str(get_locale() or "en")
    if size < 1000:
        return format_unit(size, "digital-byte", length="long", locale=locale)
    if size < 1000 * 1000:
        return format_unit(size / 1000, "digital-kilobyte", length="short", format="#,##0.#", locale=locale)
    return format_unit(size / 1000 / 1000, "digital-megabyte", length="short", format="#,##0.#",
                       locale=locale)


def _fresh_locale() -> None:
    # Flask-Babel caches the choice on g, which outlives a request when an app context was
    # already pushed (CLI, tests): each request chooses again. A request that pushed its own
    # context, as every one a server serves does, finds g empty and has nothing to forget.
    if vars(g._get_current_object()):
        g.pop("page_locale", None)
        refresh()


def init_app(app: Flask) -> None:
    """Expose the formatting helpers to every template; choose the language afresh per request."""
    app.before_request(_fresh_locale)
    app.jinja_env.globals.update(
        country_name=country_name,
        format_date=format_date,
        format_datetime=format_datetime,
        format_time=format_time,
        locale_choices=locale_choices,
        locale_name=locale_name,
        reader_zone=reader_zone,
        show_datetime=localtime.show_datetime,
        zone_name=localtime.zone_name,
        current_locale=lambda: str(get_locale() or "en"),
    )
    app.jinja_env.filters["country"] = country_name
    app.jinja_env.filters["size"] = show_size


class ChineseVersion:
    """Mixin for content a coordinator may also give in Chinese (title_zh, description_zh)."""

    title: str
    title_zh: str | None
    description: str
    description_zh: str | None

    @property
    def shown_title(self) -> str:
        """The title in the reader's language (Chinese when given and read), else the original."""
        return in_reader_language(self.title, self.title_zh)

    @property
    def shown_description(self) -> str:
        """The description in the reader's language, else the original."""
        return in_reader_language(self.description, self.description_zh)
