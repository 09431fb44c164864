"""An action item's pages: its status marked from a meeting or series page, and its edit page."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from training.core.extensions import db
from training.core.i18n import country_name
from training.core.uow import unit_of_work
from training.meetings import services
from training.meetings.forms import ActionEditForm, ActionStatusForm
from training.meetings.models import ActionItem, MeetingSeries
from training.meetings.views import NOT_ON_THE_PAGE, bp, coordinators_only, seen_by_both_sides


def _meeting_url(action: ActionItem, series: MeetingSeries) -> str:
    key = services.recurrence_key(action.occurrence.recurrence_id)
    return url_for("meetings.meeting_page", slug=series.slug, key=key) + f"#action-{action.id}"


@bp.route("/actions/<int:action_id>/status", methods=["POST"])
@seen_by_both_sides
def action_status(action_id: int) -> Response:
    action, series = services.get_action(db.session, action_id, viewer=current_user)
    form = ActionStatusForm()
    if not form.validate_on_submit():
        abort(400)
    back = _meeting_url(action, series)
    with unit_of_work(error_pages=NOT_ON_THE_PAGE) as work:
        services.update_action(db.session, action, series, status=form.status.data, actor=current_user)
    if work.done:
        flash(_("The action item is updated."), "success")
    if request.form.get("back") == "series":
        return redirect(url_for("meetings.series_page", slug=series.slug) + "#open-actions")
    return redirect(back)


@bp.route("/actions/<int:action_id>/edit", methods=["GET", "POST"])
@coordinators_only
def edit_action(action_id: int) -> Response | tuple[str, int]:
    """What an item says, who owns it on which side and by when: the same rules as when it was added."""
    action, series = services.get_action(db.session, action_id, viewer=current_user)
    form = ActionEditForm(
        obj=action if request.method == "GET" else None,
        status=action.status.value if request.method == "GET" else None,
    )
    form.side.choices = [(code, country_name(code)) for code in series.sides]
    back = _meeting_url(action, series)
    agreed_at = action.occurrence.recurrence_id  # read now: a refusal below expires the item
    if form.validate_on_submit():
        with unit_of_work(form, error_pages=NOT_ON_THE_PAGE) as work:
            services.update_action(
                db.session,
                action,
                series,
                status=form.status.data,
                spec=services.ActionSpec(
                    what=form.what.data,
                    side=form.side.data,
                    owner_name=form.owner_name.data,
                    owner_email=form.owner_email.data or "",
                    due_on=form.due_on.data,
                ),
                actor=current_user,
            )
        if work.done:
            flash(_("The action item is saved."), "success")
            return redirect(back)
    status = 422 if form.errors else 200
    return render_template(
        "meetings/action_edit.html", series=series, agreed_at=agreed_at, form=form, back=back
    ), status
