"""Cancelling a session and removing an instructor ask first; a cancelled session can be restored
by a coordinator, in calendars too, and everyone concerned is told."""

from __future__ import annotations

import re
from datetime import date
from html import unescape

import pytest
import sqlalchemy as sa

from tests.conftest import csrf_token
from training.accounts.models import Role
from training.audit.models import AuditEntry
from training.core.errors import Conflict, DomainError, Forbidden
from training.courses import services
from training.courses.models import CourseSession, Instructor
from training.outbox.models import OutboxMessage

DAY = date(2031, 3, 4)


def _mail(session) -> list[OutboxMessage]:
    return session.scalars(sa.select(OutboxMessage).order_by(OutboxMessage.id)).all()


def _confirmation_fields(html: str) -> dict[str, str]:
    form = re.search(r'<form method="post" class="form" novalidate>(.*?)</form>', html, re.S).group(1)
    fields = {}
    for tag in re.findall(r"<input[^>]*>", form):
        value = re.search(r'value="([^"]*)"', tag)
        fields[re.search(r'name="([^"]+)"', tag).group(1)] = unescape(value.group(1)) if value else ""
    return fields


def _feed_event(client, slug: str) -> str:
    body = client.get(f"/calendar/courses/{slug}.ics").get_data(as_text=True).replace("\r\n ", "")
    return re.search(r"BEGIN:VEVENT(.*?)END:VEVENT", body, re.S).group(1)


def test_cancelling_a_session_asks_first_and_going_back_changes_nothing(
    login, coordinator, make_course, make_instructor, add_session, session
):
    course = make_course()
    li = make_instructor("Li Na", email="li@example.cn")
    lecture = add_session(course, DAY, "09:00", "10:00", title="Forensics", instructors=[li], room="Hall A")
    client = login(coordinator)
    schedule = f"/courses/{course.slug}/schedule"
    path = f"/courses/{course.slug}/sessions/{lecture.id}/cancel"
    assert f'href="{path}"' in client.get(schedule).get_data(as_text=True)
    html = client.get(path).get_data(as_text=True)
    assert "Cancel the session “Forensics”?" in html
    assert "1 person is told by mail: its instructors and the people on the course." in html
    assert "You can restore it from the schedule editor." in html
    assert re.search(rf'<a class="button" href="{schedule}">Keep the session</a>', html)

    refused = client.post(path, data={"csrf_token": csrf_token(client, schedule)})
    assert refused.status_code == 200 and "Cancel the session" in refused.get_data(as_text=True)
    session.expire_all()
    assert not session.get(CourseSession, lecture.id).cancelled and _mail(session) == []

    assert client.post(path, data=_confirmation_fields(html)).headers["Location"] == schedule
    session.expire_all()
    assert session.get(CourseSession, lecture.id).cancelled
    assert [m.recipient for m in _mail(session)] == ["li@example.cn"]


def test_a_coordinator_restores_a_cancelled_session_from_the_schedule_editor(
    login, client, coordinator, make_course, make_instructor, add_session, session
):
    course = make_course()
    li = make_instructor("Li Na", email="li@example.cn")
    lecture = add_session(course, DAY, "09:00", "10:00", title="Forensics", instructors=[li], room="Hall A")
    services.cancel_session(session, lecture, course, actor=coordinator)
    session.commit()
    assert "STATUS:CANCELLED" in _feed_event(client, course.slug)
    cancelled_sequence = int(re.search(r"SEQUENCE:(\d+)", _feed_event(client, course.slug)).group(1))
    login(coordinator)
    schedule = f"/courses/{course.slug}/schedule"
    html = client.get(schedule).get_data(as_text=True)
    assert f'action="/courses/{course.slug}/sessions/{lecture.id}/restore"' in html

    response = client.post(f"/courses/{course.slug}/sessions/{lecture.id}/restore",
                           data={"csrf_token": csrf_token(client, schedule)})
    assert response.status_code == 302
    session.expire_all()
    restored = session.get(CourseSession, lecture.id)
    assert not restored.cancelled and restored.sequence == 2
    event = _feed_event(client, course.slug)
    assert "STATUS:CANCELLED" not in event
    assert int(re.search(r"SEQUENCE:(\d+)", event).group(1)) == cancelled_sequence + 1
    mail = _mail(session)[-1]
    assert mail.recipient == "li@example.cn" and mail.subject == f"On again: Forensics ({course.title})"
    entry = session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "session.restored")).one()
    assert entry.actor_id == coordinator.id
    assert entry.before["cancelled"] is True and entry.after["cancelled"] is False


@pytest.mark.parametrize("role", [Role.PERSONNEL, Role.FOCAL_POINT, Role.INSTRUCTOR])
def test_only_coordinators_restore_a_session(role, session, make_user, make_course, add_session, coordinator):
    course = make_course()
    lecture = add_session(course, DAY, "09:00", "10:00")
    services.cancel_session(session, lecture, course, actor=coordinator)
    session.commit()
    with pytest.raises(Forbidden):
        services.restore_session(session, lecture, course, actor=make_user(role, country="US"))
    session.rollback()
    assert session.get(CourseSession, lecture.id).cancelled


def test_a_session_comes_back_only_where_a_new_one_could_go(
    session, make_course, make_instructor, add_session, coordinator
):
    course = make_course()
    li = make_instructor("Li Na")
    lecture = add_session(course, DAY, "09:00", "10:00", title="Forensics", instructors=[li])
    with pytest.raises(DomainError, match="not cancelled"):
        services.restore_session(session, lecture, course, actor=coordinator)
    services.cancel_session(session, lecture, course, actor=coordinator)
    add_session(course, DAY, "09:30", "10:30", title="Replacement", instructors=[li])
    with pytest.raises(Conflict, match="Replacement"):
        services.restore_session(session, lecture, course, actor=coordinator)
    session.rollback()
    assert session.get(CourseSession, lecture.id).cancelled


def test_removing_an_instructor_asks_first(login, coordinator, make_instructor, session):
    zhang = make_instructor("Zhang Wei", organisation="MPS")
    client = login(coordinator)
    page = f"/instructors/{zhang.id}"
    path = f"/instructors/{zhang.id}/delete"
    assert f'href="{path}?next=%2Finstructors%2F{zhang.id}"' in client.get(page).get_data(as_text=True)
    html = client.get(f"{path}?next={page}").get_data(as_text=True)
    assert "Remove Zhang Wei from the directory?" in html and "this cannot be undone" in html
    client.post(path, data={"csrf_token": csrf_token(client, page)})
    assert session.scalar(sa.select(sa.func.count()).select_from(Instructor)) == 1
    assert client.post(path, data=_confirmation_fields(html)).headers["Location"] == "/instructors"
    assert session.scalar(sa.select(sa.func.count()).select_from(Instructor)) == 0


def test_cancelling_a_draft_tells_nobody_and_says_so(login, coordinator, make_course, add_session, session):
    course = make_course(publish=False)
    add_session(course, DAY, "09:00", "10:00")
    client = login(coordinator)
    html = client.get(f"/courses/{course.slug}/cancel").get_data(as_text=True)
    assert "Nobody is told: the course is not published." in html and "told by mail" not in html
    client.post(f"/courses/{course.slug}/cancel",
                data={**_confirmation_fields(html), "reason": "Not needed."})
    assert _mail(session) == []
    session.expire_all()
    assert session.get(CourseSession, session.scalar(sa.select(CourseSession.id))).cancelled
