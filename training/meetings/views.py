"""Meeting pages: the series list, a series with its meetings, and one meeting (agenda, minutes,
action items, one-off changes). Participants, action items and the hotline have their own modules:
participant_views, action_views, contact_views."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from werkzeug.wrappers import Response

from training.accounts.models import Role
from training.accounts.permissions import is_coordinator, role_required
from training.core.confirm import Confirmation, show_confirmation
from training.core.database import utcnow
from training.core.errors import Forbidden, NotFound
from training.core.extensions import db
from training.core.forms import ConfirmForm
from training.core.i18n import country_name
from training.core.localtime import show_datetime
from training.core.uow import unit_of_work
from training.core.urls import external_url
from training.meetings import services
from training.meetings.forms import (
    ActionForm,
    ActionStatusForm,
    MinutesForm,
    MoveForm,
    ParticipantsForm,
    PlaceForm,
    RestoreForm,
    ScheduleForm,
    SeriesEditForm,
    SeriesForm,
    SplitForm,
)
from training.meetings.models import MeetingSeries
from training.meetings.services.participants import parse_participant_lines
from training.meetings.services.recurrence import describe, rule_from_pattern

bp = Blueprint("meetings", __name__)

NOT_ON_THE_PAGE = (Forbidden, NotFound)
seen_by_both_sides = role_required(Role.COORDINATOR, Role.FOCAL_POINT)
coordinators_only = role_required(Role.COORDINATOR)


def series_at(slug: str) -> MeetingSeries:
    return services.find_series(db.session, slug, viewer=current_user)


# --- the list and a new series ------------------------------------------------------


@bp.route("/meetings")
@seen_by_both_sides
def index() -> str:
    now = utcnow()
    listed = services.visible_series(db.session, current_user)
    return render_template(
        "meetings/index.html", listed=listed, now=now, coordinator=is_coordinator(current_user)
    )


def _spec_from(form: SeriesForm) -> services.SeriesSpec:
    rule = rule_from_pattern(
        form.pattern.data,
        form.starts_at.data,
        interval=form.interval.data,
        count=form.count.data,
        until=form.until.data,
        custom=form.rrule.data or "",
    )
    return services.SeriesSpec(
        title=form.title.data,
        title_zh=form.title_zh.data or "",
        side_a=form.side_a.data,
        side_b=form.side_b.data,
        timezone=form.timezone.data,
        starts_at=form.starts_at.data,
        duration_minutes=form.duration_minutes.data,
        rrule=rule,
        location=form.location.data or "",
        video_url=form.video_url.data or "",
        participants=parse_participant_lines(form.participants.data),
    )


@bp.route("/meetings/new", methods=["GET", "POST"])
@coordinators_only
def new() -> Response | tuple[str, int]:
    form = SeriesForm()
    if form.validate_on_submit():
        with unit_of_work(form) as work:
            series = services.create_series(db.session, _spec_from(form), actor=current_user)
            slug, invited = series.slug, len(series.participants)
        if work.done:
            flash(
                ngettext(
                    "The series is created; %(num)d participant is invited.",
                    "The series is created; %(num)d participants are invited.",
                    invited,
                ),
                "success",
            )
            return redirect(url_for("meetings.series_page", slug=slug))
    return render_template("meetings/new.html", form=form), 422 if form.errors else 200


# --- a series -----------------------------------------------------------------------


def render_series_page(series: MeetingSeries, status: int = 200, **forms: Any) -> tuple[str, int]:
    now = utcnow()
    services.load_actions(db.session, series)
    meetings = services.meetings_of(series)
    coordinator = is_coordinator(current_user)
    reschedulable = coordinator and not series.cancelled and not services.has_begun(series, now)
    if coordinator:
        forms.setdefault("edit_form", SeriesEditForm(obj=series, formdata=None))
        forms.setdefault("participants_form", ParticipantsForm(formdata=None))
    if reschedulable:
        forms.setdefault(
            "schedule_form",
            ScheduleForm(
                formdata=None,
                timezone=series.timezone,
                starts_at=series.first_start,
                duration_minutes=series.duration_minutes,
                rrule=series.rrule,
            ),
        )
    return render_template(
        "meetings/series.html",
        series=series,
        meetings=meetings,
        now=now,
        today=now.date(),
        open_actions=services.open_actions(db.session, series, now.date()),
        upcoming=services.next_meeting(series, now),
        coordinator=coordinator,
        reschedulable=reschedulable,
        rule=describe(series.rrule),
        feed_url=external_url("calendar.meeting_feed", slug=series.slug),
        **forms,
    ), status


@bp.route("/meetings/<slug>")
@seen_by_both_sides
def series_page(slug: str) -> tuple[str, int]:
    return render_series_page(series_at(slug))


@bp.route("/meetings/<slug>/edit", methods=["POST"])
@coordinators_only
def edit(slug: str) -> Response | tuple[str, int]:
    series = series_at(slug)
    form = SeriesEditForm()
    if form.validate_on_submit():
        with unit_of_work(form, error_pages=NOT_ON_THE_PAGE) as work:
            services.update_series(
                db.session,
                series,
                title=form.title.data,
                title_zh=form.title_zh.data or "",
                location=form.location.data or "",
                video_url=form.video_url.data or "",
                actor=current_user,
            )
        if work.done:
            flash(_("Saved; the participants are sent the series again."), "success")
            return redirect(url_for("meetings.series_page", slug=slug))
    return render_series_page(series_at(slug), 422, edit_form=form)


@bp.route("/meetings/<slug>/schedule", methods=["POST"])
@coordinators_only
def reschedule(slug: str) -> Response | tuple[str, int]:
    series = series_at(slug)
    form = ScheduleForm()
    if form.validate_on_submit():
        with unit_of_work(form, error_pages=NOT_ON_THE_PAGE) as work:
            services.reschedule_series(
                db.session,
                series,
                starts_at=form.starts_at.data,
                duration_minutes=form.duration_minutes.data,
                timezone=form.timezone.data,
                rrule=rule_from_pattern(
                    form.pattern.data,
                    form.starts_at.data,
                    interval=form.interval.data,
                    count=form.count.data,
                    until=form.until.data,
                    custom=form.rrule.data or "",
                ),
                actor=current_user,
            )
        if work.done:
            flash(_("The schedule is changed; the participants are sent the series again."), "success")
            return redirect(url_for("meetings.series_page", slug=slug))
    return render_series_page(series_at(slug), 422, schedule_form=form)


def confirmed_action(
    form: ConfirmForm, ask: Callable[[], Confirmation], act: Callable[[], object], done: str, back: str
) -> Response | tuple[str, int]:
    """Act once the confirmation page's form is posted; otherwise show the page ask() words."""
    if form.confirmed and form.validate_on_submit():
        with unit_of_work(error_pages=NOT_ON_THE_PAGE) as work:
            act()
        if work.done:
            flash(done, "success")
        return redirect(back)
    return show_confirmation(ask(), form)


@bp.route("/meetings/<slug>/cancel", methods=["GET", "POST"])
@coordinators_only
def cancel_series(slug: str) -> Response | tuple[str, int]:
    series = series_at(slug)
    form = ConfirmForm()
    page = url_for("meetings.series_page", slug=slug)
    return confirmed_action(
        form,
        lambda: Confirmation(
            question=_("Cancel the whole series “%(title)s”?", title=series.shown_title),
            action_label=_("Cancel the series"),
            keep_label=_("Keep the series"),
            back_url=form.back(page),
            consequences=[
                ngettext(
                    "%(num)d participant is told by mail; every meeting leaves their calendar.",
                    "%(num)d participants are told by mail; every meeting leaves their calendars.",
                    len(series.participants),
                ),
                _("The minutes and action items of past meetings stay."),
            ],
        ),
        lambda: services.cancel_series(db.session, series, actor=current_user),
        _("The series is cancelled."),
        page,
    )


# --- one meeting --------------------------------------------------------------------


def _meeting_page(series: MeetingSeries, key: str, status: int = 200, **forms: Any) -> tuple[str, int]:
    services.load_actions(db.session, series)
    meeting = services.find_meeting(series, key)
    now = utcnow()
    coordinator = is_coordinator(current_user)
    if coordinator:
        row = meeting.row
        forms.setdefault(
            "move_form",
            MoveForm(
                formdata=None, starts_at=meeting.starts_at.astimezone(_zone(series)).replace(tzinfo=None)
            ),
        )
        forms.setdefault("place_form", PlaceForm(formdata=None, location=row.location if row else ""))
        forms.setdefault(
            "split_form",
            SplitForm(
                formdata=None,
                starts_at=meeting.recurrence_id,
                duration_minutes=series.duration_minutes,
                location=series.location,
            ),
        )
        forms.setdefault("minutes_form", MinutesForm(formdata=None, obj=row))
        forms.setdefault("action_form", _action_form(series, formdata=None))
        forms.setdefault("restore_form", RestoreForm(formdata=None))
    meetings = services.meetings_of(series)
    return render_template(
        "meetings/meeting.html",
        series=series,
        meeting=meeting,
        now=now,
        today=now.date(),
        coordinator=coordinator,
        actions=services.meeting_actions(meeting),
        carried=services.carried_actions(db.session, series, meeting),
        previous=meetings[meeting.number - 2] if meeting.number > 1 else None,
        following=meetings[meeting.number] if meeting.number < len(meetings) else None,
        status_form=ActionStatusForm(formdata=None),
        may_update=services.may_update,
        **forms,
    ), status


def _zone(series: MeetingSeries) -> ZoneInfo:
    return ZoneInfo(series.timezone)


def _action_form(series: MeetingSeries, **kwargs: Any) -> ActionForm:
    form = ActionForm(**kwargs)
    form.side.choices = [(code, country_name(code)) for code in series.sides]
    return form


@bp.route("/meetings/<slug>/<key>")
@seen_by_both_sides
def meeting_page(slug: str, key: str) -> tuple[str, int]:
    return _meeting_page(series_at(slug), key)


def _meeting_change(
    slug: str, key: str, form: Any, act: Callable[[MeetingSeries], Any], done: str, name: str
) -> Response | tuple[str, int]:
    series = series_at(slug)
    services.find_meeting(series, key)  # 404 for a time that is not a meeting of the series
    if form.validate_on_submit():
        with unit_of_work(form, error_pages=NOT_ON_THE_PAGE) as work:
            result = act(series)
        if work.done:
            flash(done, "success")
            if isinstance(result, MeetingSeries):
                return redirect(url_for("meetings.series_page", slug=result.slug))
            return redirect(url_for("meetings.meeting_page", slug=slug, key=key))
    return _meeting_page(series_at(slug), key, 422, **{name: form})


@bp.route("/meetings/<slug>/<key>/move", methods=["POST"])
@coordinators_only
def move(slug: str, key: str) -> Response | tuple[str, int]:
    form = MoveForm()
    return _meeting_change(
        slug,
        key,
        form,
        lambda s: services.move_meeting(
            db.session, s, key, starts_at=form.starts_at.data, actor=current_user
        ),
        _("The meeting is moved; the participants' calendars are updated."),
        "move_form",
    )


@bp.route("/meetings/<slug>/<key>/restore", methods=["POST"])
@coordinators_only
def restore(slug: str, key: str) -> Response | tuple[str, int]:
    form = RestoreForm()
    return _meeting_change(
        slug,
        key,
        form,
        lambda s: services.restore_meeting(db.session, s, key, actor=current_user),
        _("The meeting is held after all; the participants' calendars show it again."),
        "restore_form",
    )


@bp.route("/meetings/<slug>/<key>/place", methods=["POST"])
@coordinators_only
def place(slug: str, key: str) -> Response | tuple[str, int]:
    form = PlaceForm()
    return _meeting_change(
        slug,
        key,
        form,
        lambda s: services.place_meeting(
            db.session, s, key, location=form.location.data or "", actor=current_user
        ),
        _("The place is saved."),
        "place_form",
    )


@bp.route("/meetings/<slug>/<key>/split", methods=["POST"])
@coordinators_only
def split(slug: str, key: str) -> Response | tuple[str, int]:
    form = SplitForm()
    return _meeting_change(
        slug,
        key,
        form,
        lambda s: services.split_series(
            db.session,
            s,
            services.find_meeting(s, key),
            starts_at=form.starts_at.data,
            duration_minutes=form.duration_minutes.data,
            location=form.location.data or "",
            actor=current_user,
        ),
        _("From this meeting on, the series continues as a new one; past meetings are unchanged."),
        "split_form",
    )


@bp.route("/meetings/<slug>/<key>/minutes", methods=["POST"])
@coordinators_only
def minutes(slug: str, key: str) -> Response | tuple[str, int]:
    form = MinutesForm()
    return _meeting_change(
        slug,
        key,
        form,
        lambda s: services.write_minutes(
            db.session,
            s,
            key,
            agenda=form.agenda.data or "",
            minutes_en=form.minutes_en.data or "",
            minutes_zh=form.minutes_zh.data or "",
            actor=current_user,
        ),
        _("Agenda and minutes saved."),
        "minutes_form",
    )


@bp.route("/meetings/<slug>/<key>/actions", methods=["POST"])
@coordinators_only
def add_action(slug: str, key: str) -> Response | tuple[str, int]:
    form = _action_form(series_at(slug))
    return _meeting_change(
        slug,
        key,
        form,
        lambda s: services.add_action(
            db.session,
            s,
            key,
            services.ActionSpec(
                what=form.what.data,
                side=form.side.data,
                owner_name=form.owner_name.data,
                owner_email=form.owner_email.data or "",
                due_on=form.due_on.data,
            ),
            actor=current_user,
        ),
        _("The action item is added."),
        "action_form",
    )


@bp.route("/meetings/<slug>/<key>/cancel", methods=["GET", "POST"])
@coordinators_only
def cancel_meeting(slug: str, key: str) -> Response | tuple[str, int]:
    series = series_at(slug)
    meeting = services.find_meeting(series, key)
    form = ConfirmForm()
    page = url_for("meetings.meeting_page", slug=slug, key=key)
    return confirmed_action(
        form,
        lambda: Confirmation(
            question=_("Cancel the meeting of %(when)s only?", when=_when(meeting)),
            action_label=_("Cancel this meeting"),
            keep_label=_("Keep the meeting"),
            back_url=form.back(page),
            subject=series.shown_title,
            consequences=[
                ngettext(
                    "%(num)d participant is told that this meeting only is cancelled.",
                    "%(num)d participants are told that this meeting only is cancelled.",
                    len(series.participants),
                ),
                _("The other meetings of the series stay in their calendars."),
            ],
        ),
        lambda: services.cancel_meeting(db.session, series, key, actor=current_user),
        _("This meeting is cancelled; the series goes on."),
        page,
    )


def _when(meeting: services.Meeting) -> str:
    return show_datetime(meeting.starts_at, meeting.series.timezone)
