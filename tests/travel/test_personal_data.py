"""The travel form in the person's export, gone with their erasure, and its passport, needs and
emergency contact deleted once the retention period after the course has passed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from tests.travel.conftest import complete_spec
from training.accounts.models import Role
from training.accounts.personal_data import erase_person, export_person
from training.audit.models import AuditEntry
from training.enrolment.models import Enrolment, SeatQuota
from training.travel import services
from training.travel.models import TravelForm


def test_a_persons_export_holds_their_travel_form(session, trip):
    services.save_travel_form(session, trip.traveller, complete_spec(trip.course), actor=trip.person)
    export = export_person(session, trip.person, actor=trip.person)
    (form,) = export["travel"]
    assert form["passport_number"] == "X12345678" and form["arrival_time"] == "14:35:00"
    assert form["course_id"] == trip.course.id and form["locked_at"] is None


def test_erasing_a_person_deletes_their_travel_form_and_keeps_their_seat(session, trip, make_user):
    services.save_travel_form(session, trip.traveller, complete_spec(trip.course), actor=trip.person)
    session.commit()
    confirmed = session.scalar(
        sa.select(SeatQuota.confirmed).where(SeatQuota.course_id == trip.course.id, SeatQuota.country == "US")
    )
    erase_person(session, trip.person, actor=make_user(Role.ADMIN, None))
    session.commit()
    assert session.scalar(sa.select(sa.func.count()).select_from(TravelForm)) == 0
    assert session.get(Enrolment, trip.traveller_id).status.value == "confirmed"
    assert (
        session.scalar(
            sa.select(SeatQuota.confirmed).where(
                SeatQuota.course_id == trip.course.id, SeatQuota.country == "US"
            )
        )
        == confirmed
    )


def test_the_passport_is_deleted_after_the_retention_period_and_the_journey_stays(app, session, trip):
    services.save_travel_form(session, trip.traveller, complete_spec(trip.course), actor=trip.person)
    session.commit()
    days = app.config["DOCUMENT_RETENTION_DAYS"]
    # The end of the last day in Beijing, plus the retention period: 16:00 UTC the day before.
    due = datetime(2027, 4, 21, 16, tzinfo=UTC) + timedelta(days=days)
    runner = app.test_cli_runner()
    early = runner.invoke(args=["travel", "purge", "--now", (due - timedelta(minutes=1)).isoformat()])
    assert early.exit_code == 0 and "0 travel forms" in early.output
    rehearsal = runner.invoke(args=["travel", "purge", "--dry-run", "--now", due.isoformat()])
    assert "1 travel forms: passport and needs would delete" in rehearsal.output
    assert services.stored_form(session, trip.traveller).passport_number == "X12345678"
    done = runner.invoke(args=["travel", "purge", "--now", due.isoformat()])
    assert done.exit_code == 0 and f"{trip.course.slug}: enrolment #{trip.traveller_id}" in done.output
    session.expire_all()
    form = services.stored_form(session, trip.traveller)
    assert (form.passport_number, form.birth_date, form.dietary_needs, form.emergency_phone) == (None,) * 4
    assert form.arrival_carrier == "UA 889" and form.nights == 11 and form.passport_purged_at == due
    assert (
        session.scalar(sa.select(sa.func.count()).where(AuditEntry.action == "travel.passport_purged")) == 1
    )
    again = runner.invoke(args=["travel", "purge", "--now", (due + timedelta(days=1)).isoformat()])
    assert "0 travel forms" in again.output
