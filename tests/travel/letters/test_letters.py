"""Visa invitation letters: a real PDF in the host's language and English naming the person and
their passport, a QR code to the public verification page, reissue revoking the old code, a batch
for a whole course, and nothing of the passport in the audit trail, the logs or the verify page."""

from __future__ import annotations

import json
import logging
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from tests.pdfs import pdf_text, qr_codes
from tests.travel.letters.conftest import passport_number
from training.audit.models import AuditEntry
from training.core.errors import Conflict, DomainError
from training.travel.letters import services
from training.travel.letters.document import letter_pdf
from training.travel.letters.models import VisaLetter
from training.travel.models import TravelForm


def test_a_beijing_letter_names_the_person_passport_dates_and_code_in_chinese_and_english(
    app, session, beijing, confirmed, coordinator, caplog
):
    caplog.set_level(logging.DEBUG)
    enrolment = confirmed(beijing, name="Emily Carter")
    letter = services.issue_letter(session, enrolment, actor=coordinator)
    session.commit()
    with app.test_request_context():
        pdf = letter_pdf(session, letter, actor=coordinator)
    session.commit()
    text = pdf_text(pdf)
    number = passport_number(1)
    assert "EMILY CARTER" in text  # the name as printed in the passport
    assert text.count(number) == 4  # in the sentence and the table, in each language
    assert text.count(letter.code) >= 4
    assert "签证邀请函" in text and "Visa invitation letter" in text
    start, end = beijing.starts_on, beijing.ends_on
    assert f"{start.year}年{start.month}月{start.day}日" in text
    assert f"{end.year}年{end.month}月{end.day}日" in text
    assert start.strftime("%B ") + str(start.day) + f", {start.year}" in text
    assert "公安部国际合作局" in text and "Ministry of Public Security" in text
    assert "副局长" in text and "Deputy Director-General" in text and "Wang Hong" in text
    assert "中方承担住宿" in text and "The host covers accommodation" in text
    verify_url = app.config["BASE_URL"].rstrip("/") + f"/letters/{letter.code}"
    assert qr_codes(pdf) == [verify_url]
    # Drawing it read the passport: audited, without the passport's values.
    entries = session.scalars(sa.select(AuditEntry).order_by(AuditEntry.id)).all()
    letter_actions = [e.action for e in entries if e.action.startswith("letter.")]
    assert letter_actions == ["letter.issued", "letter.downloaded"]
    recorded = json.dumps([[e.before, e.after] for e in entries], ensure_ascii=False)
    assert number not in recorded
    assert number not in caplog.text


def test_a_washington_letter_is_in_english_only(app, session, washington, confirmed, coordinator):
    enrolment = confirmed(washington, country="CN", name="Zhao Lei")
    letter = services.issue_letter(session, enrolment, actor=coordinator)
    with app.test_request_context():
        text = pdf_text(letter_pdf(session, letter, actor=coordinator))
    assert "Visa invitation letter" in text and "签证邀请函" not in text
    assert text.count(passport_number(1)) == 2


def test_codes_are_random_unique_and_read_however_typed(session, beijing, confirmed, coordinator):
    letters = [services.issue_letter(session, confirmed(beijing), actor=coordinator) for _ in range(3)]
    codes = {letter.code for letter in letters}
    assert len(codes) == 3
    for code in codes:
        assert re.fullmatch(r"[A-Z2-7]{4}(-[A-Z2-7]{4}){3}", code)  # 80 random bits
    first = letters[0]
    assert services.letter_by_code(session, first.code.lower().replace("-", " ")) is first


def test_an_incomplete_form_a_second_letter_and_unconfirmed_people_are_refused(
    session, beijing, confirmed, coordinator
):
    incomplete = confirmed(beijing, complete=False)
    with pytest.raises(DomainError, match="travel form lacks"):
        services.issue_letter(session, incomplete, actor=coordinator)
    enrolment = confirmed(beijing)
    services.issue_letter(session, enrolment, actor=coordinator)
    with pytest.raises(Conflict):
        services.issue_letter(session, enrolment, actor=coordinator)
    assert session.scalar(sa.select(sa.func.count()).select_from(VisaLetter)) == 1


def test_reissue_after_a_correction_revokes_the_old_code(client, session, beijing, confirmed, coordinator):
    enrolment = confirmed(beijing, name="Emily Carter")
    old = services.issue_letter(session, enrolment, actor=coordinator)
    session.commit()
    new = services.reissue_letter(session, old, actor=coordinator)
    session.commit()
    assert old.revoked_at is not None and new.is_valid and new.code != old.code
    revoked = client.get(f"/letters/{old.code}")
    assert revoked.status_code == 200
    page = revoked.get_data(as_text=True)
    assert "was revoked on" in page and "no longer valid" in page
    assert "Genuine" in client.get(f"/letters/{new.code}").get_data(as_text=True)
    assert services.current_letter(session, enrolment) is new


def test_the_verify_page_shows_name_course_dates_issuer_and_never_the_passport(
    client, session, beijing, confirmed, coordinator
):
    enrolment = confirmed(beijing, name="Emily Carter")
    letter = services.issue_letter(session, enrolment, actor=coordinator)
    session.commit()
    response = client.get(f"/letters/{letter.code}")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Genuine" in page and "Emily Carter" in page and "Countering cyber-enabled terrorism" in page
    assert "Ministry of Public Security" in page
    assert passport_number(1) not in page and "EMILY CARTER" not in page
    client.set_cookie("locale", "zh_Hans")
    chinese = client.get(f"/letters/{letter.code}").get_data(as_text=True)
    assert "打击网络恐怖主义培训班" in chinese and "公安部国际合作局" in chinese
    unknown = client.get("/letters/AAAA-BBBB-CCCC-DDDD")
    assert unknown.status_code == 404
    assert "AAAA-BBBB-CCCC-DDDD" in unknown.get_data(as_text=True)


def test_the_public_api_verifies_a_code_without_the_passport(
    client, session, beijing, confirmed, coordinator
):
    enrolment = confirmed(beijing, name="Emily Carter")
    letter = services.issue_letter(session, enrolment, actor=coordinator)
    session.commit()
    body = client.get(f"/api/v1/letters/{letter.code}").get_json()
    assert body == {"valid": True, "name": "Emily Carter", "course": "Countering cyber-enabled terrorism",
                    "starts_on": beijing.starts_on.isoformat(), "ends_on": beijing.ends_on.isoformat(),
                    "issuer": "Ministry of Public Security, International Cooperation Department",
                    "revoked_at": None}
    services.revoke_letter(session, letter, actor=coordinator, reason="Withdrawn from the course")
    session.commit()
    revoked = client.get(f"/api/v1/letters/{letter.code}").get_json()
    assert revoked["valid"] is False and revoked["revoked_at"]
    missing = client.get("/api/v1/letters/AAAA-BBBB-CCCC-DDDD")
    assert missing.status_code == 404 and missing.mimetype == "application/problem+json"
    assert passport_number(1) not in json.dumps(body) + json.dumps(revoked)


def test_a_batch_issues_for_everyone_complete_and_says_why_it_skipped_the_others(
    session, beijing, confirmed, coordinator
):
    done = confirmed(beijing)
    services.issue_letter(session, done, actor=coordinator)
    ready = [confirmed(beijing) for _ in range(3)]
    incomplete = confirmed(beijing, complete=False, name="Ivan Incomplete")
    result = services.issue_course_letters(session, beijing, actor=coordinator)
    assert sorted(letter.enrolment_id for letter in result.issued) == sorted(e.id for e in ready)
    assert [e.id for e in result.already] == [done.id]
    assert [(e.id, "lacks" in reason) for e, reason in result.skipped] == [(incomplete.id, True)]
    again = services.issue_course_letters(session, beijing, actor=coordinator)
    assert again.issued == [] and len(again.already) == 4


def test_a_course_without_letter_settings_issues_none(session, beijing, confirmed, coordinator):
    enrolment = confirmed(beijing)
    beijing.letter_signatory_name = ""
    with pytest.raises(DomainError, match="letter settings"):
        services.issue_course_letters(session, beijing, actor=coordinator)
    with pytest.raises(DomainError, match="letter settings"):
        services.issue_letter(session, enrolment, actor=coordinator)


def test_issuing_may_lock_the_form_and_a_later_change_marks_the_letter_stale(
    session, beijing, confirmed, coordinator
):
    enrolment = confirmed(beijing)
    services.issue_letter(session, enrolment, actor=coordinator, lock_form=True)
    session.commit()
    form = session.scalars(sa.select(TravelForm).where(TravelForm.enrolment_id == enrolment.id)).one()
    assert form.locked_at is not None
    [row] = services.course_letters(session, beijing, viewer=coordinator)
    assert row.locked and not row.stale and row.missing == []
    form.passport_number = "X99Q9999Z"  # corrected after the letter went out
    form.updated_at = form.updated_at + timedelta(minutes=5)
    session.commit()
    [row] = services.course_letters(session, beijing, viewer=coordinator)
    assert row.stale
    new = services.reissue_letter(session, row.letter, actor=coordinator)
    session.commit()
    [row] = services.course_letters(session, beijing, viewer=coordinator)
    assert row.letter is new and not row.stale and row.revoked == 1
