"""Who may call what: every endpoint, as every role, against the rules of the HTML pages.

"us"/"cn" are relative to the course's seats and to the person acted upon, who are American:
personnel-us and focal-us are of the right country, personnel-cn and focal-cn of the wrong one.
The instructor teaches the course. Each call that changes something gets a fresh target, so
that every role meets the same situation.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import datetime, time, timedelta
from typing import Any

import pytest

from tests.api.conftest import ROLES
from tests.api.test_symposia import symposium_body
from tests.conftest import PASSWORD
from tests.travel.letters.conftest import SETTINGS as LETTER_SETTINGS
from tests.travel.letters.conftest import fill_form
from training.accounts.models import Role, User
from training.clearance import services as clearance
from training.courses import services as courses
from training.courses.models import Course
from training.enrolment import services as enrolment
from training.meetings import services as meetings
from training.symposia import services as symposia
from training.travel.letters import services as letters

A, U, F, N = 401, 403, 404, 422  # anonymous, forbidden, not found (hidden), refused by a rule
ONLY_COORDINATORS_201 = dict(zip(ROLES, (A, U, U, U, U, U, 201, 201), strict=True))
ONLY_COORDINATORS_200 = dict(zip(ROLES, (A, U, U, U, U, U, 200, 200), strict=True))
EVERYONE_200 = dict.fromkeys(ROLES, 200)
SIGNED_IN_200 = {role: A if role == "anonymous" else 200 for role in ROLES}
SIGNED_IN_201 = {role: A if role == "anonymous" else 201 for role in ROLES}
DRAFT_HIDDEN = dict(zip(ROLES, (F, F, F, F, F, F, 200, 200), strict=True))

# endpoint -> status per role, in ROLES order
EXPECTED: dict[str, dict[str, int]] = {
    "POST /tokens (own password)": dict(zip(ROLES, (A, 201, 201, 201, 201, 201, 201, 201), strict=True)),
    "GET /me": SIGNED_IN_200,
    "POST /me/feed-token": SIGNED_IN_201,
    "POST /users (a US person)": dict(zip(ROLES, (A, U, U, 201, U, U, 201, 201), strict=True)),
    "GET /courses": EVERYONE_200,
    "GET /courses/{id}": EVERYONE_200,
    "GET /courses/{draft}": DRAFT_HIDDEN,
    "POST /courses": ONLY_COORDINATORS_201,
    "PATCH /courses/{id}": ONLY_COORDINATORS_200,
    "POST /courses/{id}/publish": ONLY_COORDINATORS_200,
    "POST /courses/{id}/cancel": ONLY_COORDINATORS_200,
    "PUT /courses/{id}/quotas": ONLY_COORDINATORS_200,
    "GET /courses/{id}/sessions": EVERYONE_200,
    "POST /courses/{id}/sessions": ONLY_COORDINATORS_201,
    "PATCH /sessions/{id}": ONLY_COORDINATORS_200,
    "DELETE /sessions/{id}": ONLY_COORDINATORS_200,
    "GET /instructors": EVERYONE_200,
    "POST /instructors": ONLY_COORDINATORS_201,
    # Enrolling oneself is open to everyone signed in; only US personnel have seats here
    # (the admin has no country at all).
    "POST /courses/{id}/enrolments {}": dict(zip(ROLES, (A, 201, N, 201, N, N, N, N), strict=True)),
    "POST /courses/{id}/enrolments {user_id}": dict(zip(ROLES, (A, U, U, 201, U, U, 201, 201), strict=True)),
    "GET /courses/{id}/enrolments": dict(zip(ROLES, (A, U, U, 200, 200, 200, 200, 200), strict=True)),
    "GET /me/enrolments": SIGNED_IN_200,
    "GET /me/export": SIGNED_IN_200,
    "GET /enrolments/{id}": dict(zip(ROLES, (A, U, U, 200, U, 200, 200, 200), strict=True)),
    "POST /enrolments/{id}/approve": ONLY_COORDINATORS_200,
    "POST /enrolments/{id}/reject": ONLY_COORDINATORS_200,
    "POST /enrolments/{id}/withdraw": dict(zip(ROLES, (A, U, U, 200, U, U, 200, 200), strict=True)),
    "POST /symposia": ONLY_COORDINATORS_201,
    "GET /symposia/{id}": EVERYONE_200,
    "GET /symposia/{draft}": DRAFT_HIDDEN,
    "POST /symposia/{id}/publish": ONLY_COORDINATORS_200,
    "POST /symposia/{id}/invitations": ONLY_COORDINATORS_201,
    "GET /symposia/{id}/invitations": ONLY_COORDINATORS_200,
    "POST /invitations/{id}/resend": ONLY_COORDINATORS_200,
    "POST /rsvp/{token}": EVERYONE_200,
    "GET /courses/{id}/requirements": EVERYONE_200,
    "PUT /courses/{id}/requirements": ONLY_COORDINATORS_200,
    # The person acted upon is a fresh American: personnel-us is someone else of their country.
    "POST /enrolments/{id}/requirements/{key}/document": dict(zip(ROLES, (A, F, F, 201, F, F, U, U),
                                                                  strict=True)),
    "GET /enrolments/{id}/requirements/{key}/document": dict(zip(ROLES, (A, F, F, 200, F, F, 200, 200),
                                                                 strict=True)),
    "POST /enrolments/{id}/requirements/{key}/decision": ONLY_COORDINATORS_200,
    "POST /enrolments/{id}/requirements/{key}/extend": ONLY_COORDINATORS_200,
    # The travel form of a fresh American: as for documents, nobody else learns it exists.
    "GET /enrolments/{id}/logistics": dict(zip(ROLES, (A, F, F, 200, F, F, 200, 200), strict=True)),
    "PUT /enrolments/{id}/logistics": dict(zip(ROLES, (A, F, F, 200, F, F, 200, 200), strict=True)),
    "GET /courses/{id}/arrivals": ONLY_COORDINATORS_200,
    # A fresh American's letter: the person's focal point and coordinators draw it; anyone may verify it.
    "POST /enrolments/{id}/letters": ONLY_COORDINATORS_201,
    "GET /letters/{code}/pdf": dict(zip(ROLES, (A, F, F, 200, F, F, 200, 200), strict=True)),
    "GET /letters/{code}": EVERYONE_200,
    # The series is China–US: both focal points see it; personnel and instructors see no meetings.
    "POST /meetings": ONLY_COORDINATORS_201,
    "GET /meetings/{id}": dict(zip(ROLES, (A, U, U, 200, 200, U, 200, 200), strict=True)),
    "GET /meetings/{id}/occurrences": dict(zip(ROLES, (A, U, U, 200, 200, U, 200, 200), strict=True)),
    "PATCH /meetings/{id}": ONLY_COORDINATORS_200,
    "PATCH /meetings/{id}/occurrences/{recurrence_id}": ONLY_COORDINATORS_200,
    "POST /meetings/{id}/occurrences/{recurrence_id}/actions": ONLY_COORDINATORS_201,
    # The item is the US side's: its focal point may mark it, China's may not.
    "PATCH /actions/{id}": dict(zip(ROLES, (A, U, U, 200, U, U, 200, 200), strict=True)),
    "GET /contact-points": dict(zip(ROLES, (A, U, U, 200, 200, U, 200, 200), strict=True)),
    "POST /contact-points": ONLY_COORDINATORS_201,
    # The contact point is the US side's: its focal point keeps it up to date, China's may not.
    "PATCH /contact-points/{id}": dict(zip(ROLES, (A, U, U, 200, U, U, 200, 200), strict=True)),
    "DELETE /contact-points/{id}": ONLY_COORDINATORS_200,
    "POST /contact-points/{id}/tests": dict(zip(ROLES, (A, U, U, 201, 201, U, 201, 201), strict=True)),
}
REQUIREMENTS = [
    {"key": "passport", "kind": "document", "title": "Passport copy", "due_days_before_start": 45},
    {"key": "vetting", "kind": "check", "title": "Vetting cleared", "due_days_before_start": 30},
]
PDF = b"%PDF-1.4\n%%EOF\n"


@pytest.fixture
def world(session, people, make_course, make_user, teacher, call):
    """The course, draft, session, symposium and factories of fresh targets the calls act on."""
    coordinator = people["coordinator"]
    counter = iter(range(1, 10_000))

    def course(**fields: Any):
        return make_course(**fields)

    main = course()
    day = main.starts_on
    taught = courses.add_session(session, main, actor=coordinator, day=day,
                                 starts=time(9), ends=time(10), title="Opening",
                                 instructor_ids=[teacher.id])
    clearance.set_requirements(session, main, [clearance.RequirementSpec(**r) for r in REQUIREMENTS],
                               actor=coordinator)
    session.commit()

    def american(enrolled_on=None):
        person = make_user(Role.PERSONNEL, "US", password=None)
        if enrolled_on is None:
            return person
        found = enrolment.enrol(session, enrolled_on, person, actor=person)
        session.commit()
        return found

    def with_document():
        found = american(main)
        clearance.submit_document(session, found, "passport", filename="p.pdf", content=PDF,
                                  actor=session.get(User, found.user_id))
        session.commit()
        return found

    def seated():
        """A fresh American holding a seat on a fresh course (their travel form is open)."""
        found = american(course())
        if not found.holds_seat:
            found = enrolment.approve(session, found, actor=coordinator)
        session.commit()
        return found

    def lettered():
        """A fresh American with a complete travel form, on a course whose letter settings are filled in."""
        found = seated()
        fresh = session.get(Course, found.course_id)
        courses.update_letter_settings(session, fresh, LETTER_SETTINGS, actor=coordinator)
        fill_form(session, found, n=next(counter))
        session.commit()
        return found

    def letter_code():
        code = letters.issue_letter(session, lettered(), actor=coordinator).code
        session.commit()
        return code

    def fresh_session():
        n = next(counter)
        added = courses.add_session(session, main, actor=coordinator, day=day + timedelta(days=1 + n % 8),
                                    starts=time(6 + n // 8), ends=time(6 + n // 8, 30),
                                    title=f"Session {n}")
        session.commit()
        return added

    def symposium(publish=True):
        made = symposia.create_symposium(session, symposia.SymposiumFields(**{
            **symposium_body(title=f"Symposium {next(counter)}"), "organiser_name": "Chen Jing",
            "organiser_email": "chen@mps.example"} | _datetimes()), actor=coordinator)
        if publish:
            symposia.publish_symposium(session, made, actor=coordinator)
        session.commit()
        return made

    published = symposium()
    invitation = symposia.add_invitation(session, published, actor=coordinator, name="Sarah Mitchell",
                                         email="policy@google.example", organisation="Google",
                                         delegates_allowed=2)
    # Answered by everyone in turn; a second invitation is the one sent again.
    token = invitation.issued_link.rsplit("/", 1)[1]
    resent = symposia.add_invitation(session, published, actor=coordinator, name="Tom Baker",
                                     email="policy@meta.example", organisation="Meta")
    series = meetings.create_series(session, meetings.SeriesSpec(
        title="Working-level meeting", timezone="America/New_York", starts_at=datetime(2031, 1, 8, 10),
        duration_minutes=60, rrule="FREQ=WEEKLY;COUNT=20"), actor=coordinator)
    item = meetings.add_action(session, series, "2031-01-08T10:00:00", meetings.ActionSpec(
        what="Share the logs", side="US", owner_name="Agent Smith", due_on="2031-02-01"), actor=coordinator)
    hotline = meetings.add_contact_point(session, meetings.ContactSpec(side="US", name="CyWatch",
                                                                       phone="+1 855 292 3937"),
                                         actor=coordinator)
    session.commit()

    def desk():
        added = meetings.add_contact_point(session, meetings.ContactSpec(
            side="US", name=f"Desk {next(counter)}", phone="+1 202 555 0100"), actor=coordinator)
        session.commit()
        return added

    return {"main": main, "taught": taught, "course": course, "american": american,
            "series": series, "item": item, "hotline": hotline, "desk": desk,
            "fresh_session": fresh_session, "seated": seated, "lettered": lettered,
            "letter_code": letter_code, "symposium": symposium, "published": published,
            "resent": resent, "token": token, "counter": counter, "with_document": with_document,
            "draft": make_course(publish=False), "draft_symposium": symposium(publish=False)}


def _datetimes() -> dict[str, Any]:
    from datetime import datetime

    body = symposium_body()
    return {name: datetime.fromisoformat(body[name]) for name in ("starts_at", "ends_at", "rsvp_deadline")}


def requests_for(world: dict[str, Any], people: dict[str, Any]) -> dict[str, Callable[[str], tuple]]:
    """endpoint -> (role -> (method, path, body)), making fresh targets as needed."""
    w = world
    main = w["main"]
    series = w["series"]
    n = w["counter"]

    def new_course(role):
        return ("POST", "/courses", {"title": f"Course by {role}", "host_country": "CN", "city": "Beijing",
                                     "timezone": "Asia/Shanghai", "starts_on": "2031-05-01",
                                     "ends_on": "2031-05-03", "capacity": 5})

    def new_session(role):
        day = (main.starts_on + timedelta(days=1 + next(n) % 8)).isoformat()
        hour = 12 + next(n) % 10
        return ("POST", f"/courses/{main.id}/sessions", {
            "title": f"By {role}", "starts_at": f"{day}T{hour:02d}:05:00",
            "ends_at": f"{day}T{hour:02d}:10:00"})

    def approval_course():
        return w["course"](requires_approval=True)

    return {
        "POST /tokens (own password)": lambda role: ("POST", "/tokens", {
            "email": people[role].email if role in people else "nobody@example.org", "password": PASSWORD}),
        "GET /me": lambda role: ("GET", "/me", None),
        "POST /me/feed-token": lambda role: ("POST", "/me/feed-token", None),
        "POST /users (a US person)": lambda role: ("POST", "/users", {
            "email": f"new-{next(n)}@us.example", "name": "New Person", "country": "US"}),
        "GET /courses": lambda role: ("GET", "/courses", None),
        "GET /courses/{id}": lambda role: ("GET", f"/courses/{main.id}", None),
        "GET /courses/{draft}": lambda role: ("GET", f"/courses/{w['draft'].id}", None),
        "POST /courses": new_course,
        "PATCH /courses/{id}": lambda role: ("PATCH", f"/courses/{main.id}", {"venue": f"Hall {role}"}),
        "POST /courses/{id}/publish": lambda role: (
            "POST", f"/courses/{w['course'](publish=False).id}/publish", None),
        "POST /courses/{id}/cancel": lambda role: ("POST", f"/courses/{w['course']().id}/cancel", {}),
        "PUT /courses/{id}/quotas": lambda role: ("PUT", f"/courses/{main.id}/quotas", {"US": 15}),
        "GET /courses/{id}/sessions": lambda role: ("GET", f"/courses/{main.id}/sessions", None),
        "POST /courses/{id}/sessions": new_session,
        "PATCH /sessions/{id}": lambda role: (
            "PATCH", f"/sessions/{w['taught'].id}", {"room": f"Room {role}"}),
        "DELETE /sessions/{id}": lambda role: ("DELETE", f"/sessions/{w['fresh_session']().id}", None),
        "GET /instructors": lambda role: ("GET", "/instructors", None),
        "POST /instructors": lambda role: ("POST", "/instructors", {"name": f"Instructor by {role}"}),
        "POST /courses/{id}/enrolments {}": lambda role: ("POST", f"/courses/{main.id}/enrolments", {}),
        "POST /courses/{id}/enrolments {user_id}": lambda role: (
            "POST", f"/courses/{w['course']().id}/enrolments", {"user_id": w["american"]().id}),
        "GET /courses/{id}/enrolments": lambda role: ("GET", f"/courses/{main.id}/enrolments", None),
        "GET /me/enrolments": lambda role: ("GET", "/me/enrolments", None),
        "GET /me/export": lambda role: ("GET", "/me/export", None),
        "GET /enrolments/{id}": lambda role: ("GET", f"/enrolments/{w['american'](main).id}", None),
        "POST /enrolments/{id}/approve": lambda role: (
            "POST", f"/enrolments/{w['american'](approval_course()).id}/approve", None),
        "POST /enrolments/{id}/reject": lambda role: (
            "POST", f"/enrolments/{w['american'](approval_course()).id}/reject", {"reason": "Full."}),
        "POST /enrolments/{id}/withdraw": lambda role: (
            "POST", f"/enrolments/{w['american'](w['course']()).id}/withdraw", None),
        "POST /symposia": lambda role: ("POST", "/symposia", symposium_body(title=f"By {role}")),
        "GET /symposia/{id}": lambda role: ("GET", f"/symposia/{w['published'].id}", None),
        "GET /symposia/{draft}": lambda role: ("GET", f"/symposia/{w['draft_symposium'].id}", None),
        "POST /symposia/{id}/publish": lambda role: (
            "POST", f"/symposia/{w['symposium'](publish=False).id}/publish", None),
        "POST /symposia/{id}/invitations": lambda role: (
            "POST", f"/symposia/{w['published'].id}/invitations",
            {"invitations": [{"name": "X", "email": f"x{next(n)}@meta.example"}]}),
        "GET /symposia/{id}/invitations": lambda role: (
            "GET", f"/symposia/{w['published'].id}/invitations", None),
        "POST /invitations/{id}/resend": lambda role: ("POST", f"/invitations/{w['resent'].id}/resend", None),
        "POST /rsvp/{token}": lambda role: ("POST", f"/rsvp/{w['token']}", {"response": "tentative"}),
        "GET /courses/{id}/requirements": lambda role: ("GET", f"/courses/{main.id}/requirements", None),
        "PUT /courses/{id}/requirements": lambda role: (
            "PUT", f"/courses/{main.id}/requirements", {"requirements": REQUIREMENTS}),
        "POST /enrolments/{id}/requirements/{key}/document": lambda role: (
            "POST", f"/enrolments/{w['american'](main).id}/requirements/passport/document", None,
            {"data": {"file": (io.BytesIO(PDF), "passport.pdf")}, "content_type": "multipart/form-data"}),
        "GET /enrolments/{id}/requirements/{key}/document": lambda role: (
            "GET", f"/enrolments/{w['with_document']().id}/requirements/passport/document", None),
        "POST /enrolments/{id}/requirements/{key}/decision": lambda role: (
            "POST", f"/enrolments/{w['american'](main).id}/requirements/vetting/decision",
            {"decision": "accepted"}),
        "POST /enrolments/{id}/requirements/{key}/extend": lambda role: (
            "POST", f"/enrolments/{w['american'](main).id}/requirements/passport/extend",
            {"due_at": f"{main.starts_on.isoformat()}T09:00:00", "reason": "Passport office closed."}),
        "GET /enrolments/{id}/logistics": lambda role: (
            "GET", f"/enrolments/{w['american'](main).id}/logistics", None),
        "PUT /enrolments/{id}/logistics": lambda role: (
            "PUT", f"/enrolments/{w['seated']().id}/logistics", {"passport_name": "CARTER, JOHN"}),
        "GET /courses/{id}/arrivals": lambda role: ("GET", f"/courses/{main.id}/arrivals", None),
        "POST /enrolments/{id}/letters": lambda role: (
            "POST", f"/enrolments/{w['lettered']().id}/letters", {}),
        "GET /letters/{code}/pdf": lambda role: ("GET", f"/letters/{w['letter_code']()}/pdf", None),
        "GET /letters/{code}": lambda role: ("GET", f"/letters/{w['letter_code']()}", None),
        "POST /meetings": lambda role: ("POST", "/meetings", {
            "title": f"Meeting by {role}", "timezone": "Asia/Shanghai", "starts_at": "2031-03-05T10:00:00",
            "duration_minutes": 90, "rrule": "FREQ=MONTHLY;BYDAY=1WE;COUNT=6"}),
        "GET /meetings/{id}": lambda role: ("GET", f"/meetings/{series.id}", None),
        "GET /meetings/{id}/occurrences": lambda role: ("GET", f"/meetings/{series.id}/occurrences", None),
        "PATCH /meetings/{id}": lambda role: (
            "PATCH", f"/meetings/{series.id}", {"location": f"Room {role}"}),
        # Each role cancels a meeting of its own (the week after the one before).
        "PATCH /meetings/{id}/occurrences/{recurrence_id}": lambda role: (
            "PATCH", f"/meetings/{series.id}/occurrences/"
                     f"{(datetime(2031, 1, 8, 10) + timedelta(weeks=ROLES.index(role))).isoformat()}",
            {"status": "cancelled"}),
        "POST /meetings/{id}/occurrences/{recurrence_id}/actions": lambda role: (
            "POST", f"/meetings/{series.id}/occurrences/2031-01-08T10:00:00/actions",
            {"what": f"Item by {role}", "side": "CN", "owner_name": "Wang Jun", "due_on": "2031-03-01"}),
        "PATCH /actions/{id}": lambda role: ("PATCH", f"/actions/{w['item'].id}", {"status": "done"}),
        "GET /contact-points": lambda role: ("GET", "/contact-points", None),
        "POST /contact-points": lambda role: ("POST", "/contact-points", {
            "side": "CN", "name": f"Desk of {role}", "phone": "+86 10 6620 4110"}),
        "PATCH /contact-points/{id}": lambda role: (
            "PATCH", f"/contact-points/{w['hotline'].id}", {"hours": f"24/7, asked by {role}"}),
        "DELETE /contact-points/{id}": lambda role: ("DELETE", f"/contact-points/{w['desk']().id}", None),
        "POST /contact-points/{id}/tests": lambda role: (
            "POST", f"/contact-points/{w['hotline'].id}/tests", {"method": "phone", "result": "reached"}),
    }


def test_every_endpoint_answers_each_role_as_the_html_rules_say(call, world, people, client):
    requests = requests_for(world, people)
    assert set(requests) == set(EXPECTED)
    documented = {f"{method.upper()} {path.removeprefix('/api/v1')}"
                  for path, ops in client.get("/api/v1/openapi.json").json["paths"].items()
                  for method in ops if method != "parameters"}
    covered = {" ".join(label.split(" ")[:2]).replace("{draft}", "{id}") for label in EXPECTED}
    normalised = {op.replace("{course_id}", "{id}").replace("{session_id}", "{id}")
                  .replace("{enrolment_id}", "{id}").replace("{symposium_id}", "{id}")
                  .replace("{invitation_id}", "{id}").replace("{series_id}", "{id}")
                  .replace("{action_id}", "{id}").replace("{point_id}", "{id}") for op in documented}
    assert normalised == covered  # every operation of the document is in the matrix

    seen: dict[str, dict[str, int]] = {}
    for label, make in requests.items():
        for role in ROLES:
            method, path, body, *options = make(role)
            who = None if label.startswith("POST /tokens") else role
            response = call(method, path, who, body, **(options[0] if options else {}))
            seen.setdefault(label, {})[role] = response.status_code
            if response.status_code >= 400:
                assert response.headers["Content-Type"] == "application/problem+json"

    width = max(map(len, EXPECTED))
    lines = [f"{'endpoint':<{width}}  " + " ".join(f"{r:>12}" for r in ROLES)]
    for label, statuses in seen.items():
        cells = [f"{statuses[r]:>12}" if statuses[r] == EXPECTED[label][r] else f"{statuses[r]:>11}!"
                 for r in ROLES]
        lines.append(f"{label:<{width}}  " + " ".join(cells))
    print("\n" + "\n".join(lines))
    assert seen == EXPECTED
