"""The product in Simplified Chinese: pages, forms, mails, the RSVP page and coordinator-entered text."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, time

import sqlalchemy as sa
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from tests.conftest import csrf_token
from tests.symposia.conftest import last_link
from training.accounts.models import Role, User
from training.calendar import services as calendar
from training.courses import services as courses
from training.courses.models import Course
from training.enrolment import services as enrolment
from training.outbox.models import OutboxMessage
from training.symposia import services as symposia
from training.symposia.models import Invitation, Symposium

CHINESE_BROWSER = {"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.5"}


def _text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def _mails_to(session: Session, email: str) -> list[OutboxMessage]:
    return list(session.scalars(sa.select(OutboxMessage).where(OutboxMessage.recipient == email)
                                .order_by(OutboxMessage.id)))


def test_a_chinese_browser_gets_the_catalogue_in_chinese_with_babel_dates_and_country_names(
        client: FlaskClient, make_course: Callable[..., Course]) -> None:
    make_course()
    make_course(title="Cybercrime investigation", host_country="US", city="Washington, DC",
                timezone="America/New_York")
    html = client.get("/", headers=CHINESE_BROWSER).get_data(as_text=True)
    text = _text(html)
    assert '<html lang="zh-Hans">' in html
    assert "即将开班的培训班" in text and "Upcoming courses" not in text
    assert "2031年3月10日周一" in text  # weekday and date as Chinese writes them
    assert "Beijing, 中国" in text  # the city as the coordinator wrote it, the country as Babel names it
    assert "美国" in text and "United States" not in text
    assert "3 天" in text


def test_signing_out_says_so_in_the_language_of_the_person_leaving(
        client: FlaskClient, login: Callable[[User], FlaskClient], make_user: Callable[..., User]) -> None:
    login(make_user(locale="zh_Hans"))
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    assert "您已退出登录。" in client.get("/").get_data(as_text=True)


def test_the_switch_remembers_chinese_in_a_cookie_and_english_wins_back(client: FlaskClient) -> None:
    token = csrf_token(client, "/login")
    client.post("/language", data={"locale": "zh_Hans", "next": "/", "csrf_token": token})
    assert "即将开班的培训班" in client.get("/").get_data(as_text=True)
    client.post("/language", data={"locale": "en", "next": "/", "csrf_token": token})
    assert "Upcoming courses" in client.get("/", headers=CHINESE_BROWSER).get_data(as_text=True)


def test_wtforms_own_validation_messages_are_in_chinese(client: FlaskClient) -> None:
    client.set_cookie("locale", "zh_Hans")
    token = csrf_token(client, "/signup")
    response = client.post("/signup", data={"csrf_token": token, "name": "李明", "email": "",
                                            "password": "", "confirm": ""})
    text = _text(response.get_data(as_text=True))
    assert response.status_code in (200, 400)
    assert "该字段是必填字段。" in text
    assert "This field is required." not in text


def test_a_chinese_reader_sees_the_chinese_title_and_an_english_reader_the_original(
        client: FlaskClient, make_course: Callable[..., Course]) -> None:
    course = make_course(title_zh="打击网络诈骗培训班", description="Tracing money mules.",
                         description_zh="追查“钱骡”资金链。")
    plain = make_course(title="Forensic accounting")
    client.set_cookie("locale", "zh_Hans")
    chinese = _text(client.get(f"/courses/{course.slug}").get_data(as_text=True))
    assert "打击网络诈骗培训班" in chinese and "追查“钱骡”资金链。" in chinese
    assert "Countering online fraud" not in chinese
    # Without a Chinese version the original stands.
    assert "Forensic accounting" in _text(client.get(f"/courses/{plain.slug}").get_data(as_text=True))
    client.set_cookie("locale", "en")
    english = _text(client.get(f"/courses/{course.slug}").get_data(as_text=True))
    assert "Countering online fraud" in english and "打击网络诈骗培训班" not in english


def test_the_catalogue_search_finds_a_course_by_its_chinese_title(
        client: FlaskClient, make_course: Callable[..., Course]) -> None:
    make_course(title_zh="打击网络诈骗培训班")
    make_course(title="Forensic accounting")
    client.set_cookie("locale", "zh_Hans")
    text = _text(client.get("/?q=诈骗").get_data(as_text=True))
    assert "打击网络诈骗培训班" in text and "Forensic accounting" not in text


def db_courses(session: Session) -> int:
    return session.scalar(sa.select(sa.func.count()).select_from(Course)) or 0


def test_a_chinese_title_in_english_is_refused_at_its_field(
        session: Session, client: FlaskClient, login: Callable[[User], FlaskClient],
        coordinator: User) -> None:
    login(coordinator)
    client.set_cookie("locale", "zh_Hans")
    token = csrf_token(client, "/courses/new")
    response = client.post("/courses/new", data={
        "csrf_token": token, "title": "Countering online fraud", "title_zh": "Countering online fraud",
        "host_country": "CN", "city": "Beijing", "timezone": "Asia/Shanghai", "starts_on": "2031-03-10",
        "ends_on": "2031-03-12", "capacity": "15", "language": "en"})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "中文名称必须使用汉字书写。" in html
    assert db_courses(session) == 0


def test_a_chinese_speaker_gets_their_enrolment_mail_in_chinese(
        session: Session, client: FlaskClient, login: Callable[[User], FlaskClient],
        make_user: Callable[..., User], make_course: Callable[..., Course]) -> None:
    course = make_course(title_zh="打击网络诈骗培训班")
    person = make_user(Role.PERSONNEL, country="US", name="Li Ming", locale="zh_Hans")
    login(person)
    token = csrf_token(client, f"/courses/{course.slug}")
    response = client.post(f"/courses/{course.slug}/enrol", data={"csrf_token": token})
    assert response.status_code == 302
    [mail] = _mails_to(session, person.email)
    assert mail.subject == "您在打击网络诈骗培训班的席位已确认"
    assert mail.body.startswith("Li Ming，您好：")
    assert "时间：2031年3月10日 至 2031年3月12日" in mail.body


def test_an_english_speaker_gets_the_same_mail_in_english(
        session: Session, client: FlaskClient, login: Callable[[User], FlaskClient],
        make_user: Callable[..., User], make_course: Callable[..., Course]) -> None:
    course = make_course(title_zh="打击网络诈骗培训班")
    person = make_user(Role.PERSONNEL, country="US", locale="en")
    login(person)
    client.post(f"/courses/{course.slug}/enrol",
                data={"csrf_token": csrf_token(client, f"/courses/{course.slug}")})
    [mail] = _mails_to(session, person.email)
    assert mail.subject == "Your seat on Countering online fraud is confirmed"
    assert "March 10, 2031" in mail.body


def test_an_invitee_invited_in_chinese_gets_a_chinese_mail_calendar_and_rsvp_page(
        session: Session, client: FlaskClient, coordinator: User,
        make_symposium: Callable[..., Symposium]) -> None:
    symposium = make_symposium(title_zh="网络反恐研讨会")
    invitation = symposia.add_invitation(session, symposium, actor=coordinator, name="王芳",
                                         email="wang@cert.example", organisation="CNCERT", locale="zh")
    session.commit()
    assert invitation.locale == "zh_Hans"
    [mail] = _mails_to(session, invitation.email)
    assert mail.subject == "邀请：网络反恐研讨会"
    assert "尊敬的 王芳：" in mail.body and "年" in mail.body
    assert "SUMMARY:网络反恐研讨会" in (mail.calendar_body or "")
    token = last_link(session, invitation.email)
    page = client.get(f"/rsvp/{token}")
    text = _text(page.get_data(as_text=True))
    assert page.status_code == 200 and '<html lang="zh-Hans">' in page.get_data(as_text=True)
    assert "网络反恐研讨会" in text and "您的回复" in text and "接受" in text
    # The switch overrides the language chosen at invitation.
    client.set_cookie("locale", "en")
    text = _text(client.get(f"/rsvp/{token}").get_data(as_text=True))
    assert "Your answer" in text and "Cyber Counter-Terrorism Symposium" in text


def test_a_chinese_invitee_answering_wrongly_reads_why_in_chinese(
        session: Session, client: FlaskClient, coordinator: User,
        make_symposium: Callable[..., Symposium]) -> None:
    symposium = make_symposium()
    invitation = symposia.add_invitation(session, symposium, actor=coordinator, name="王芳",
                                         email="wang@cert.example", delegates_allowed=1, locale="zh_Hans")
    session.commit()
    token = last_link(session, invitation.email)
    response = client.post(f"/rsvp/{token}", data={
        "csrf_token": csrf_token(client, f"/rsvp/{token}"), "answer": "accepted",
        "delegates": "王芳\n李强", "note": ""})
    assert response.status_code == 400
    assert "您最多可填写 1 名代表；您填写了 2 名。" in _text(response.get_data(as_text=True))


def test_the_invite_form_and_the_csv_take_the_invitee_language(
        session: Session, client: FlaskClient, login: Callable[[User], FlaskClient], coordinator: User,
        make_symposium: Callable[..., Symposium]) -> None:
    symposium = make_symposium()
    login(coordinator)
    page = f"/symposia/{symposium.id}"
    response = client.post(f"{page}/invitations", data={
        "csrf_token": csrf_token(client, page), "name": "Zhang Wei", "email": "zhang@cert.example",
        "organisation": "CNCERT", "delegates_allowed": "2", "locale": "zh_Hans"})
    assert response.status_code == 302
    response = client.post(f"{page}/invitations/import", data={
        "csrf_token": csrf_token(client, page),
        "text": "Sarah Mitchell,policy@google.example,Google,2,en\n"
                "刘洋,liu@isc.example,ISC,1,中文\n"
                "Pat Doe,pat@example.org,Example,1,fr\n"})
    html = _text(response.get_data(as_text=True))
    assert "Unknown language fr: write en (English) or zh (Chinese)." in html
    locales = dict(session.execute(sa.select(Invitation.email, Invitation.locale)
                                   .where(Invitation.symposium_id == symposium.id)).all())
    assert locales == {"zhang@cert.example": "zh_Hans",
                       "policy@google.example": "en", "liu@isc.example": "zh_Hans"}
    assert _mails_to(session, "liu@isc.example")[0].subject.startswith("邀请：")
    dashboard = client.get(page).get_data(as_text=True)
    assert re.search(r'zhang@cert\.example · <span lang="zh-Hans"[^>]*>中文 \(简体\)</span>', dashboard)


def test_api_problems_follow_accept_language_and_keep_field_names_english(
        client: FlaskClient, make_user: Callable[..., User]) -> None:
    make_user(email="api@example.org", locale="en")  # the profile says English; the header wins
    response = client.get("/api/v1/no-such-thing", headers={"Accept-Language": "zh-CN"})
    body = response.get_json()
    assert response.status_code == 404 and response.mimetype == "application/problem+json"
    assert (body["title"], body["detail"], body["status"]) == ("未找到", "此地址没有内容。", 404)
    english = client.get("/api/v1/no-such-thing", headers={"Accept-Language": "en-US"}).get_json()
    assert (english["title"], english["detail"]) == ("Not Found", "There is nothing at this address.")
    assert set(body) == set(english)  # the same English field names whatever the language


def test_a_chinese_readers_personal_calendar_speaks_chinese(
        session: Session, coordinator: User, make_user: Callable[..., User],
        make_course: Callable[..., Course]) -> None:
    course = make_course(title_zh="打击网络诈骗培训班")
    li_na = courses.create_instructor(session, courses.InstructorDetails(
        name="Li Na", organisation="People's Public Security University"), actor=coordinator)
    courses.add_session(session, course, actor=coordinator, day=course.starts_on, starts=time(9),
                        ends=time(12), title="Tracing money mules", instructor_ids=[li_na.id])
    person = make_user(Role.PERSONNEL, country="US", locale="zh_Hans")
    enrolment.enrol(session, course, person, actor=person)
    session.commit()
    text = calendar.personal_feed(session, person, datetime(2031, 1, 1, tzinfo=UTC)).body.decode()
    unfolded = text.replace("\r\n ", "")
    assert "SUMMARY:打击网络诈骗培训班: Tracing money mules" in unfolded
    assert "教官：Li Na (People's Public Security University)" in unfolded
    assert "培训班：打击网络诈骗培训班" in unfolded
