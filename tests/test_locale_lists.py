"""Country names and timezones are computed once per language and process, not on every page."""

from __future__ import annotations

from flask_babel import force_locale

from training.core import i18n


def test_country_and_timezone_lists_are_computed_once_per_language(app):
    with app.test_request_context():
        first = {}
        for locale in ("en", "zh_Hans"):
            with force_locale(locale):
                first[locale] = i18n.country_choices()
                i18n.timezone_choices()
        built = (i18n._country_choices.cache_info().misses, i18n._territories.cache_info().misses,
                 i18n._timezone_choices.cache_info().misses)

        again = {}
        for locale in ("en", "zh_Hans", "en"):
            with force_locale(locale):
                again[locale] = i18n.country_choices()
                i18n.timezone_choices()
                i18n.country_name("US")

        assert (i18n._country_choices.cache_info().misses, i18n._territories.cache_info().misses,
                i18n._timezone_choices.cache_info().misses) == built
    assert again == first
    assert ("CN", "China") in first["en"] and ("CN", "中国") in first["zh_Hans"]
