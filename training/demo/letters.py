"""Demo letters: what the Beijing and Washington courses' letters say, and visa invitation letters for
some of the Beijing course's US personnel, one of them reissued so that a revoked code exists."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Session

from training.accounts import services as accounts
from training.courses import services as courses
from training.demo.enrolment import BEIJING_SLUGS, US_SLUGS, find_demo_course
from training.travel.letters import services
from training.travel.letters.models import VisaLetter
from training.travel.models import TravelForm

BEIJING_SETTINGS = courses.LetterSettings(
    issuer="International Cooperation Department, Ministry of Public Security",
    issuer_zh="公安部国际合作局",
    letterhead="14 Dongchang'an Street, Dongcheng District, Beijing 100741, China\n"
               "Tel. +86 10 6620 2000 · training@mps.example.cn",
    signatory_name="Wang Hong",
    signatory_title="Deputy Director-General",
    signatory_title_zh="副局长",
    costs="The host covers accommodation, meals and local transport in Beijing during the course; "
          "the sending agency covers international travel and insurance.",
    costs_zh="培训期间在京的住宿、餐饮和市内交通费用由中方承担；国际旅费和保险由派出单位承担。",
)
WASHINGTON_SETTINGS = courses.LetterSettings(
    issuer="Office of International Affairs, U.S. Department of Justice",
    letterhead="950 Pennsylvania Avenue NW, Washington, DC 20530, United States",
    signatory_name="Karen Mitchell",
    signatory_title="Director, International Training",
    costs="The host covers accommodation and local transport in Washington; the sending agency covers "
          "international travel, meals and insurance.",
)
# At most this many of the Beijing course's US personnel get their letter in the demo.
LETTERS = 5


def load(session: Session, today: date) -> None:
    """Letter settings on both courses; letters for the first people ready; nothing is added twice."""
    coordinator = accounts.find_by_email(session, "coordinator@demo.training")
    beijing = find_demo_course(session, BEIJING_SLUGS, host_country="CN", city="Beijing")
    washington = find_demo_course(session, US_SLUGS, host_country="US")
    if coordinator is None or beijing is None:
        return
    if washington is not None and not washington.letter_issuer:
        courses.update_letter_settings(session, washington, WASHINGTON_SETTINGS, actor=coordinator, via="cli")
    if beijing.letter_issuer:
        return
    courses.update_letter_settings(session, beijing, BEIJING_SETTINGS, actor=coordinator, via="cli")
    rows = services.course_letters(session, beijing, viewer=coordinator)
    # The letters went out for the forms the travel demo locked for them; the one corrected since
    # (a passport number typed wrong) was reissued, so its first code verifies as revoked.
    ready = [row.enrolment for row in rows if row.locked and not row.missing][:LETTERS]
    corrected = set(session.scalars(sa.select(TravelForm.enrolment_id).where(
        TravelForm.enrolment_id.in_([e.id for e in ready]), TravelForm.changed_after_lock.is_(True))))
    for enrolment in ready:
        letter = services.issue_letter(session, enrolment, actor=coordinator, via="cli")
        if enrolment.id in corrected:
            services.reissue_letter(session, letter, actor=coordinator, via="cli")
    session.flush()


def demo_codes(session: Session) -> tuple[str | None, str | None]:
    """A valid and a revoked demo code (for the development console and the browser tests)."""
    valid = session.scalar(sa.select(VisaLetter.code).where(VisaLetter.revoked_at.is_(None))
                           .order_by(VisaLetter.id))
    revoked = session.scalar(sa.select(VisaLetter.code).where(VisaLetter.revoked_at.is_not(None))
                             .order_by(VisaLetter.id))
    return valid, revoked
