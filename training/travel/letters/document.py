"""A visa invitation letter as a PDF: the host's language and English side by side, a QR code to
its public verification page. Reading the passport fields to draw it is audited."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from training.audit.services import record
from training.core import i18n
from training.core.errors import Gone
from training.core.localtime import show_date
from training.core.pdf import qr_svg_data_uri, render_pdf
from training.core.urls import external_url
from training.travel.letters import passport, services
from training.travel.letters.models import VisaLetter
from training.travel.letters.passport import PassportFacts

LETTER_DATE = "yMMMMd"  # "January 13, 2027", "2027年1月13日"


@dataclass
class Column:
    """The letter in one language."""

    lang: str  # for the HTML lang attribute: "zh-Hans", "en"
    heading: str
    issued: str
    salutation: str
    body: list[str]
    facts: list[tuple[str, str]]
    closing: str
    signatory_title: str
    issuer: str
    verify: str
    revoked: str


def verify_url(letter: VisaLetter) -> str:
    """The absolute address (under BASE_URL) a letter's QR code and text point to."""
    return external_url("letters.verify", code=letter.code)


def _in(locale: str, english: str, chinese: str) -> str:
    return (chinese or english) if locale.startswith("zh") else english


def _column(letter: VisaLetter, facts: PassportFacts, locale: str, url: str) -> Column:
    """The letter's words in one language (under force_locale: gettext, dates and country names)."""
    course = _in(locale, letter.course_title, letter.course_title_zh)
    issuer = _in(locale, letter.issuer, letter.issuer_zh)
    country = i18n.country_name(letter.host_country, locale)
    nationality = i18n.country_name(facts.nationality, locale)
    start = show_date(letter.starts_on, skeleton=LETTER_DATE)
    end = show_date(letter.ends_on, skeleton=LETTER_DATE)
    place = ", ".join(part for part in (letter.venue, letter.city, country) if part)
    body = [
        _("%(issuer)s invites %(name)s, holder of passport number %(number)s, a national of %(nationality)s, "
          "born on %(birth)s, to attend the training course “%(course)s” in %(place)s from %(start)s to "
          "%(end)s.", issuer=issuer, name=facts.full_name, number=facts.number, nationality=nationality,
          birth=show_date(facts.date_of_birth, skeleton=LETTER_DATE), course=course, place=place,
          start=start, end=end),
        _("Costs: %(costs)s", costs=_in(locale, letter.costs, letter.costs_zh)),
        _("We kindly ask you to grant the visa needed for this visit."),
    ]
    stay = ""
    if facts.arrival_on and facts.departure_on:
        stay = _("%(arrival)s to %(departure)s", arrival=show_date(facts.arrival_on, skeleton=LETTER_DATE),
                 departure=show_date(facts.departure_on, skeleton=LETTER_DATE))
    rows = [
        (_("Full name (as in passport)"), facts.full_name),
        (_("Passport number"), facts.number),
        (_("Nationality"), nationality),
        (_("Date of birth"), show_date(facts.date_of_birth, skeleton=LETTER_DATE)),
        (_("Course"), course),
        (_("Place"), place),
        (_("Course dates"), _("%(start)s to %(end)s", start=start, end=end)),
    ]
    if stay:
        rows.append((_("Planned stay"), stay))
    rows += [(_("Inviting organisation"), issuer), (_("Verification code"), letter.code)]
    return Column(
        lang="zh-Hans" if locale.startswith("zh") else "en",
        heading=_("Visa invitation letter"),
        issued=_("Issued on %(date)s", date=show_date(letter.issued_at.date(), skeleton=LETTER_DATE)),
        salutation=_("To the consular section of the embassy or consulate of %(country)s:", country=country),
        body=body, facts=rows,
        closing=_("Yours faithfully,"),
        signatory_title=_in(locale, letter.signatory_title, letter.signatory_title_zh),
        issuer=issuer,
        verify=_("Verification code %(code)s: check this letter at %(url)s", code=letter.code, url=url),
        revoked=_("Revoked on %(date)s: this letter is no longer valid.",
                  date=show_date(letter.revoked_at.date(), skeleton=LETTER_DATE))
        if letter.revoked_at else "",
    )


def letter_pdf(session: Session, letter: VisaLetter, *, actor: Any, via: str = "web") -> bytes:
    """The PDF of a letter, drawn from what it was issued with and the travel form's passport fields.

    The caller checked that actor may download it; the read of the passport fields is audited.
    """
    letter = services.with_enrolment(session, letter)
    form = passport.forms_of(session, [letter.enrolment_id]).get(letter.enrolment_id)
    if passport.missing(form):
        # Erased with the person's data, or past its retention period: the letter cannot be drawn.
        raise Gone(_("The travel form no longer holds the passport details this letter prints."))
    facts = passport.read(session, form, actor=actor, via=via)
    record(session, actor=actor, action="letter.downloaded", subject=letter.enrolment,
           after={"code": letter.code, "person_id": letter.enrolment.user_id},
           topic=f"course:{letter.enrolment.course_id}", via=via)
    return render_letter(letter, facts)


def render_letter(letter: VisaLetter, facts: PassportFacts) -> bytes:
    """The PDF of a letter with the given passport facts (no database, no audit: letter_pdf's part)."""
    url = verify_url(letter)
    columns = []
    for locale in letter.language_list:
        with force_locale(locale):
            columns.append(_column(letter, facts, locale, url))
    return render_pdf("travel/letter_pdf.html", letter=letter, columns=columns, verify_url=url,
                      qr=qr_svg_data_uri(url), revoked=not letter.is_valid, today=date.today())
