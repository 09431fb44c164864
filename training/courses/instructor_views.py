"""The instructor directory and "my teaching": pages on the courses blueprint."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from training.accounts.permissions import is_coordinator
from training.core.confirm import Confirmation, show_confirmation
from training.core.extensions import db
from training.core.forms import ConfirmForm
from training.core.uow import unit_of_work
from training.courses import services
from training.courses.forms import ActionForm, InstructorForm
from training.courses.pages import viewer_zone
from training.courses.views import bp, managers


@bp.route("/instructors")
def instructors() -> str:
    return render_template("courses/instructors.html",
                           rows=services.instructor_directory(db.session, viewer=current_user),
                           can_manage=is_coordinator(current_user))


@bp.route("/instructors/<int:instructor_id>")
def instructor(instructor_id: int) -> str:
    person = services.find_instructor(db.session, instructor_id)
    return render_template("courses/instructor.html", instructor=person,
                           sessions=services.teaching(db.session, person, viewer=current_user),
                           viewer_zone=viewer_zone(), can_manage=is_coordinator(current_user),
                           action_form=ActionForm())


@bp.route("/instructors/new", methods=["GET", "POST"])
@managers
def new_instructor() -> str | Response | tuple[str, int]:
    form = InstructorForm()
    if form.validate_on_submit():
        with unit_of_work(form) as work:
            person = services.create_instructor(db.session, form.details(), actor=current_user)
        if work.done:
            flash(_("%(name)s added to the directory.", name=person.name), "success")
            return redirect(url_for("courses.instructor", instructor_id=person.id))
    return render_template("courses/instructor_form.html", form=form, instructor=None), (
        400 if form.errors else 200)


@bp.route("/instructors/<int:instructor_id>/edit", methods=["GET", "POST"])
@managers
def edit_instructor(instructor_id: int) -> str | Response | tuple[str, int]:
    person = services.find_instructor(db.session, instructor_id)
    form = InstructorForm(obj=person)
    if request.method == "GET" and person.user_id:
        form.account_email.data = services.account_email(db.session, person)
    if form.validate_on_submit():
        with unit_of_work(form) as work:
            services.update_instructor(db.session, person, form.details(), actor=current_user)
        if work.done:
            flash(_("Instructor saved."), "success")
            return redirect(url_for("courses.instructor", instructor_id=person.id))
    return render_template("courses/instructor_form.html", form=form, instructor=person), (
        400 if form.errors else 200)


@bp.route("/instructors/<int:instructor_id>/delete", methods=["GET", "POST"])
@managers
def delete_instructor(instructor_id: int) -> Response | tuple[str, int]:
    person = services.find_instructor(db.session, instructor_id)
    form = ConfirmForm()
    back = form.back(url_for("courses.instructor", instructor_id=instructor_id))
    name = person.name
    if form.confirmed and form.validate_on_submit():
        with unit_of_work() as work:
            services.delete_instructor(db.session, person, actor=current_user)
        if not work.done:
            return redirect(back)
        flash(_("%(name)s removed from the directory.", name=name), "success")
        return redirect(url_for("courses.instructors"))
    services.require_directory_manager(current_user)
    confirmation = Confirmation(
        question=_("Remove %(name)s from the directory?", name=name),
        action_label=_("Remove from the directory"), keep_label=_("Keep %(name)s", name=name), back_url=back,
        subject=person.organisation or "",
        consequences=[_("Their details are deleted; this cannot be undone. An instructor who was ever "
                        "scheduled stays, for the record.")],
    )
    return show_confirmation(confirmation, form)


@bp.route("/my/teaching")
@login_required
def my_teaching() -> str:
    person = services.instructor_for_user(db.session, current_user)
    sessions = services.teaching(db.session, person, viewer=current_user) if person else []
    return render_template("courses/my_teaching.html", instructor=person, sessions=sessions,
                           viewer_zone=viewer_zone())
