"""The course's audit trail reads clearance entries as sentences with names, in English and Chinese."""

from __future__ import annotations

from tests.clearance.conftest import PDF
from tests.conftest import sign_in
from tests.enrolment.test_audit_sentences import _trail
from training.clearance import services


def _submit_and_return(session, programme, enrol):
    enrolment = enrol(programme)
    enrolment.user.name = "Zhao Lei"
    services.submit_document(session, enrolment, "passport", filename="passport.pdf", content=PDF,
                             actor=enrolment.user)
    services.decide(session, enrolment, "passport", decision="returned", reason="Too dark.",
                    actor=programme.coordinator)
    session.commit()


def test_the_trail_says_who_set_submitted_and_returned_what(session, client, programme, enrol):
    _submit_and_return(session, programme, enrol)
    sign_in(client, programme.coordinator)
    trail = " | ".join(_trail(client.get(f"/courses/{programme.course.slug}/seats").get_data(as_text=True)))
    assert "Chen Coordinator set the clearance requirements of “" in trail
    assert "Zhao Lei submitted passport.pdf for “Passport copy” of Zhao Lei." in trail
    assert "Chen Coordinator returned “Passport copy” of Zhao Lei." in trail
    assert "clearance returned" not in trail


def test_a_chinese_reader_reads_the_clearance_trail_in_chinese(session, client, programme, enrol):
    _submit_and_return(session, programme, enrol)
    sign_in(client, programme.coordinator)
    client.set_cookie("locale", "zh_Hans")
    trail = " | ".join(_trail(client.get(f"/courses/{programme.course.slug}/seats").get_data(as_text=True)))
    assert "Chen Coordinator 退回了 Zhao Lei 的“护照复印件”。" in trail
