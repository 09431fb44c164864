"""The catalogue's text search ignores case, hyphens, punctuation and accents, on both databases."""

from __future__ import annotations

from datetime import date

from training.core.search import query_words, search_key
from training.courses import services
from training.courses.services import CourseDetails

TODAY = date(2030, 1, 1)


def _found(session, text):
    return [c.title for c in services.catalogue(session, today=TODAY, text=text)]


def test_the_key_folds_case_accents_hyphens_and_width():
    assert search_key("Dark-web Café", "ＯＳＩＮＴ", "A/B_test 100%") == "dark web cafe osint a b test 100"
    assert search_key("网络反恐调查", None, "") == "网络反恐调查"
    assert query_words("  DARK--web  %_ ") == ["dark", "web"]


def test_dark_web_finds_dark_web_with_a_hyphen(session, make_course):
    make_course(title="Dark-web marketplaces")
    make_course(title="Online fraud")
    assert _found(session, "dark web") == ["Dark-web marketplaces"]
    assert _found(session, "DARK-WEB") == ["Dark-web marketplaces"]
    assert _found(session, "web dark") == ["Dark-web marketplaces"]  # every word, in any order
    assert _found(session, "darkweb") == []


def test_cafe_finds_cafe_with_its_accent_and_back(session, make_course):
    make_course(title="Evidence handling", venue="Café de la Paix")
    make_course(title="Crème de la crème", city="Lyon", host_country="FR", timezone="Europe/Paris")
    assert _found(session, "cafe") == ["Evidence handling"]
    assert _found(session, "CAFÉ") == ["Evidence handling"]
    assert _found(session, "creme") == ["Crème de la crème"]


def test_chinese_titles_are_still_found(session, make_course):
    make_course(title="Cyber counter-terrorism investigation", title_zh="网络反恐调查",
                description_zh="中美两国执法人员的联合培训。")
    assert _found(session, "反恐") == ["Cyber counter-terrorism investigation"]
    assert _found(session, "联合培训") == ["Cyber counter-terrorism investigation"]
    assert _found(session, "counter terrorism") == ["Cyber counter-terrorism investigation"]


def test_wildcards_in_a_query_are_only_words(session, make_course):
    make_course(title="Fraud 101")
    make_course(title="Tracing funds")
    assert _found(session, "%") == ["Fraud 101", "Tracing funds"]  # no words: no filter
    assert _found(session, "fraud_funds") == []  # two words, each needed; "_" joins nothing
    assert _found(session, "101%") == ["Fraud 101"]


def test_the_key_follows_every_change_of_the_course(session, make_course, coordinator):
    course = make_course(title="Online fraud")
    details = CourseDetails(title="Darknet-Märkte", host_country="CN", city="Beijing",
                            timezone="Asia/Shanghai", starts_on=course.starts_on, ends_on=course.ends_on,
                            capacity=course.capacity)
    services.update_course(session, course, details, actor=coordinator)
    session.flush()
    assert course.search_key == "darknet markte beijing"
    assert _found(session, "markte") == ["Darknet-Märkte"] and _found(session, "fraud") == []


def test_the_catalogue_page_searches_the_same_way(client, make_course):
    make_course(title="Dark-web marketplaces", starts_on=date.today().replace(year=date.today().year + 1),
                ends_on=date.today().replace(year=date.today().year + 1))
    html = client.get("/?q=dark+web").get_data(as_text=True)
    assert "Dark-web marketplaces" in html
