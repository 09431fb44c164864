"""What a course's visa invitation letters say: edited by coordinators only, audited, checked for
completeness in the languages the letters are printed in."""

from __future__ import annotations

import pytest

from tests.conftest import csrf_token, sign_in
from training.accounts.models import Role
from training.audit.models import AuditEntry
from training.core.errors import DomainError, Forbidden
from training.courses import services

FILLED = services.LetterSettings(
    issuer="Ministry of Public Security", issuer_zh="公安部", letterhead="Beijing 100741",
    signatory_name="Wang Hong", signatory_title="Director", signatory_title_zh="局长",
    costs="The host pays board and lodging.", costs_zh="中方承担食宿。",
)


def test_a_beijing_course_prints_chinese_and_english_a_washington_course_english(make_course):
    beijing = make_course()
    washington = make_course(host_country="US", city="Washington", timezone="America/New_York")
    assert services.letter_languages(beijing) == ("zh_Hans", "en")
    assert services.letter_languages(washington) == ("en",)
    assert "issuer_zh" in services.missing_letter_settings(beijing)
    assert "issuer_zh" not in services.missing_letter_settings(washington)


def test_coordinator_fills_the_settings_and_the_change_is_audited(session, make_course, coordinator):
    course = make_course()
    services.update_letter_settings(session, course, FILLED, actor=coordinator)
    assert services.missing_letter_settings(course) == []
    assert course.letter_signatory_title_zh == "局长"
    entry = session.query(AuditEntry).filter_by(action="course.letter_settings_changed").one()
    assert entry.after["issuer"] == "Ministry of Public Security"


def test_too_long_a_field_is_refused_at_its_field_and_changes_nothing(session, make_course, coordinator):
    course = make_course()
    with pytest.raises(DomainError) as refused:
        services.update_letter_settings(
            session, course, services.LetterSettings(issuer="x" * 201, costs="y" * 3000), actor=coordinator)
    assert {field for _message, field in refused.value.problems} == {"issuer", "costs"}
    assert course.letter_issuer == ""


@pytest.mark.parametrize("role", [Role.PERSONNEL, Role.FOCAL_POINT, Role.INSTRUCTOR])
def test_only_coordinators_change_the_settings(session, make_course, make_user, role):
    with pytest.raises(Forbidden):
        services.update_letter_settings(session, make_course(), FILLED, actor=make_user(role, "US"))


def test_the_settings_page_saves_with_csrf_and_refuses_others(
    app, client, make_course, coordinator, make_user
):
    course = make_course()
    path = f"/courses/{course.slug}/letter-settings"
    sign_in(client, coordinator)
    page = client.get(path).get_data(as_text=True)
    assert "Inviting organisation in Chinese" in page  # a Beijing course: both languages
    refused = client.post(path, data={"issuer": "Ministry"})  # no CSRF token
    assert refused.status_code == 400
    saved = client.post(path, data={"issuer": "Ministry of Public Security", "signatory_name": "Wang Hong",
                                    "csrf_token": csrf_token(client, path)})
    assert saved.status_code == 302
    assert "Ministry of Public Security" in client.get(path).get_data(as_text=True)
    for role in (Role.PERSONNEL, Role.FOCAL_POINT, Role.INSTRUCTOR):
        with app.app_context():
            other = app.test_client()
            sign_in(other, make_user(role, "US"))
            assert other.get(path).status_code == 403
