"""The hotline's pages: the contact-point directory, a new contact point, a test recorded."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from training.accounts.permissions import is_coordinator
from training.core.database import utcnow
from training.core.extensions import db
from training.core.uow import unit_of_work
from training.meetings import services
from training.meetings.forms import ContactPointForm, ContactTestForm
from training.meetings.views import NOT_ON_THE_PAGE, bp, seen_by_both_sides


def _directory(status: int = 200, **forms: Any) -> tuple[str, int]:
    now = utcnow()
    points = services.directory(db.session, viewer=current_user)
    if is_coordinator(current_user):
        forms.setdefault("contact_form", ContactPointForm(formdata=None))
    return render_template(
        "meetings/contact_points.html",
        points=points,
        now=now,
        overdue={p.id for p in points if services.is_overdue(p, now)},
        days=services.test_days(),
        test_form=ContactTestForm(formdata=None),
        coordinator=is_coordinator(current_user),
        **forms,
    ), status


@bp.route("/contact-points", methods=["GET", "POST"])
@seen_by_both_sides
def contact_points() -> Response | tuple[str, int]:
    if request.method == "GET":
        return _directory()
    if not is_coordinator(current_user):
        abort(403)
    form = ContactPointForm()
    if form.validate_on_submit():
        with unit_of_work(form) as work:
            services.add_contact_point(
                db.session,
                services.ContactSpec(
                    side=form.side.data,
                    name=form.name.data,
                    organisation=form.organisation.data or "",
                    phone=form.phone.data or "",
                    email=form.email.data or "",
                    hours=form.hours.data or "",
                    languages=form.languages.data or "",
                ),
                actor=current_user,
            )
        if work.done:
            flash(_("The contact point is added."), "success")
            return redirect(url_for("meetings.contact_points"))
    return _directory(422, contact_form=form)


@bp.route("/contact-points/<int:point_id>/tests", methods=["POST"])
@seen_by_both_sides
def record_test(point_id: int) -> Response | tuple[str, int]:
    point = services.get_contact_point(db.session, point_id, viewer=current_user)
    form = ContactTestForm()
    if form.validate_on_submit():
        with unit_of_work(form, error_pages=NOT_ON_THE_PAGE) as work:
            services.record_test(
                db.session,
                point,
                method=form.method.data,
                result=form.result.data,
                note=form.note.data or "",
                actor=current_user,
            )
        if work.done:
            flash(_("The test is recorded."), "success")
            return redirect(url_for("meetings.contact_points") + f"#contact-{point_id}")
    else:
        flash(_("Choose how it was tested and the result."), "error")
    return _directory(422)
