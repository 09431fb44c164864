"""Property-based fuzzing of the whole API against its own OpenAPI document (schemathesis)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from training import create_app
from training.accounts.models import Role
from training.accounts.tokens import issue_token
from training.courses import services as courses
from training.enrolment import services as enrolment
from training.meetings import services as meetings
from training.symposia import services as symposia

# Bounded so the suite stays fast; every operation still gets varied, hostile input.
# Checked: no 5xx, every status documented, every body and header as documented, invalid
# input rejected. Not checked: that every schema-valid request succeeds, because the
# business rules (a closed window, a full symposium, an unknown timezone) rightly answer
# 422 to well-formed requests.
MAX_EXAMPLES = 30


def seed(session, coordinator) -> None:
    """One of each thing, so that ids the fuzzer tries (1 first among them) reach real objects."""
    start = date.today() + timedelta(days=40)
    course = courses.create_course(session, courses.CourseDetails(
        title="Fuzzed course", host_country="CN", city="Beijing", timezone="Asia/Shanghai",
        starts_on=start, ends_on=start + timedelta(days=4), capacity=10), actor=coordinator)
    courses.publish_course(session, course, actor=coordinator)
    enrolment.set_quotas(session, course, {"CN": 5, "US": 5}, actor=coordinator)
    teacher = courses.create_instructor(session, courses.InstructorDetails(name="Fuzz Teacher"),
                                        actor=coordinator)
    courses.add_session(session, course, actor=coordinator, day=start, starts=time(9), ends=time(10),
                        title="Opening", instructor_ids=[teacher.id])
    enrolment.enrol(session, course, coordinator, actor=coordinator)
    moment = datetime.combine(start, time(9))
    symposium = symposia.create_symposium(session, symposia.SymposiumFields(
        title="Fuzzed symposium", city="Beijing", timezone="Asia/Shanghai", starts_at=moment,
        ends_at=moment + timedelta(hours=8), capacity=5, rsvp_deadline=moment - timedelta(days=5),
        organiser_name="Fuzz", organiser_email="fuzz@example.org"), actor=coordinator)
    symposia.publish_symposium(session, symposium, actor=coordinator)
    symposia.add_invitation(session, symposium, actor=coordinator, name="Invitee", email="i@example.org")
    series = meetings.create_series(session, meetings.SeriesSpec(
        title="Fuzzed series", timezone="Asia/Shanghai", starts_at=moment, duration_minutes=60,
        rrule="FREQ=WEEKLY;COUNT=4", participants=[meetings.ParticipantSpec("p@example.org")]),
        actor=coordinator)
    meetings.add_action(session, series, meetings.meetings_of(series)[0].key, meetings.ActionSpec(
        what="Fuzzed item", side="CN", owner_name="Owner", due_on=start + timedelta(days=3)),
        actor=coordinator)
    meetings.add_contact_point(session, meetings.ContactSpec(side="CN", name="Desk",
                                                             phone="+86 10 1234 5678"), actor=coordinator)
    session.commit()


def _operations() -> list[tuple[str, str]]:
    """(method, path) of every operation the API documents, read from its own OpenAPI document."""
    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    document = app.test_client().get("/api/v1/openapi.json").get_json()
    return [(method.upper(), path) for path, item in document["paths"].items()
            for method in item if method in ("get", "put", "post", "patch", "delete")]


# One test per operation and database, so that pytest-xdist spreads the fuzzing over its workers.
OPERATIONS = _operations()


def test_the_fuzzer_reaches_every_operation_of_the_document(app):
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    fuzzed = [(operation.method.upper(), operation.path)
              for operation in (result.ok() for result in schema.get_all_operations())]
    assert sorted(fuzzed) == sorted(OPERATIONS)
    assert len(OPERATIONS) >= 30


@pytest.mark.parametrize(("method", "path"), OPERATIONS, ids=[f"{m} {p}" for m, p in OPERATIONS])
def test_api_never_errors_and_keeps_to_its_document(app, session, make_user, backend, method, path):
    coordinator = make_user(role=Role.COORDINATOR, country="CN", email="fuzz@example.org")
    token, _row = issue_token(session, coordinator)
    seed(session, coordinator)
    headers = {"Authorization": f"Bearer {token}"}
    operation = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)[path][method]
    examples = 0

    @given(case=operation.as_strategy())
    @settings(max_examples=MAX_EXAMPLES, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    def exercise(case) -> None:
        nonlocal examples
        examples += 1
        case.call_and_validate(headers=headers, excluded_checks=[positive_data_acceptance])

    exercise()
    print(f"\nfuzzer ({backend}): {operation.label}, {examples} examples")
