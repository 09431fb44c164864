"""Enrolment pages: seats and rosters, enrolling and nominating, my courses, reciprocity,
attendance and certificates."""

from __future__ import annotations

import csv
import io
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from training.accounts.models import Role, User
from training.accounts.permissions import is_coordinator, role_required
from training.audit import services as audit
from training.core import i18n
from training.core.errors import DomainError, Forbidden, NotFound
from training.core.extensions import db
from training.core.forms import show_domain_error
from training.core.headers import attachment
from training.core.urls import safe_next
from training.courses.models import Course, CourseSession
from training.enrolment import services
from training.enrolment.forms import ActionForm, NominateForm, QuotaForm, RejectForm
from training.enrolment.models import Enrolment, EnrolmentStatus

bp = Blueprint("enrolment", __name__)


def _course(slug: str, *, with_sessions: bool = False) -> Course:
    try:
        viewer = current_user if current_user.is_authenticated else None
        return services.course_by_slug(db.session, slug, viewer, with_sessions=with_sessions)
    except NotFound:
        abort(404)


def _enrolment(enrolment_id: int) -> Enrolment:
    try:
        return services.enrolment_for(db.session, enrolment_id)
    except NotFound:
        abort(404)


def _scope(course: Course) -> services.RosterScope:
    try:
        return services.roster_scope(db.session, course, current_user)
    except NotFound:
        abort(404)
    except Forbidden:
        abort(403)


def _back(default: str) -> str:
    """Where to return after a button: the page it was pressed on, if it is on this site."""
    return safe_next(request.form.get("next")) or default


def _refused(error: DomainError, default: str) -> Response:
    """A refused button press: roll back, say why, go back."""
    db.session.rollback()
    if isinstance(error, Forbidden):
        abort(403)
    if isinstance(error, NotFound):
        abort(404)
    flash(error.message, "error")
    return redirect(_back(default))


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
        try:
            services.set_quota(db.session, course, form.country.data, form.seats.data, actor=current_user)
        except DomainError as error:
            db.session.rollback()
            show_domain_error(form, error)
        else:
            target = url_for("enrolment.seats", slug=course.slug)
            db.session.commit()
            flash(_("%(country)s now has %(seats)d seats.", country=i18n.country_name(form.country.data),
                    seats=form.seats.data), "success")
            return redirect(target)
    if form.errors:
        course = _course(slug)
    return _seats_page(course, form), 400 if form.errors else 200


# --- rosters -------------------------------------------------------------------------


@bp.route("/courses/<slug>/roster")
@login_required
def roster(slug: str) -> str:
    course = _course(slug)
    scope = _scope(course)
    return render_template(
        "enrolment/roster.html",
        course=course,
        scope=scope,
        groups=services.course_roster(db.session, course, scope),
        action_form=ActionForm(),
    )


@bp.route("/courses/<slug>/roster.csv")
@login_required
def roster_csv(slug: str) -> Response:
    course = _course(slug)
    scope = _scope(course)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["course", "country", "country_name", "status", "waitlist_position", "name", "email",
                     "organisation", "requested_at", "decided_at", "seat_country", "nominated_by"])
    for group in services.course_roster(db.session, course, scope):
        for row in group.rows:
            e = row.enrolment
            writer.writerow([
                course.slug, e.country, i18n.country_name(e.country), e.status.value,
                row.position or "", _csv_safe(e.user.name), e.user.email, _csv_safe(e.user.organisation),
                e.requested_at.isoformat(), e.decided_at.isoformat() if e.decided_at else "",
                e.quota.country if e.quota else "", _csv_safe(e.nominated_by.name) if e.nominated_by else "",
            ])
    filename = f"roster-{course.slug}{'-' + scope.country if scope.country else ''}.csv"
    return Response(
        out.getvalue(), mimetype="text/csv",
        headers={"Content-Disposition": attachment(filename)},
    )


def _csv_safe(value: str) -> str:
    # A cell starting with = + - @ is a formula to spreadsheet programs; keep it text.
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


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
        countries=i18n.country_choices(), action_form=ActionForm(),
        is_coordinator=is_coordinator(current_user),
    )


# --- enrolling, nominating, deciding ------------------------------------------------


@bp.route("/courses/<slug>/enrol", methods=["POST"])
@login_required
def enrol(slug: str) -> Response:
    course = _course(slug)
    form = ActionForm()
    default = url_for("enrolment.my_courses")
    if not form.validate_on_submit():
        abort(400)
    try:
        enrolment = services.enrol(db.session, course, current_user, actor=current_user)
    except DomainError as error:
        return _refused(error, default)
    position = services.waitlist_position(db.session, enrolment)
    messages = {
        EnrolmentStatus.CONFIRMED: _("You have a seat on %(title)s.", title=course.shown_title),
        EnrolmentStatus.PENDING: _("Your request for %(title)s awaits a coordinator's approval.",
                                   title=course.shown_title),
        EnrolmentStatus.WAITLISTED: _("%(title)s is full for your country: you are number %(n)d on "
                                      "the waitlist.", title=course.shown_title, n=position or 0),
    }
    status = enrolment.status
    # Nothing is read after the commit: every value shown was taken inside the transaction.
    db.session.commit()
    flash(messages[status], "success" if status is EnrolmentStatus.CONFIRMED else "info")
    return redirect(_back(default))


@bp.route("/courses/<slug>/nominate", methods=["GET", "POST"])
@role_required(Role.FOCAL_POINT, Role.COORDINATOR)
def nominate(slug: str) -> str | Response | tuple[str, int]:
    course = _course(slug)
    coordinator = is_coordinator(current_user)
    form = NominateForm()
    form.fill_choices(coordinator)
    if form.validate_on_submit():
        try:
            enrolment = services.nominate(
                db.session, course, actor=current_user, email=form.email.data, name=form.name.data or "",
                country=form.country.data if coordinator else None,
                override_window=bool(coordinator and form.override_window.data),
            )
        except DomainError as error:
            db.session.rollback()
            show_domain_error(form, error)
        else:
            person = db.session.get_one(User, enrolment.user_id)
            message = _("%(name)s is %(status)s on %(title)s.", name=person.name,
                        status=services.status_label(enrolment.status), title=course.shown_title)
            target = url_for("enrolment.nominate", slug=course.slug)
            db.session.commit()
            flash(message, "success")
            return redirect(target)
    return render_template(
        "enrolment/nominate.html", course=course, form=form, coordinator=coordinator,
        summary=services.seat_summaries(db.session, [course.id])[course.id],
    ), 400 if form.errors else 200


@bp.route("/enrolments/<int:enrolment_id>/withdraw", methods=["POST"])
@login_required
def withdraw(enrolment_id: int) -> Response:
    enrolment = _enrolment(enrolment_id)
    default = url_for("enrolment.my_courses")
    if not ActionForm().validate_on_submit():
        abort(400)
    title, name = enrolment.course.shown_title, enrolment.user.name
    try:
        services.withdraw(db.session, enrolment, actor=current_user)
    except DomainError as error:
        return _refused(error, default)
    db.session.commit()
    flash(_("%(name)s has withdrawn from %(title)s.", name=name, title=title), "success")
    return redirect(_back(default))


@bp.route("/enrolments/<int:enrolment_id>/approve", methods=["POST"])
@role_required(Role.COORDINATOR)
def approve(enrolment_id: int) -> Response:
    enrolment = _enrolment(enrolment_id)
    default = url_for("enrolment.seats", slug=enrolment.course.slug)
    if not ActionForm().validate_on_submit():
        abort(400)
    name = enrolment.user.name
    try:
        enrolment = services.approve(db.session, enrolment, actor=current_user)
    except DomainError as error:
        return _refused(error, default)
    message = _("%(name)s is approved: %(status)s.", name=name,
                status=services.status_label(enrolment.status))
    db.session.commit()
    flash(message, "success")
    return redirect(_back(default))


@bp.route("/enrolments/<int:enrolment_id>/reject", methods=["GET", "POST"])
@role_required(Role.COORDINATOR)
def reject(enrolment_id: int) -> str | Response | tuple[str, int]:
    enrolment = _enrolment(enrolment_id)
    form = RejectForm()
    if form.validate_on_submit():
        name, target = enrolment.user.name, url_for("enrolment.seats", slug=enrolment.course.slug)
        try:
            services.reject(db.session, enrolment, actor=current_user, reason=form.reason.data)
        except DomainError as error:
            db.session.rollback()
            if isinstance(error, Forbidden):
                abort(403)
            show_domain_error(form, error)
            enrolment = _enrolment(enrolment_id)
        else:
            db.session.commit()
            flash(_("%(name)s's enrolment is rejected.", name=name), "success")
            return redirect(target)
    status = 400 if form.errors else 200
    return render_template("enrolment/reject.html", enrolment=enrolment, form=form), status


# --- a person's own courses ---------------------------------------------------------


@bp.route("/my/courses")
@login_required
def my_courses() -> str:
    return render_template(
        "enrolment/my_courses.html",
        enrolments=services.my_enrolments(db.session, current_user),
        action_form=ActionForm(),
    )


# --- reciprocity --------------------------------------------------------------------


@bp.route("/reciprocity")
@login_required
def reciprocity() -> str:
    return render_template("enrolment/reciprocity.html", report=services.reciprocity(db.session))


# --- attendance and certificates ----------------------------------------------------


def _may_take_attendance(course: Course) -> None:
    if not (is_coordinator(current_user) or services.teaches(db.session, current_user, course)):
        abort(403)


@bp.route("/courses/<slug>/attendance")
@login_required
def attendance(slug: str) -> str:
    course = _course(slug, with_sessions=True)
    _may_take_attendance(course)
    return render_template("enrolment/attendance.html", course=course, sessions=course.sessions)


@bp.route("/courses/<slug>/sessions/<int:session_id>/attendance", methods=["GET", "POST"])
@login_required
def session_attendance(slug: str, session_id: int) -> str | Response | tuple[str, int]:
    course = _course(slug)
    _may_take_attendance(course)
    course_session = db.session.get(CourseSession, session_id)
    if course_session is None or course_session.course_id != course.id:
        abort(404)
    form = ActionForm()
    status = 200
    if form.validate_on_submit():
        try:
            present = {int(value) for value in request.form.getlist("present")}
        except ValueError:
            present = None
        try:
            if present is None:
                raise DomainError(_("The attendance list was malformed; mark it again."))
            completed = services.mark_attendance(db.session, course_session, present, actor=current_user)
        except DomainError as error:
            db.session.rollback()
            if isinstance(error, Forbidden):
                abort(403)
            flash(error.message, "error")
            status = 400
            course = _course(slug)
            course_session = db.session.get_one(CourseSession, session_id)
        else:
            target = url_for("enrolment.session_attendance", slug=course.slug, session_id=session_id)
            db.session.commit()
            flash(_("Attendance saved."), "success")
            if completed:
                flash(ngettext("%(num)d person completed the course.", "%(num)d people completed the course.",
                               len(completed)), "success")
            return redirect(target)
    return render_template(
        "enrolment/session_attendance.html", course=course, course_session=course_session, form=form,
        sheet=services.attendance_sheet(db.session, course_session),
    ), status


@bp.route("/enrolments/<int:enrolment_id>/certificate")
@login_required
def certificate(enrolment_id: int) -> str:
    enrolment = _enrolment(enrolment_id)
    if enrolment.user_id != current_user.id and not is_coordinator(current_user):
        abort(403)
    if enrolment.status is not EnrolmentStatus.COMPLETED or not enrolment.certificate_code:
        abort(404)
    return render_template("enrolment/certificate.html", enrolment=enrolment)


@bp.route("/certificates/<code>")
def verify_certificate(code: str) -> tuple[str, int]:
    try:
        enrolment: Any = services.certificate_by_code(db.session, code[:64])
    except NotFound:
        return render_template("enrolment/verify.html", enrolment=None, code=code[:64]), 404
    return render_template("enrolment/verify.html", enrolment=enrolment, code=enrolment.certificate_code), 200
