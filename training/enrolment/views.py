"""Enrolment pages: seats and rosters, enrolling and nominating, my courses, reciprocity,
attendance and certificates."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from flask_login import current_user, login_required
from markupsafe import Markup
from werkzeug.wrappers import Response

from training.accounts.models import Role, User
from training.accounts.permissions import is_coordinator, role_required
from training.audit import services as audit
from training.core import i18n
from training.core.confirm import Confirmation, show_confirmation
from training.core.errors import DomainError, Forbidden, NotFound
from training.core.extensions import db
from training.core.forms import ConfirmForm
from training.core.headers import attachment
from training.core.memo import app_cache
from training.core.pdf import pdf_response, qr_svg_data_uri, render_pdf
from training.core.uow import unit_of_work
from training.core.urls import external_url, safe_next
from training.courses.models import Course, CourseSession
from training.courses.services import find_course
from training.enrolment import services
from training.enrolment.forms import ActionForm, NominateForm, QuotaForm, RejectForm
from training.enrolment.models import Enrolment, EnrolmentStatus

bp = Blueprint("enrolment", __name__)

# A button pressed by someone who may not press it, or on something that is gone: there is
# nothing to correct on the page it was pressed on, so the answer is the 403 or 404 page.
NOT_ON_THE_PAGE = (Forbidden, NotFound)


def _course(slug: str, *, with_schedule: bool = False) -> Course:
    viewer = current_user if current_user.is_authenticated else None
    return find_course(db.session, slug, viewer=viewer, with_schedule=with_schedule)


def _back(default: str) -> str:
    """Where to return after a button: the page it was pressed on, if it is on this site."""
    return safe_next(request.form.get("next")) or default


# --- coordinators: seats, quotas, the full roster and its audit trail ---------------


@bp.route("/seats")
@role_required(Role.COORDINATOR)
def overview() -> str:
    courses = services.courses_with_seats(db.session)
    summaries = services.seat_summaries(db.session, [c.id for c in courses])
    return render_template("enrolment/overview.html", courses=courses, summaries=summaries)


def _seats_page(course: Course, form: QuotaForm) -> str:
    scope = services.RosterScope(manage=True)
    return render_template(
        "enrolment/seats.html",
        course=course,
        form=form,
        summary=services.seat_summaries(db.session, [course.id])[course.id],
        groups=services.course_roster(db.session, course, scope),
        scope=scope,
        entries=audit.trail(db.session, f"course:{course.id}", limit=100),
        action_form=ActionForm(),
        released=services.seats_released(course),
    )


@bp.route("/courses/<slug>/seats", methods=["GET", "POST"])
@role_required(Role.COORDINATOR)
def seats(slug: str) -> str | Response | tuple[str, int]:
    course = _course(slug)
    form = QuotaForm()
    form.fill_choices()
    if request.method == "GET" and request.args.get("country"):
        form.country.data = request.args["country"]
    if form.validate_on_submit():
        with unit_of_work(form) as work:
            services.set_quota(db.session, course, form.country.data, form.seats.data, actor=current_user)
        if work.done:
            flash(ngettext("%(country)s now has %(num)d seat.", "%(country)s now has %(num)d seats.",
                           form.seats.data, country=i18n.country_name(form.country.data)), "success")
            return redirect(url_for("enrolment.seats", slug=slug))
    if form.errors:
        course = _course(slug)
    return _seats_page(course, form), 400 if form.errors else 200


# --- rosters -------------------------------------------------------------------------


def _roster_table(course: Course, scope: services.RosterScope) -> Markup:
    """The course's roster as scope sees it, drawn again only when what it shows changed.

    Every row follows from the key and the roster's versions (who holds and waits for the
    seats; the people's names, emails and organisations; whether the course asks for
    clearance), so reusing it is exact, and a viewer only ever gets a table drawn for their
    own scope. A table with a clearance column is drawn for every request: its "due in
    3 days" moves with the clock.
    """
    drawn = app_cache("enrolment.roster_html", size=16)
    here = request.full_path if request.query_string else request.path
    key = (course.id, scope, str(get_locale()), course.timezone, request.script_root, here)
    version = services.roster_version(db.session, course)
    table = drawn.get(key, version)
    if table is None:
        groups = services.course_roster(db.session, course, scope)
        context = {"course": course, "scope": scope, "groups": groups}
        current_app.update_template_context(context)
        drawing = current_app.jinja_env.get_template("enrolment/_roster_table.html").make_module(context)
        table = Markup(str(drawing))
        if not drawing.show_clearance:
            drawn.put(key, version, table)
    return table


@bp.route("/courses/<slug>/roster")
@login_required
def roster(slug: str) -> str:
    course = _course(slug)
    scope = services.roster_scope(db.session, course, current_user)
    return render_template(
        "enrolment/roster.html",
        course=course,
        scope=scope,
        roster_table=_roster_table(course, scope),
        action_form=ActionForm(),
    )


@bp.route("/courses/<slug>/roster.csv")
@login_required
def roster_csv(slug: str) -> Response:
    course = _course(slug)
    roster = services.roster_csv(db.session, course, services.roster_scope(db.session, course, current_user))
    return Response(
        roster.text, mimetype="text/csv",
        headers={"Content-Disposition": attachment(roster.filename)},
    )


@bp.route("/country/rosters")
@role_required(Role.FOCAL_POINT, Role.COORDINATOR)
def country_rosters() -> str:
    if is_coordinator(current_user):
        country = (request.args.get("country") or "").upper()
        if country and not i18n.is_country_code(country):
            abort(404)
    else:
        country = current_user.country
    courses = services.country_rosters(db.session, country) if country else []
    return render_template(
        "enrolment/country_rosters.html", country=country, courses=courses,
        countries=i18n.country_choices(), is_coordinator=is_coordinator(current_user),
    )


# --- enrolling, nominating, deciding ------------------------------------------------


def _enrolled(course: Course, enrolment: Enrolment, position: int | None) -> tuple[str, str]:
    """What the person reads once enrolled (position: their waitlist place), and how it is shown."""
    if enrolment.status is EnrolmentStatus.CONFIRMED:
        return _("You have a seat on %(title)s.", title=course.shown_title), "success"
    if enrolment.status is EnrolmentStatus.PENDING:
        return _("Your request for %(title)s awaits a coordinator's approval.",
                 title=course.shown_title), "info"
    return _("%(title)s is full for your country: you are number %(n)d on the waitlist.",
             title=course.shown_title, n=position or 0), "info"


@bp.route("/courses/<slug>/enrol", methods=["POST"])
@login_required
def enrol(slug: str) -> Response:
    course = _course(slug)
    form = ActionForm()
    default = url_for("enrolment.my_courses")
    if not form.validate_on_submit():
        abort(400)
    with unit_of_work(error_pages=NOT_ON_THE_PAGE) as work:
        enrolment, position = services.enrol_and_place(db.session, course, current_user, actor=current_user)
        # Nothing is read after the commit: every value shown is taken inside the transaction.
        message, category = _enrolled(course, enrolment, position)
    if work.done:
        flash(message, category)
    return redirect(_back(default))


@bp.route("/courses/<slug>/nominate", methods=["GET", "POST"])
@role_required(Role.FOCAL_POINT, Role.COORDINATOR)
def nominate(slug: str) -> str | Response | tuple[str, int]:
    course = _course(slug)
    coordinator = is_coordinator(current_user)
    form = NominateForm()
    form.fill_choices(coordinator)
    if form.validate_on_submit():
        with unit_of_work(form) as work:
            enrolment = services.nominate(
                db.session, course, actor=current_user, email=form.email.data, name=form.name.data or "",
                country=form.country.data if coordinator else None,
                override_window=bool(coordinator and form.override_window.data),
            )
            person = db.session.get_one(User, enrolment.user_id)
            message = _("%(name)s is %(status)s on %(title)s.", name=person.name,
                        status=enrolment.status.label, title=course.shown_title)
        if work.done:
            flash(message, "success")
            return redirect(url_for("enrolment.nominate", slug=slug))
    summary = services.seat_summaries(db.session, [course.id])[course.id]
    if not coordinator and not services.has_free_seat(summary, current_user.country,
                                                      released=services.seats_released(course)):
        # A focal point nominates into one country's seats: when they are gone, say where it leads.
        form.submit.label.text = _("Nominate to the waitlist")
    return render_template(
        "enrolment/nominate.html", course=course, form=form, coordinator=coordinator, summary=summary,
    ), 400 if form.errors else 200


def _seat_consequence(outcome: services.LeavingOutcome) -> str:
    """What becomes of the place the enrolment holds, in words."""
    enrolment = outcome.enrolment
    if outcome.position is not None:
        return _("%(name)s leaves the waitlist of %(country)s, where they are number %(n)d.",
                 name=enrolment.user.name, country=i18n.country_name(enrolment.country), n=outcome.position)
    if enrolment.is_pending:
        return _("The request is taken back before a coordinator decides on it; it holds no seat.")
    if outcome.goes_to:
        return _("The seat goes to the first person waiting from %(country)s.",
                 country=i18n.country_name(outcome.goes_to))
    return _("The seat of %(country)s becomes free: nobody is waiting for it.",
             country=i18n.country_name(outcome.held_in))


def _withdrawal(outcome: services.LeavingOutcome, back: str) -> Confirmation:
    enrolment = outcome.enrolment
    title, name = enrolment.course.shown_title, enrolment.user.name
    if enrolment.user_id == current_user.id:
        question = _("Withdraw from “%(title)s”?", title=title)
        told = _("You get a mail saying so.")
        keep = _("Keep my place")
    else:
        question = _("Withdraw %(name)s from “%(title)s”?", name=name, title=title)
        told = _("%(name)s is told by mail.", name=name)
        keep = _("Go back")
    return Confirmation(
        question=question, action_label=_("Withdraw"), keep_label=keep, back_url=back,
        subject=f"{i18n.country_name(enrolment.country)} · {enrolment.status.label}",
        consequences=[_seat_consequence(outcome), told],
    )


@bp.route("/enrolments/<int:enrolment_id>/withdraw", methods=["GET", "POST"])
@login_required
def withdraw(enrolment_id: int) -> str | Response | tuple[str, int]:
    enrolment = services.enrolment_for(db.session, enrolment_id)
    form = ConfirmForm()
    back = form.back(url_for("enrolment.my_courses"))
    if form.confirmed and form.validate_on_submit():
        title, name = enrolment.course.shown_title, enrolment.user.name
        with unit_of_work(error_pages=NOT_ON_THE_PAGE) as work:
            services.withdraw(db.session, enrolment, actor=current_user)
        if work.done:
            flash(_("%(name)s has withdrawn from %(title)s.", name=name, title=title), "success")
        return redirect(back)
    outcome = services.withdrawal_outcome(db.session, enrolment, actor=current_user)
    return show_confirmation(_withdrawal(outcome, back), form)


@bp.route("/enrolments/<int:enrolment_id>/approve", methods=["POST"])
@role_required(Role.COORDINATOR)
def approve(enrolment_id: int) -> Response:
    enrolment = services.enrolment_for(db.session, enrolment_id)
    default = url_for("enrolment.seats", slug=enrolment.course.slug)
    if not ActionForm().validate_on_submit():
        abort(400)
    name = enrolment.user.name
    with unit_of_work(error_pages=NOT_ON_THE_PAGE) as work:
        enrolment = services.approve(db.session, enrolment, actor=current_user)
        message = _("%(name)s is approved: %(status)s.", name=name, status=enrolment.status.label)
    if work.done:
        flash(message, "success")
    return redirect(_back(default))


@bp.route("/enrolments/<int:enrolment_id>/reject", methods=["GET", "POST"])
@role_required(Role.COORDINATOR)
def reject(enrolment_id: int) -> str | Response | tuple[str, int]:
    enrolment = services.enrolment_for(db.session, enrolment_id)
    form = RejectForm()
    back = form.back(url_for("enrolment.seats", slug=enrolment.course.slug))
    name, title = enrolment.user.name, enrolment.course.shown_title
    if form.confirmed and form.validate_on_submit():
        with unit_of_work(form, error_pages=NOT_ON_THE_PAGE) as work:
            services.reject(db.session, enrolment, actor=current_user, reason=form.reason.data)
        if work.done:
            flash(_("%(name)s's enrolment is rejected.", name=name), "success")
            return redirect(back)
        enrolment = services.enrolment_for(db.session, enrolment_id)
    outcome = services.rejection_outcome(db.session, enrolment, actor=current_user)
    confirmation = Confirmation(
        question=_("Reject %(name)s on “%(title)s”?", name=name, title=title),
        action_label=_("Reject"), keep_label=_("Go back"), back_url=back,
        subject=f"{i18n.country_name(enrolment.country)} · {enrolment.status.label}",
        consequences=[_seat_consequence(outcome), _("%(name)s reads your reason by mail.", name=name)],
    )
    return show_confirmation(confirmation, form)


# --- a person's own courses ---------------------------------------------------------


@bp.route("/my/courses")
@login_required
def my_courses() -> str:
    return render_template(
        "enrolment/my_courses.html",
        enrolments=services.my_enrolments(db.session, current_user),
    )


# --- reciprocity --------------------------------------------------------------------


@bp.route("/reciprocity")
@login_required
def reciprocity() -> str:
    return render_template("enrolment/reciprocity.html", report=services.reciprocity(db.session))


# --- attendance and certificates ----------------------------------------------------


@bp.route("/courses/<slug>/attendance")
@login_required
def attendance(slug: str) -> str:
    course = _course(slug, with_schedule=True)
    services.check_takes_attendance(db.session, course, current_user)
    return render_template("enrolment/attendance.html", course=course, sessions=course.sessions)


def _present_ids() -> set[int] | None:
    """The enrolments ticked present, or None when the list is not one of ids."""
    try:
        return {int(value) for value in request.form.getlist("present")}
    except ValueError:
        return None


@bp.route("/courses/<slug>/sessions/<int:session_id>/attendance", methods=["GET", "POST"])
@login_required
def session_attendance(slug: str, session_id: int) -> str | Response | tuple[str, int]:
    course = _course(slug)
    services.check_takes_attendance(db.session, course, current_user)
    course_session = db.session.get(CourseSession, session_id)
    if course_session is None or course_session.course_id != course.id:
        abort(404)
    form = ActionForm()
    status = 200
    if form.validate_on_submit():
        present = _present_ids()
        with unit_of_work(error_pages=(Forbidden,)) as work:
            if present is None:
                raise DomainError(_("The attendance list was malformed; mark it again."))
            completed = services.mark_attendance(db.session, course_session, present, actor=current_user)
        if work.done:
            flash(_("Attendance saved."), "success")
            if completed:
                flash(ngettext("%(num)d person completed the course.", "%(num)d people completed the course.",
                               len(completed)), "success")
            return redirect(url_for("enrolment.session_attendance", slug=slug, session_id=session_id))
        status = 400
        course = _course(slug)
        course_session = db.session.get_one(CourseSession, session_id)
    return render_template(
        "enrolment/session_attendance.html", course=course, course_session=course_session, form=form,
        sheet=services.attendance_sheet(db.session, course_session),
    ), status


@bp.route("/enrolments/<int:enrolment_id>/certificate")
@login_required
def certificate(enrolment_id: int) -> str:
    enrolment = services.certificate_for(db.session, enrolment_id, viewer=current_user)
    return render_template("enrolment/certificate.html", enrolment=enrolment)


@bp.route("/enrolments/<int:enrolment_id>/certificate.pdf")
@login_required
def certificate_pdf(enrolment_id: int) -> Response:
    enrolment = services.certificate_for(db.session, enrolment_id, viewer=current_user)
    # The printed code must lead back here from any device: the absolute address under BASE_URL.
    verify_url = external_url("enrolment.verify_certificate", code=enrolment.certificate_code)
    pdf = render_pdf("enrolment/certificate_pdf.html", enrolment=enrolment, verify_url=verify_url,
                     qr=qr_svg_data_uri(verify_url))
    return pdf_response(pdf, f"certificate-{enrolment.course.slug}.pdf")


@bp.route("/certificates/<code>")
def verify_certificate(code: str) -> tuple[str, int]:
    try:
        enrolment: Any = services.certificate_by_code(db.session, code[:64])
    except NotFound:
        return render_template("enrolment/verify.html", enrolment=None, code=code[:64]), 404
    return render_template("enrolment/verify.html", enrolment=enrolment, code=enrolment.certificate_code), 200
