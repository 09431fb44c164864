"""A series' participants: people invited, and taken off after a confirmation."""

from __future__ import annotations

from flask import abort, flash, redirect, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from werkzeug.wrappers import Response

from training.core.confirm import Confirmation
from training.core.extensions import db
from training.core.forms import ConfirmForm
from training.core.uow import unit_of_work
from training.meetings import services
from training.meetings.forms import ParticipantsForm
from training.meetings.services.participants import parse_participant_lines
from training.meetings.views import (
    NOT_ON_THE_PAGE,
    bp,
    confirmed_action,
    coordinators_only,
    render_series_page,
    series_at,
)


@bp.route("/meetings/<slug>/participants", methods=["POST"])
@coordinators_only
def add_participants(slug: str) -> Response | tuple[str, int]:
    series = series_at(slug)
    form = ParticipantsForm()
    if form.validate_on_submit():
        with unit_of_work(form, error_pages=NOT_ON_THE_PAGE) as work:
            added = services.add_participants(
                db.session, series, parse_participant_lines(form.participants.data), actor=current_user
            )
            count = len(added)
        if work.done:
            flash(ngettext("%(num)d person is invited.", "%(num)d people are invited.", count), "success")
            return redirect(url_for("meetings.series_page", slug=slug) + "#participants")
    return render_series_page(series_at(slug), 422, participants_form=form)


@bp.route("/meetings/<slug>/participants/<int:participant_id>/remove", methods=["GET", "POST"])
@coordinators_only
def remove_participant(slug: str, participant_id: int) -> Response | tuple[str, int]:
    series = series_at(slug)
    person = next((p for p in series.participants if p.id == participant_id), None)
    if person is None:
        abort(404)
    form = ConfirmForm()
    page = url_for("meetings.series_page", slug=slug) + "#participants"
    return confirmed_action(
        form,
        lambda: Confirmation(
            question=_("Take %(name)s off “%(title)s”?", name=person.name, title=series.shown_title),
            action_label=_("Take off the series"),
            keep_label=_("Keep them invited"),
            back_url=form.back(page),
            subject=person.email,
            consequences=[_("They are told by mail, and every meeting of the series leaves their calendar.")],
        ),
        lambda: services.remove_participant(db.session, series, participant_id, actor=current_user),
        _("Taken off the series; their calendar is told."),
        page,
    )
