"""The API's roster pages are written once per roster version and reader's scope, and reused: they
follow every change at once, and nobody reads a page written for a wider scope."""

from __future__ import annotations

from training.accounts import services as accounts
from training.accounts.models import Role
from training.enrolment import services
from training.enrolment.models import Enrolment


def _names(response) -> list[str]:
    assert response.status_code == 200, response.json
    return [item["person"]["name"] for item in response.json["items"]]


def test_a_kept_roster_page_follows_enrolments_renames_and_withdrawals(call, make_course, make_user, session):
    course = make_course(quotas={"US": 1, "CN": 1})
    path = f"/courses/{course.id}/enrolments?per_page=100"
    assert _names(call("GET", path, "coordinator")) == []  # written and kept, empty
    first = make_user(Role.PERSONNEL, "US", name="Amy First", password=None)
    second = make_user(Role.PERSONNEL, "US", name="Ben Second", password=None)
    for person in (first, second):
        services.enrol(session, course, person, actor=person)
    session.commit()
    page = call("GET", path, "coordinator").json
    assert page["total"] == 2 and {i["person"]["name"] for i in page["items"]} == {"Amy First", "Ben Second"}
    assert {i["person"]["name"]: i["waitlist_position"] for i in page["items"]} == {"Amy First": None,
                                                                                   "Ben Second": 1}
    accounts.update_profile(session, second, name="Ben Renamed", organisation="Border Unit", country="US",
                            timezone="Asia/Shanghai", locale=None)
    session.commit()
    renamed = call("GET", path, "coordinator").json
    person = next(i["person"] for i in renamed["items"] if i["user_id"] == second.id)
    assert person["name"] == "Ben Renamed" and person["organisation"] == "Border Unit"

    services.withdraw(session, session.query(Enrolment).filter_by(user_id=first.id).one(), actor=first)
    session.commit()
    after = {i["user_id"]: (i["status"], i["waitlist_position"])
             for i in call("GET", path, "coordinator").json["items"]}
    assert after == {first.id: ("withdrawn", None), second.id: ("confirmed", None)}  # promoted


def test_a_focal_point_never_reads_the_page_written_for_a_coordinator(call, make_course, make_user, session):
    course = make_course(quotas={"US": 2, "CN": 2})
    us = make_user(Role.PERSONNEL, "US", name="Uma States", password=None)
    cn = make_user(Role.PERSONNEL, "CN", name="Chen Mainland", password=None)
    for person in (us, cn):
        services.enrol(session, course, person, actor=person)
    session.commit()
    path = f"/courses/{course.id}/enrolments?per_page=100"
    assert sorted(_names(call("GET", path, "coordinator"))) == ["Chen Mainland", "Uma States"]
    assert _names(call("GET", path, "focal-us")) == ["Uma States"]
    assert _names(call("GET", path, "focal-cn")) == ["Chen Mainland"]
    assert call("GET", path, "personnel-us").status_code == 403
    assert call("GET", path, "anonymous").status_code == 401
