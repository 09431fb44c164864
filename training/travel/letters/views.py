"""Letter pages: the public verification page, downloads, and the coordinators' letters of a course."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from training.accounts.models import Role
from training.accounts.permissions import role_required
from training.core.database import writes_on_read
from training.core.errors import Forbidden, NotFound
from training.core.extensions import db, limiter
from training.core.i18n import in_reader_language
from training.core.pdf import pdf_response
from training.core.uow import unit_of_work
from training.core.urls import safe_next
from training.courses.services import find_course, missing_letter_settings
from training.enrolment.services import enrolment_for
from training.travel.letters import services
from training.travel.letters.document import letter_pdf
from training.travel.letters.forms import IssueForm, RevokeForm

bp = Blueprint("letters", __name__)

NOT_ON_THE_PAGE = (Forbidden, NotFound)
DOWNLOAD_ENDPOINTS = frozenset({"letters.download", "api_letters.download_letter"})


# Drawing a letter reads passport fields, which writes an audit entry.
writes_on_read(*DOWNLOAD_ENDPOINTS)


# --- anyone: is this letter genuine? ---------------------------------------------------------

@bp.route("/letters/<code>")
@limiter.limit("30/minute")
def verify(code: str) -> tuple[str, int]:
    """The letter's name, course, dates and issuer, and whether it is in force: never a passport field."""
    try:
        letter = services.letter_by_code(db.session, code)
    except NotFound:
        return render_template("travel/letter_verify.html", letter=None, code=code[:64]), 404
    shown = {"course": in_reader_language(letter.course_title, letter.course_title_zh),
             "issuer": in_reader_language(letter.issuer, letter.issuer_zh)}
    return render_template("travel/letter_verify.html", letter=letter, code=letter.code, shown=shown), 200


# --- the person, their focal point, coordinators ---------------------------------------------

@bp.route("/letters/<code>/letter.pdf")
@login_required
def download(code: str) -> Response:
    try:
        letter = services.letter_by_code(db.session, code)
        services.check_may_download(current_user, letter.enrolment)
    except (NotFound, Forbidden):
        # The same answer whether the code exists or not: a code is no key to anyone's letter.
        abort(404)
    with unit_of_work(error_pages=NOT_ON_THE_PAGE):
        pdf = letter_pdf(db.session, letter, actor=current_user)
    return pdf_response(pdf, f"invitation-letter-{letter.code}.pdf")


@bp.route("/enrolments/<int:enrolment_id>/letters")
@login_required
def enrolment_letters(enrolment_id: int) -> str:
    enrolment = enrolment_for(db.session, enrolment_id)
    try:
        letters = services.letters_of(db.session, enrolment, viewer=current_user)
    except Forbidden:
        abort(403)
    return render_template("travel/enrolment_letters.html", enrolment=enrolment, letters=letters,
                           issue_form=IssueForm(), revoke_form=RevokeForm())


# --- coordinators ------------------------------------------------------------------------------

@bp.route("/courses/<slug>/letters")
@role_required(Role.COORDINATOR)
def course_letters(slug: str) -> str:
    course = find_course(db.session, slug, viewer=current_user, with_schedule=False)
    rows = services.course_letters(db.session, course, viewer=current_user)
    return render_template("travel/course_letters.html", course=course, rows=rows,
                           missing_settings=missing_letter_settings(course),
                           issue_form=IssueForm(), revoke_form=RevokeForm())


def _back(default: str) -> str:
    return safe_next(request.form.get("next")) or default


@bp.route("/courses/<slug>/letters", methods=["POST"])
@role_required(Role.COORDINATOR)
def issue_course_letters(slug: str) -> Response:
    course = find_course(db.session, slug, viewer=current_user, with_schedule=False)
    form = IssueForm()
    back = url_for("letters.course_letters", slug=slug)
    if not form.validate_on_submit():
        flash(_("The form expired; try again."), "error")
        return redirect(back)
    with unit_of_work(error_pages=NOT_ON_THE_PAGE) as work:
        result = services.issue_course_letters(db.session, course, actor=current_user,
                                               lock_forms=bool(form.lock_form.data))
        issued, already = len(result.issued), len(result.already)
        skipped = [(e.user.name, reason) for e, reason in result.skipped]
    if work.done:
        flash(ngettext("%(num)d letter issued.", "%(num)d letters issued.", issued), "success")
        if already:
            flash(ngettext("%(num)d person already holds a letter.", "%(num)d people already hold a letter.",
                           already), "info")
        for name, reason in skipped:
            flash(_("Skipped %(name)s: %(reason)s", name=name, reason=reason), "error")
    return redirect(back)


@bp.route("/enrolments/<int:enrolment_id>/letters", methods=["POST"])
@role_required(Role.COORDINATOR)
def issue_letter(enrolment_id: int) -> Response:
    enrolment = enrolment_for(db.session, enrolment_id)
    form = IssueForm()
    back = _back(url_for("letters.course_letters", slug=enrolment.course.slug))
    if not form.validate_on_submit():
        flash(_("The form expired; try again."), "error")
        return redirect(back)
    name = enrolment.user.name
    with unit_of_work(error_pages=NOT_ON_THE_PAGE) as work:
        services.issue_letter(db.session, enrolment, actor=current_user, lock_form=bool(form.lock_form.data))
    if work.done:
        flash(_("Letter issued to %(name)s.", name=name), "success")
    return redirect(back)


def _letter_action(code: str, action: str) -> Response:
    try:
        letter = services.letter_by_code(db.session, code)
    except NotFound:
        abort(404)
    back = _back(url_for("letters.course_letters", slug=letter.enrolment.course.slug))
    form = IssueForm() if action == "reissue" else RevokeForm()
    if not form.validate_on_submit():
        flash(_("The form expired; try again."), "error")
        return redirect(back)
    name = letter.enrolment.user.name
    with unit_of_work(error_pages=NOT_ON_THE_PAGE) as work:
        if action == "reissue":
            services.reissue_letter(db.session, letter, actor=current_user,
                                    lock_form=bool(form.lock_form.data))  # type: ignore[union-attr]
        else:
            services.revoke_letter(db.session, letter, actor=current_user,
                                   reason=form.reason.data or "")  # type: ignore[union-attr]
    if work.done:
        flash(_("A new letter replaces %(name)s's; the old code now verifies as revoked.", name=name)
              if action == "reissue" else _("%(name)s's letter is revoked.", name=name), "success")
    return redirect(back)


@bp.route("/letters/<code>/reissue", methods=["POST"])
@role_required(Role.COORDINATOR)
def reissue(code: str) -> Response:
    return _letter_action(code, "reissue")


@bp.route("/letters/<code>/revoke", methods=["POST"])
@role_required(Role.COORDINATOR)
def revoke(code: str) -> Response:
    return _letter_action(code, "revoke")
