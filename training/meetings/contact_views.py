"""The hotline's pages: the directory, a contact point added, edited or retired, a test recorded."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from training.accounts.permissions import is_coordinator
from training.core.confirm import Confirmation
from training.core.database import utcnow
from training.core.extensions import db
from training.core.forms import ConfirmForm
from training.core.localtime import show_date
from training.core.uow import unit_of_work
from training.meetings import services
from training.meetings.forms import ContactPointEditForm, ContactPointForm, ContactTestForm
from training.meetings.models import ContactPoint
from training.meetings.views import (
    NOT_ON_THE_PAGE,
    bp,
    confirmed_action,
    coordinators_only,
    seen_by_both_sides,
)


def _directory(status: int = 200, **forms: Any) -> tuple[str, int]:
    now = utcnow()
    points = services.directory(db.session, viewer=current_user)
    retired = services.directory(db.session, viewer=current_user, retired=True)
    if is_coordinator(current_user):
        forms.setdefault("contact_form", ContactPointForm(formdata=None))
    return render_template(
        "meetings/contact_points.html",
        points=points,
        retired=retired,
        now=now,
        may_edit=services.may_edit,
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
            services.add_contact_point(db.session, _spec_from(form, form.side.data), actor=current_user)
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


def _spec_from(form: ContactPointForm, side: str) -> services.ContactSpec:
    return services.ContactSpec(
        side=side,
        name=form.name.data,
        organisation=form.organisation.data or "",
        phone=form.phone.data or "",
        email=form.email.data or "",
        hours=form.hours.data or "",
        languages=form.languages.data or "",
    )


def _editable(point_id: int) -> ContactPoint:
    point = services.get_contact_point(db.session, point_id, viewer=current_user)
    if point.retired:
        abort(404)
    if not services.may_edit(current_user, point):
        abort(403)
    return point


@bp.route("/contact-points/<int:point_id>/edit", methods=["GET", "POST"])
@seen_by_both_sides
def edit_contact_point(point_id: int) -> Response | tuple[str, int]:
    point = _editable(point_id)
    form = ContactPointEditForm(obj=point if request.method == "GET" else None)
    if not is_coordinator(current_user):
        # A focal point keeps their own side's contact points up to date; the side is not theirs to change.
        del form.side
    if form.validate_on_submit():
        side = form.side.data if "side" in form else point.side
        with unit_of_work(form, error_pages=NOT_ON_THE_PAGE) as work:
            services.update_contact_point(db.session, point, _spec_from(form, side), actor=current_user)
        if work.done:
            flash(_("The contact point is saved."), "success")
            return redirect(url_for("meetings.contact_points") + f"#contact-{point_id}")
    status = 422 if form.errors else 200
    return render_template("meetings/contact_point_edit.html", point=point, form=form), status


@bp.route("/contact-points/<int:point_id>/retire", methods=["GET", "POST"])
@coordinators_only
def retire_contact_point(point_id: int) -> Response | tuple[str, int]:
    point = _editable(point_id)
    form = ConfirmForm()
    page = url_for("meetings.contact_points")
    return confirmed_action(
        form,
        lambda: Confirmation(
            question=_("Retire the contact point %(name)s?", name=point.name),
            action_label=_("Retire the contact point"),
            keep_label=_("Keep it in the directory"),
            back_url=form.back(page),
            subject=" · ".join(filter(None, (point.side, point.organisation, point.phone or point.email))),
            consequences=[
                _("It leaves the directory and is no longer tested or reminded of."),
                _("Its test log stays, under “Retired contact points”, as evidence of the hotline's tests."),
            ]
            + (
                [_("Last reached by a test: %(day)s.", day=show_date(point.last_tested_at, "UTC"))]
                if point.last_tested_at
                else [_("It was never reached by a test.")]
            ),
        ),
        lambda: services.retire_contact_point(db.session, point, actor=current_user),
        _("The contact point is retired; its test log is kept."),
        page,
    )
