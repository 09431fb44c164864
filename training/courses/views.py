"""Course pages, the week grid, the course lifecycle and the schedule editor."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date
from functools import partial
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from werkzeug.wrappers import Response

from training.accounts.models import Role
from training.accounts.permissions import is_coordinator, role_required
from training.core import i18n
from training.core.confirm import Confirmation, show_confirmation
from training.core.extensions import db
from training.core.forms import ConfirmForm
from training.core.localtime import local_day
from training.core.uow import unit_of_work
from training.courses import pages, services
from training.courses.forms import (
    ActionForm,
    CancelCourseForm,
    CopyDayForm,
    CourseForm,
    LetterSettingsForm,
    SessionForm,
)
from training.courses.models import Course, CourseStatus

bp = Blueprint("courses", __name__)

managers = role_required(Role.COORDINATOR)


def _course(slug: str, *, with_schedule: bool = True) -> Course:
    """The course at slug as the signed-in reader may see it (NotFound becomes the 404 page)."""
    return services.find_course(db.session, slug, viewer=current_user, with_schedule=with_schedule)


@bp.route("/")
def catalogue() -> Response:
    """The home page: the catalogue of upcoming courses, filtered by host country, month and text.

    A visitor without cookies gets the page every such visitor gets, which shared caches may keep.
    """
    return pages.catalogue_page()


@bp.route("/courses/<slug>")
def course_page(slug: str) -> Response:
    return pages.course_page(slug)


@bp.route("/courses/<slug>/week")
def week(slug: str) -> str:
    course = _course(slug)
    number = request.args.get("week", "1")
    grid = services.week_grid(course, int(number) if number.isdigit() and len(number) < 4 else 1)
    return render_template("courses/week.html", course=course, grid=grid, viewer_zone=pages.viewer_zone(),
                           can_manage=is_coordinator(current_user))


@bp.route("/courses/manage")
@managers
def manage() -> str:
    return render_template("courses/manage.html", courses=services.all_courses(db.session))


def _timezone_notice(course: Course, entered: str) -> None:
    """Say so when the course's timezone is not the one the form held: the place's own replaced it."""
    if course.timezone != entered:
        place = ", ".join((course.city, i18n.country_name(course.host_country)))
        flash(_("Times are on %(zone)s, the timezone of %(place)s. Change it under Edit details if "
                "the venue keeps another clock.", zone=course.timezone.replace("_", " "), place=place),
              "info")


@bp.route("/courses/new", methods=["GET", "POST"])
@managers
def new_course() -> str | Response | tuple[str, int]:
    form = CourseForm()
    form.fill_choices(form.host_country.data)
    default_timezone = current_user.timezone or "UTC"
    if request.method == "GET":
        form.timezone.data = default_timezone
    if form.validate_on_submit():
        with unit_of_work(form) as work:
            course = services.create_course(db.session, form.details(default_timezone), actor=current_user,
                                            zone_must_fit=True)
        if work.done:
            _timezone_notice(course, form.timezone.data)
            flash(_("Draft course created. Now build its schedule."), "success")
            return redirect(url_for("courses.schedule", slug=course.slug))
    return render_template("courses/course_form.html", form=form, course=None), 400 if form.errors else 200


@bp.route("/courses/<slug>/edit", methods=["GET", "POST"])
@managers
def edit_course(slug: str) -> str | Response | tuple[str, int]:
    course = _course(slug)
    form = CourseForm(obj=course)
    form.fill_choices(form.host_country.data)
    if request.method == "GET":
        form.show_course(course)
    if form.validate_on_submit():
        with unit_of_work(form) as work:
            services.update_course(db.session, course, form.details(), actor=current_user, zone_must_fit=True)
        if work.done:
            flash(_("Course saved."), "success")
            return redirect(url_for("courses.course_page", slug=course.slug))
    return render_template("courses/course_form.html", form=form, course=course), 400 if form.errors else 200


@bp.route("/courses/<slug>/letter-settings", methods=["GET", "POST"])
@managers
def letter_settings(slug: str) -> str | Response | tuple[str, int]:
    course = _course(slug, with_schedule=False)
    form = LetterSettingsForm(data=asdict(services.LetterSettings.of(course)))
    if form.validate_on_submit():
        with unit_of_work(form) as work:
            services.update_letter_settings(db.session, course, form.settings(), actor=current_user)
        if work.done:
            flash(_("Letter settings saved."), "success")
            return redirect(url_for("courses.letter_settings", slug=course.slug))
    return render_template(
        "courses/letter_settings.html", form=form, course=course,
        languages=services.letter_languages(course), missing=services.missing_letter_settings(course),
    ), 400 if form.errors else 200


def _lifecycle(slug: str, change: Any, done: str, form: ActionForm) -> Response:
    course = _course(slug)
    if not form.validate_on_submit():
        flash(_("The form expired; try again."), "error")
        return redirect(url_for("courses.course_page", slug=slug))
    with unit_of_work() as work:
        change(db.session, course, actor=current_user)
    if work.done:
        flash(done, "success")
    return redirect(url_for("courses.course_page", slug=slug))


@bp.route("/courses/<slug>/publish", methods=["POST"])
@managers
def publish(slug: str) -> Response:
    return _lifecycle(slug, partial(services.publish_course, require_ready=True),
                      _("The course is published."), ActionForm())


def _course_cancellation(course: Course, outcome: services.CourseCancellation, back: str) -> Confirmation:
    if course.status is CourseStatus.PUBLISHED:
        told = [
            ngettext("%(num)d confirmed participant and %(waiting)s are told by mail, with your reason.",
                     "%(num)d confirmed participants and %(waiting)s are told by mail, with your reason.",
                     outcome.confirmed,
                     waiting=ngettext("%(num)d person waiting", "%(num)d people waiting", outcome.waiting)),
            ngettext("%(num)d person is told in all, instructors and pending requests included.",
                     "%(num)d people are told in all, instructors and pending requests included.",
                     outcome.told),
        ]
        told.append(ngettext(
            "Its %(num)d session stays in the schedule, struck through, and is cancelled in every calendar "
            "that follows the course.",
            "Its %(num)d sessions stay in the schedule, struck through, and are cancelled in every calendar "
            "that follows the course.", outcome.sessions))
    else:
        told = [_("Nobody is told: the course is not published.")]
    return Confirmation(
        question=_("Cancel “%(title)s”?", title=course.shown_title),
        action_label=_("Cancel the course"), keep_label=_("Keep the course"), back_url=back,
        subject=f"{course.city} · {course.status.label}",
        consequences=[*told, _("A cancelled course cannot be published again.")],
    )


@bp.route("/courses/<slug>/cancel", methods=["GET", "POST"])
@managers
def cancel(slug: str) -> Response | tuple[str, int]:
    course = _course(slug, with_schedule=False)
    form = CancelCourseForm()
    back = form.back(url_for("courses.course_page", slug=slug))
    if form.confirmed and form.validate_on_submit():
        with unit_of_work() as work:
            services.cancel_course(db.session, course, actor=current_user, reason=form.reason.data)
        # Refused (the course is no longer open): the course page says why.
        if work.done:
            flash(_("The course is cancelled."), "success")
        return redirect(url_for("courses.course_page", slug=slug))
    outcome = services.cancellation_outcome(db.session, course, actor=current_user)
    return show_confirmation(_course_cancellation(course, outcome, back), form)


@bp.route("/courses/<slug>/complete", methods=["POST"])
@managers
def complete(slug: str) -> Response:
    return _lifecycle(slug, services.complete_course, _("The course is completed."), ActionForm())


# --- schedule editor ---------------------------------------------------------------------

def _schedule_page(
    course: Course, session_form: SessionForm | None = None, copy_form: CopyDayForm | None = None,
    status: int = 200,
) -> tuple[str, int]:
    instructors = [i for i, _count in services.instructor_directory(db.session, viewer=current_user)]
    if session_form is None:
        session_form = SessionForm(formdata=None)
        session_form.fill_choices(course, instructors)
        session_form.day.data = request.args.get("day") or course.starts_on.isoformat()
    if copy_form is None:
        copy_form = CopyDayForm(formdata=None)
        copy_form.fill_choices(course)
    return render_template(
        "courses/schedule.html", course=course, days=services.schedule_by_day(course),
        session_form=session_form, copy_form=copy_form, action_form=ActionForm(),
        viewer_zone=pages.viewer_zone(),
    ), status


@bp.route("/courses/<slug>/schedule")
@managers
def schedule(slug: str) -> tuple[str, int]:
    return _schedule_page(_course(slug))


@bp.route("/courses/<slug>/sessions", methods=["POST"])
@managers
def add_session(slug: str) -> Response | tuple[str, int]:
    course = _course(slug)
    form = SessionForm()
    form.fill_choices(course, [i for i, _c in services.instructor_directory(db.session, viewer=current_user)])
    if form.validate_on_submit():
        with unit_of_work(form) as work:
            added = services.add_session(
                db.session, course, actor=current_user, day=form.day_value, starts=form.starts.data,
                ends=form.ends.data, title=form.title.data, kind=form.kind.data, room=form.room.data or "",
                description=form.description.data or "", instructor_ids=form.instructors.data or [],
            )
        if work.done:
            flash(_("“%(title)s” added.", title=added.title), "success")
            target = url_for("courses.schedule", slug=slug, day=form.day.data)
            return redirect(f"{target}#day-{form.day.data}")
    return _schedule_page(_course(slug), session_form=form, status=400)


@bp.route("/courses/<slug>/copy-day", methods=["POST"])
@managers
def copy_day(slug: str) -> Response | tuple[str, int]:
    course = _course(slug)
    form = CopyDayForm()
    form.fill_choices(course)
    if form.validate_on_submit():
        with unit_of_work(form) as work:
            created = services.copy_day(db.session, course, actor=current_user,
                                        from_day=date.fromisoformat(form.from_day.data),
                                        to_days=form.target_days)
        if work.done:
            days = ngettext("%(num)d day", "%(num)d days", len(form.target_days))
            flash(ngettext("%(num)d session copied to %(days)s.", "%(num)d sessions copied to %(days)s.",
                           len(created), days=days),
                  "success")
            return redirect(url_for("courses.schedule", slug=slug))
    return _schedule_page(_course(slug), copy_form=form, status=400)


@bp.route("/courses/<slug>/sessions/<int:session_id>/edit", methods=["GET", "POST"])
@managers
def edit_session(slug: str, session_id: int) -> str | Response | tuple[str, int]:
    course = _course(slug)
    course_session = services.find_session(db.session, course, session_id)
    form = SessionForm()
    form.fill_choices(course, [i for i, _c in services.instructor_directory(db.session, viewer=current_user)])
    if request.method == "GET":
        zone = services.local_zone(course)
        form.day.data = local_day(course_session.starts_at, course.timezone).isoformat()
        form.starts.data = course_session.starts_at.astimezone(zone).time()
        form.ends.data = course_session.ends_at.astimezone(zone).time()
        form.title.data = course_session.title
        form.kind.data = course_session.kind.value
        form.room.data = course_session.room
        form.description.data = course_session.description
        form.instructors.data = [i.id for i in course_session.instructors]
    if form.validate_on_submit():
        with unit_of_work(form) as work:
            services.update_session(
                db.session, course_session, course, actor=current_user, day=form.day_value,
                starts=form.starts.data, ends=form.ends.data, title=form.title.data, kind=form.kind.data,
                room=form.room.data or "", description=form.description.data or "",
                instructor_ids=form.instructors.data or [],
            )
        if work.done:
            flash(_("Session saved."), "success")
            return redirect(url_for("courses.schedule", slug=slug) + f"#day-{form.day.data}")
        # The rollback expired what the page shows: read it again as it stands.
        course = _course(slug)
        course_session = services.find_session(db.session, course, session_id)
    return render_template("courses/session_form.html", course=course, course_session=course_session,
                           form=form), 400 if form.errors else 200


@bp.route("/courses/<slug>/sessions/<int:session_id>/cancel", methods=["GET", "POST"])
@managers
def cancel_session(slug: str, session_id: int) -> Response | tuple[str, int]:
    course = _course(slug)
    course_session = services.find_session(db.session, course, session_id)
    form = ConfirmForm()
    back = form.back(url_for("courses.schedule", slug=slug))
    if form.confirmed and form.validate_on_submit():
        with unit_of_work() as work:
            services.cancel_session(db.session, course_session, course, actor=current_user)
        if work.done:
            flash(_("“%(title)s” is cancelled; it stays in the schedule, struck through.",
                    title=course_session.title), "success")
        return redirect(back)
    told = services.session_cancellation_outcome(db.session, course_session, course, actor=current_user)
    confirmation = Confirmation(
        question=_("Cancel the session “%(title)s”?", title=course_session.title),
        action_label=_("Cancel the session"), keep_label=_("Keep the session"), back_url=back,
        subject=f"{course.shown_title} · {services.describe_slot(course_session, course)}",
        consequences=[
            ngettext("%(num)d person is told by mail: its instructors and the people on the course.",
                     "%(num)d people are told by mail: its instructors and the people on the course.", told)
            if course.status is CourseStatus.PUBLISHED else _("Nobody is told: the course is not published."),
            _("It stays in the schedule, struck through, and is cancelled in calendars that follow the "
              "course. You can restore it from the schedule editor."),
        ],
    )
    return show_confirmation(confirmation, form)


@bp.route("/courses/<slug>/sessions/<int:session_id>/restore", methods=["POST"])
@managers
def restore_session(slug: str, session_id: int) -> Response:
    course = _course(slug)
    course_session = services.find_session(db.session, course, session_id)
    if not ActionForm().validate_on_submit():
        flash(_("The form expired; try again."), "error")
        return redirect(url_for("courses.schedule", slug=slug))
    with unit_of_work() as work:
        services.restore_session(db.session, course_session, course, actor=current_user)
    if work.done:
        flash(_("“%(title)s” is on again.", title=course_session.title), "success")
    return redirect(url_for("courses.schedule", slug=slug))


def course_status_badge(status: CourseStatus) -> str:
    """The CSS class of a status badge."""
    return {CourseStatus.PUBLISHED: "ok", CourseStatus.DRAFT: "warn",
            CourseStatus.CANCELLED: "bad", CourseStatus.COMPLETED: ""}[status]
