"""Due dates at work: an overdue enrolment lapses and its seat goes on; reminders before due dates."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from tests.clearance.conftest import PDF, at, backdate, confirmed, fresh, mails_to, move_start
from training.accounts.models import Role, User
from training.audit.models import AuditEntry
from training.clearance import services
from training.courses.models import Course
from training.enrolment import services as enrolment_services
from training.enrolment.models import EnrolmentStatus, SeatQuota


def _full_us_course_with_a_queue(session, programme, enrol):
    """Both US seats taken (the first holder overdue), two US people and one CN person waiting."""
    overdue, cleared_one = enrol(programme), enrol(programme)
    first_waiting, second_waiting = enrol(programme), enrol(programme)
    enrol(programme, "CN")
    cn_waiting = enrol(programme, "CN")
    backdate(session, overdue)
    move_start(session, programme.course, 40)  # passport and nomination were due 5 days ago
    return overdue, cleared_one, first_waiting, second_waiting, cn_waiting


def test_an_overdue_confirmed_enrolment_lapses_and_its_seat_goes_to_the_head_of_its_countrys_waitlist(
        session, programme, enrol):
    overdue, _other, first, second, cn_waiting = _full_us_course_with_a_queue(session, programme, enrol)
    person, head = session.get(User, overdue.user_id), session.get(User, first.user_id)
    lapses = services.lapse_overdue(session)
    session.commit()
    assert [(lapse.enrolment.id, lapse.keys) for lapse in lapses] == [
        (overdue.id, ["passport", "nomination"])]
    assert fresh(session, overdue).status is EnrolmentStatus.LAPSED
    assert fresh(session, first).status is EnrolmentStatus.CONFIRMED
    assert fresh(session, second).status is EnrolmentStatus.WAITLISTED
    assert fresh(session, cn_waiting).status is EnrolmentStatus.WAITLISTED
    assert confirmed(session, programme.course, "US") == 2
    assert "has lapsed" in mails_to(session, person)[-1].subject
    assert "Passport copy" in mails_to(session, person)[-1].body
    assert person.name in mails_to(session, programme.us_focal)[-1].body
    assert not any("lapsed" in m.subject for m in mails_to(session, programme.cn_focal))
    assert "now yours" in mails_to(session, head)[-1].subject
    entry = session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "enrolment.lapsed")).one()
    assert entry.actor_id is None and entry.after["overdue"] == ["passport", "nomination"]
    assert entry.before["status"] == "confirmed"


def test_the_lapsed_status_is_final(session, programme, enrol):
    overdue, *_ = _full_us_course_with_a_queue(session, programme, enrol)
    services.lapse_overdue(session)
    session.commit()
    lapsed = fresh(session, overdue)
    assert lapsed.is_lapsed and not lapsed.is_active and not lapsed.can_withdraw and not lapsed.holds_seat
    assert str(lapsed.status.label) == "lapsed"


def test_a_dry_run_lists_what_would_lapse_and_changes_nothing(session, programme, enrol):
    overdue, *_ = _full_us_course_with_a_queue(session, programme, enrol)
    lapses = services.lapse_overdue(session, dry_run=True)
    session.commit()
    assert [lapse.enrolment.id for lapse in lapses] == [overdue.id]
    assert fresh(session, overdue).status is EnrolmentStatus.CONFIRMED
    assert session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "enrolment.lapsed")) is None


def test_accepted_or_extended_requirements_do_not_lapse(session, programme, enrol):
    overdue, *_ = _full_us_course_with_a_queue(session, programme, enrol)
    person = session.get(User, overdue.user_id)
    services.submit_document(session, overdue, "passport", filename="p.pdf", content=PDF, actor=person)
    services.decide(session, overdue, "passport", decision="accepted", actor=programme.coordinator)
    services.extend_due(session, overdue, "nomination", due_at=at(3), reason="Ministry signature pending.",
                        actor=programme.coordinator)
    session.commit()
    assert services.lapse_overdue(session) == []
    assert [lapse.enrolment.id for lapse in services.lapse_overdue(session, now=at(4), dry_run=True)] == [
        overdue.id]


def test_a_pending_request_lapses_and_a_waitlisted_one_does_not(session, programme, enrol, make_user):
    session.execute(sa.update(Course).where(Course.id == programme.course.id).values(requires_approval=True))
    session.commit()
    person = make_user(Role.PERSONNEL, "US")
    # A coordinator's enrolment skips approval: the person asks themselves, inside the window.
    session.execute(sa.update(Course).where(Course.id == programme.course.id)
                    .values(enrolment_opens_at=None, enrolment_closes_at=None))
    session.commit()
    pending = enrolment_services.enrol(session, programme.course, person, actor=person)
    session.commit()
    assert pending.status is EnrolmentStatus.PENDING
    waiting = [enrol(programme), enrol(programme), enrol(programme)][-1]
    assert waiting.status is EnrolmentStatus.WAITLISTED
    backdate(session, pending)
    backdate(session, waiting)
    move_start(session, programme.course, 20)
    lapsed = {lapse.enrolment.id for lapse in services.lapse_overdue(session)}
    session.commit()
    assert pending.id in lapsed and waiting.id not in lapsed
    still_waiting = fresh(session, waiting)
    assert still_waiting.status is EnrolmentStatus.WAITLISTED
    # Nothing is overdue for someone without a seat: were they promoted now, they would have the grace days.
    clearance = services.clearance_of(session, still_waiting)
    assert clearance.summary() == "0 of 4" and clearance.overdue(at(6)) == []


def test_after_the_release_date_a_lapsed_seat_goes_to_another_countrys_waitlist(session, programme, enrol):
    overdue, _other = enrol(programme), enrol(programme)
    enrol(programme, "CN")
    cn_waiting = enrol(programme, "CN")
    backdate(session, overdue)
    move_start(session, programme.course, 20)
    session.execute(sa.update(Course).where(Course.id == programme.course.id).values(seat_release_at=at(-1)))
    session.commit()
    lapses = services.lapse_overdue(session)
    session.commit()
    assert [e.id for e in lapses[0].promoted] == [cn_waiting.id]
    promoted = fresh(session, cn_waiting)
    assert promoted.status is EnrolmentStatus.CONFIRMED
    assert session.get(SeatQuota, promoted.quota_id).country == "US"


def test_any_enrolment_change_of_the_course_lapses_what_is_overdue(session, programme, enrol):
    overdue, other, first, *_ = _full_us_course_with_a_queue(session, programme, enrol)
    enrolment_services.withdraw(session, other, actor=programme.coordinator)
    session.commit()
    assert fresh(session, overdue).status is EnrolmentStatus.LAPSED
    assert fresh(session, first).status is EnrolmentStatus.CONFIRMED
    assert confirmed(session, programme.course, "US") == 2


def test_someone_promoted_after_the_due_date_has_the_grace_days_from_their_promotion(
        session, programme, enrol):
    overdue, _other, first, *_ = _full_us_course_with_a_queue(session, programme, enrol)
    services.lapse_overdue(session)
    session.commit()
    promoted = fresh(session, first)
    line = services.clearance_of(session, promoted).line("passport")
    assert abs(line.due_at - (promoted.decided_at + timedelta(days=7))) < timedelta(seconds=1)
    assert services.lapse_overdue(session, now=at(6), dry_run=True) == []
    later = services.lapse_overdue(session, now=at(8), dry_run=True)
    assert first.id in [lapse.enrolment.id for lapse in later]


def test_the_command_lapses_as_of_now_or_rehearses(app, session, programme, enrol):
    overdue, _other, first, *_ = _full_us_course_with_a_queue(session, programme, enrol)
    runner = app.test_cli_runner()
    rehearsal = runner.invoke(args=["enrolment", "lapse-overdue", "--dry-run"])
    assert rehearsal.exit_code == 0, rehearsal.output
    assert f"enrolment #{overdue.id}" in rehearsal.output and "would lapse" in rehearsal.output
    assert fresh(session, overdue).status is EnrolmentStatus.CONFIRMED
    earlier = runner.invoke(args=["enrolment", "lapse-overdue", "--now", at(-60).isoformat()])
    assert earlier.exit_code == 0 and "0 enrolments lapsed." in earlier.output
    assert fresh(session, overdue).status is EnrolmentStatus.CONFIRMED
    done = runner.invoke(args=["enrolment", "lapse-overdue"])
    assert done.exit_code == 0, done.output
    assert f"seat to #{first.id}" in done.output and "1 enrolment lapsed." in done.output
    assert fresh(session, overdue).status is EnrolmentStatus.LAPSED
    bad = runner.invoke(args=["enrolment", "lapse-overdue", "--now", "yesterday"])
    assert bad.exit_code == 2 and "ISO 8601" in bad.output


def test_reminders_go_to_the_person_and_focal_point_once_per_due_date(app, session, programme, enrol):
    enrolment = enrol(programme)
    person = enrolment.user
    move_start(session, programme.course, 50)  # passport and nomination due in 5 days, photo in 20
    runner = app.test_cli_runner()
    first = runner.invoke(args=["clearance", "remind"])
    assert first.exit_code == 0 and "2 reminders queued." in first.output, first.output
    subjects = [m.subject for m in mails_to(session, person)]
    assert any("Passport copy" in s for s in subjects) and any("Nomination letter" in s for s in subjects)
    assert any("Passport copy" in m.subject for m in mails_to(session, programme.us_focal))
    assert "0 reminders queued." in runner.invoke(args=["clearance", "remind"]).output
    services.extend_due(session, enrolment, "passport", due_at=at(6), reason="Lost in the post.",
                        actor=programme.coordinator)
    session.commit()
    assert "1 reminders queued." in runner.invoke(args=["clearance", "remind"]).output


def test_someone_who_joins_the_waitlist_is_told_their_place_after_the_lapse_their_enrolment_set_off(
        session, programme, enrol, make_user):
    overdue, _other, first, second, _cn = _full_us_course_with_a_queue(session, programme, enrol)
    newcomer = make_user(Role.PERSONNEL, "US")
    joined, place = enrolment_services.enrol_and_place(session, programme.course, newcomer, actor=newcomer)
    assert fresh(session, overdue).status is EnrolmentStatus.LAPSED
    assert fresh(session, first).status is EnrolmentStatus.CONFIRMED
    assert joined.status is EnrolmentStatus.WAITLISTED
    assert place == 2 == enrolment_services.waitlist_position(session, joined)
    assert fresh(session, second).status is EnrolmentStatus.WAITLISTED
