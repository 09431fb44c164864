"""The travel form's rules, called without HTTP: who may read and change it, what it refuses,
locking, and what the audit trail keeps (field names, never values)."""

from __future__ import annotations

from datetime import date, time, timedelta

import pytest
import sqlalchemy as sa

from tests.travel.conftest import complete_spec
from training.audit.models import AuditEntry
from training.core.errors import Conflict, DomainError, Forbidden, NotFound
from training.enrolment import services as enrolment
from training.travel import services
from training.travel.services import TravelSpec


def entries(session, action):
    return session.scalars(
        sa.select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)
    ).all()


def test_a_participant_fills_in_their_form_and_it_is_complete(session, trip):
    form = services.save_travel_form(session, trip.traveller, complete_spec(trip.course), actor=trip.person)
    session.commit()
    assert services.missing_fields(form) == []
    assert form.passport_number == "X12345678" and form.nights == 11
    saved = entries(session, "travel.saved")[-1]
    assert "passport_number" in saved.after["fields"] and saved.after["complete"] is True
    # The trail names what changed, never what it says.
    assert "X12345678" not in str(saved.after) and "CARTER" not in str(saved.after)


def test_a_partial_form_is_saved_and_says_what_is_missing(session, trip):
    form = services.save_travel_form(
        session, trip.traveller, TravelSpec(passport_name="CARTER, JOHN"), actor=trip.person
    )
    assert "passport_number" in services.missing_fields(
        form
    ) and "passport_name" not in services.missing_fields(form)


@pytest.mark.parametrize("who", ["traveller", "us_focal", "coordinator"])
def test_the_person_their_focal_point_and_coordinators_may_fill_it_in(session, trip, who):
    actor = trip.person if who == "traveller" else getattr(trip, who)
    services.save_travel_form(session, trip.traveller, complete_spec(trip.course), actor=actor)
    assert services.read_travel_form(session, trip.traveller, actor=actor).passport_number == "X12345678"


@pytest.mark.parametrize("who", ["cn_focal", "instructor", "other_trainee"])
def test_nobody_else_learns_the_form_exists(session, trip, who):
    services.save_travel_form(session, trip.traveller, complete_spec(trip.course), actor=trip.coordinator)
    with pytest.raises(NotFound):
        services.read_travel_form(session, trip.traveller, actor=getattr(trip, who))
    with pytest.raises(NotFound):
        services.save_travel_form(
            session, trip.traveller, complete_spec(trip.course), actor=getattr(trip, who)
        )


def test_every_reading_of_a_passport_is_audited(session, trip):
    services.save_travel_form(session, trip.traveller, complete_spec(trip.course), actor=trip.person)
    services.read_travel_form(session, trip.traveller, actor=trip.us_focal, via="api")
    read = entries(session, "travel.passport_read")[-1]
    assert (read.actor_id, read.via, read.subject_id) == (trip.us_focal.id, "api", trip.traveller.id)


def test_the_form_opens_only_with_a_seat(session, trip, make_user):
    trip.course.capacity = 20
    waiting = enrolment.enrol(
        session, trip.course, make_user(country="US"), actor=trip.coordinator, override_window=True
    )
    enrolment.withdraw(session, waiting, actor=trip.coordinator)
    with pytest.raises(Conflict, match="opens once the seat is confirmed"):
        services.save_travel_form(session, waiting, complete_spec(trip.course), actor=trip.coordinator)


@pytest.mark.parametrize(
    "changes, field, words",
    [
        (
            {"passport_expires_on": date(2027, 9, 30)},
            "passport_expires_on",
            "six months after the course ends",
        ),
        ({"departure_on": date(2027, 4, 10)}, "departure_on", "Leave between"),
        ({"arrival_on": date(2027, 3, 1)}, "arrival_on", "Arrive between"),
        (
            {
                "departure_on": date(2027, 4, 12),
                "departure_time": time(8),
                "arrival_on": date(2027, 4, 12),
                "arrival_time": time(9),
                "check_in_on": None,
                "check_out_on": None,
            },
            "departure_on",
            "departure comes before the arrival",
        ),
        ({"check_out_on": date(2027, 4, 11)}, "check_out_on", "Check out at least one night"),
        ({"passport_number": "X1!"}, "passport_number", "5 to 30 letters and digits"),
        ({"nationality": "ZZ"}, "nationality", "country that issued the passport"),
        ({"birth_date": "17/05/1984"}, "birth_date", "such as 2027-03-31"),
        ({"emergency_phone": "call Mary"}, "emergency_phone", "country code"),
        ({"hotel": ""}, "hotel", "Name the hotel"),
        ({"passport_name": "A\x00B"}, "passport_name", "control characters"),
    ],
)
def test_a_mistake_gets_a_clear_message_at_its_field_and_changes_nothing(
    session, trip, changes, field, words
):
    with pytest.raises(DomainError) as refused:
        services.save_travel_form(
            session, trip.traveller, complete_spec(trip.course, **changes), actor=trip.person
        )
    assert any(f == field and words in m for m, f in refused.value.problems), refused.value.problems
    session.rollback()
    assert services.stored_form(session, trip.traveller) is None


def test_a_passport_number_is_kept_as_printed_without_spaces(session, trip):
    form = services.save_travel_form(
        session,
        trip.traveller,
        complete_spec(trip.course, passport_number="x 1234 5678"),
        actor=trip.person,
    )
    assert form.passport_number == "X12345678"


def test_a_locked_form_can_be_corrected_but_the_change_is_flagged_and_audited(session, trip):
    services.save_travel_form(session, trip.traveller, complete_spec(trip.course), actor=trip.person)
    with pytest.raises(Forbidden):
        services.lock_travel_form(session, trip.traveller, actor=trip.us_focal)
    form = services.lock_travel_form(session, trip.traveller, actor=trip.coordinator)
    assert form.locked and not form.changed_after_lock
    services.save_travel_form(
        session, trip.traveller, complete_spec(trip.course, passport_number="X12345679"), actor=trip.us_focal
    )
    assert form.changed_after_lock
    flagged = entries(session, "travel.changed_after_lock")[-1]
    assert flagged.after["fields"] == ["passport_number"] and flagged.actor_id == trip.us_focal.id
    services.unlock_travel_form(session, trip.traveller, actor=trip.coordinator)
    assert not form.locked and not form.changed_after_lock


def test_an_incomplete_form_cannot_be_locked(session, trip):
    services.save_travel_form(
        session, trip.traveller, TravelSpec(passport_name="CARTER"), actor=trip.coordinator
    )
    with pytest.raises(Conflict, match="Only a complete travel form"):
        services.lock_travel_form(session, trip.traveller, actor=trip.coordinator)


def test_saving_the_same_details_again_changes_nothing_and_records_nothing(session, trip):
    services.save_travel_form(session, trip.traveller, complete_spec(trip.course), actor=trip.person)
    before = len(entries(session, "travel.saved"))
    services.save_travel_form(session, trip.traveller, complete_spec(trip.course), actor=trip.person)
    assert len(entries(session, "travel.saved")) == before


def test_arrival_is_allowed_two_weeks_before_and_departure_two_weeks_after(session, trip):
    c = trip.course
    spec = complete_spec(
        c,
        arrival_on=c.starts_on - timedelta(days=14),
        departure_on=c.ends_on + timedelta(days=14),
        check_in_on=c.starts_on - timedelta(days=14),
        check_out_on=c.ends_on + timedelta(days=14),
    )
    assert services.save_travel_form(session, trip.traveller, spec, actor=trip.coordinator).nights == 37
