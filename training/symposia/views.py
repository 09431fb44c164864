"""Coordinator pages for symposia under /symposia, and the invitee's RSVP page at /rsvp/<token>."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, Response, abort, flash, g, make_response, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_babel import refresh as refresh_locale
from flask_login import current_user
from werkzeug.wrappers import Response as BaseResponse

from training.accounts.models import Role
from training.accounts.permissions import role_required
from training.audit import services as audit
from training.core.confirm import Confirmation, show_confirmation
from training.core.errors import NotFound
from training.core.extensions import db, limiter
from training.core.forms import CONTROL_CHARACTERS_MESSAGE, ConfirmForm
from training.core.headers import attachment
from training.core.i18n import local_datetime
from training.core.schemas import has_control_characters
from training.core.uow import unit_of_work
from training.symposia import services, symposium_datetime
from training.symposia.forms import (
    ActionForm,
    InvitationForm,
    InvitationImportForm,
    ProgrammeSessionForm,
    RsvpForm,
    SymposiumForm,
)
from training.symposia.models import Invitation, InvitationState, Symposium, SymposiumStatus

bp = Blueprint("symposia", __name__, url_prefix="/symposia")
rsvp_bp = Blueprint("rsvp", __name__, url_prefix="/rsvp")

coordinator = role_required(Role.COORDINATOR)


def _fields(form: SymposiumForm) -> services.SymposiumFields:
    return services.SymposiumFields(
        title=form.title.data or "", description=form.description.data or "", venue=form.venue.data or "",
        title_zh=form.title_zh.data or "", description_zh=form.description_zh.data or "",
        city=form.city.data or "", timezone=form.timezone.data, starts_at=form.starts_at.data,
        ends_at=form.ends_at.data, capacity=form.capacity.data, rsvp_deadline=form.rsvp_deadline.data,
        organiser_name=form.organiser_name.data or "", organiser_email=form.organiser_email.data or "",
    )


@bp.route("/")
@coordinator
def index() -> str:
    return render_template("symposia/index.html", symposia=services.list_symposia(db.session))


@bp.route("/new", methods=["GET", "POST"])
@coordinator
def create() -> str | BaseResponse | tuple[str, int]:
    form = SymposiumForm()
    form.fill_choices()
    if not form.is_submitted():
        form.organiser_name.data, form.organiser_email.data = services.default_organiser(current_user)
    if form.validate_on_submit():
        with unit_of_work(form) as work:
            symposium = services.create_symposium(db.session, _fields(form), actor=current_user)
        if work.done:
            flash(_("Symposium created as a draft. Add the programme and invitations, then publish."),
                  "success")
            return redirect(url_for("symposia.show", symposium_id=symposium.id))
    return render_template("symposia/edit.html", form=form, symposium=None), 400 if form.errors else 200


@bp.route("/<int:symposium_id>/edit", methods=["GET", "POST"])
@coordinator
def edit(symposium_id: int) -> str | BaseResponse | tuple[str, int]:
    symposium = services.get_symposium(db.session, symposium_id)
    form = SymposiumForm(obj=symposium)
    form.fill_choices()
    if not form.is_submitted():
        for name in ("starts_at", "ends_at", "rsvp_deadline"):
            getattr(form, name).data = local_datetime(getattr(symposium, name), symposium.timezone).replace(
                tzinfo=None)
    if form.validate_on_submit():
        with unit_of_work(form) as work:
            sent = services.update_symposium(db.session, symposium, _fields(form), actor=current_user)
        if work.done:
            message = _("Symposium saved.")
            if sent:
                message += " " + ngettext("An update went to %(num)d invitee.",
                                          "An update went to %(num)d invitees.", sent)
            flash(message, "success")
            return redirect(url_for("symposia.show", symposium_id=symposium.id))
    return render_template("symposia/edit.html", form=form, symposium=symposium), 400 if form.errors else 200


def _dashboard_page(symposium: Symposium, status: int = 200, **forms: Any) -> tuple[str, int]:
    board = services.dashboard(db.session, symposium)
    session_form = forms.pop("session_form", None) or ProgrammeSessionForm(formdata=None)
    invitation_form = forms.pop("invitation_form", None) or InvitationForm(formdata=None)
    import_form = forms.pop("import_form", None) or InvitationImportForm(formdata=None)
    return render_template(
        "symposia/dashboard.html",
        board=board,
        symposium=symposium,
        session_form=session_form,
        invitation_form=invitation_form,
        import_form=import_form,
        action_form=ActionForm(),
        entries=audit.trail(db.session, services.topic(symposium), limit=50),
        states=list(InvitationState),
        **forms,
    ), status


@bp.route("/<int:symposium_id>")
@coordinator
def show(symposium_id: int) -> tuple[str, int]:
    return _dashboard_page(services.get_symposium(db.session, symposium_id))


def _action(symposium: Symposium, act: Any, done: str | None) -> BaseResponse | tuple[str, int]:
    """Run a button's service call and come back to the dashboard."""
    if not ActionForm().validate_on_submit():
        abort(400)
    with unit_of_work() as work:
        result = act(symposium)
    if not work.done:
        return _dashboard_page(symposium, 400)
    if done:
        flash(done % {"num": result} if "%(num)" in done else done, "success")
    return redirect(url_for("symposia.show", symposium_id=symposium.id))


@bp.route("/<int:symposium_id>/publish", methods=["POST"])
@coordinator
def publish(symposium_id: int) -> BaseResponse | tuple[str, int]:
    return _action(services.get_symposium(db.session, symposium_id),
                   lambda s: services.publish_symposium(db.session, s, actor=current_user),
                   _("Published. Invitations sent: %(num)d."))


def _confirmed(symposium: Symposium, form: ConfirmForm, ask: Callable[[], Confirmation], act: Any,
               done: str) -> BaseResponse | tuple[str, int]:
    """Act once the confirmation page's form is posted; otherwise show the page ask() words."""
    if form.confirmed and form.validate_on_submit():
        return _action(symposium, act, done)
    return show_confirmation(ask(), form)


@bp.route("/<int:symposium_id>/cancel", methods=["GET", "POST"])
@coordinator
def cancel(symposium_id: int) -> BaseResponse | tuple[str, int]:
    symposium = services.get_symposium(db.session, symposium_id)
    form = ConfirmForm()
    return _confirmed(symposium, form, lambda: _cancellation(symposium, form),
                      lambda s: services.cancel_symposium(db.session, s, actor=current_user),
                      _("Cancelled. Invitees told: %(num)d."))


def _cancellation(symposium: Symposium, form: ConfirmForm) -> Confirmation:
    told = services.cancellation_outcome(db.session, symposium, actor=current_user)
    published = symposium.status is SymposiumStatus.PUBLISHED
    return Confirmation(
        question=_("Cancel “%(title)s”?", title=symposium.shown_title),
        action_label=_("Cancel symposium"), keep_label=_("Keep the symposium"),
        back_url=form.back(url_for("symposia.show", symposium_id=symposium.id)),
        subject=symposium.city,
        consequences=[
            ngettext("%(num)d invitee who has not declined is told by mail; it leaves their calendar.",
                     "%(num)d invitees who have not declined are told by mail; it leaves their calendars.",
                     told)
            if published else _("Nobody is told: no invitation has been sent."),
            _("Personal links stop taking answers. A cancelled symposium cannot be published again."),
        ],
    )


@bp.route("/<int:symposium_id>/sessions", methods=["POST"])
@coordinator
def add_session(symposium_id: int) -> BaseResponse | tuple[str, int]:
    symposium = services.get_symposium(db.session, symposium_id)
    form = ProgrammeSessionForm()
    if form.validate_on_submit():
        with unit_of_work(form) as work:
            services.add_programme_session(
                db.session, symposium, actor=current_user, title=form.title.data,
                starts_at=form.starts_at.data, ends_at=form.ends_at.data, room=form.room.data or "",
                speakers=form.speakers.data or "")
        if work.done:
            flash(_("Added to the programme."), "success")
            return redirect(url_for("symposia.show", symposium_id=symposium.id) + "#programme")
    return _dashboard_page(symposium, 400, session_form=form)


@bp.route("/<int:symposium_id>/sessions/<int:session_id>/delete", methods=["GET", "POST"])
@coordinator
def remove_session(symposium_id: int, session_id: int) -> BaseResponse | tuple[str, int]:
    symposium = services.get_symposium(db.session, symposium_id)
    item = services.get_programme_session(db.session, symposium, session_id)
    services.require_coordinator(current_user)
    form = ConfirmForm()
    ask = Confirmation(
        question=_("Remove “%(item)s” from the programme of “%(title)s”?",
                   item=item.title, title=symposium.shown_title),
        action_label=_("Remove"), keep_label=_("Keep it on the programme"),
        back_url=form.back(url_for("symposia.show", symposium_id=symposium.id) + "#programme"),
        subject=f"{symposium_datetime(item.starts_at, symposium.timezone)} ({symposium.timezone})",
        consequences=[_("It is deleted from the programme; this cannot be undone. Invitees are not "
                        "mailed about it; they see the programme without it.")],
    )
    return _confirmed(symposium, form, lambda: ask,
                      lambda s: services.remove_programme_session(db.session, s, item, actor=current_user),
                      _("Removed from the programme."))


@bp.route("/<int:symposium_id>/invitations", methods=["POST"])
@coordinator
def add_invitation(symposium_id: int) -> BaseResponse | tuple[str, int]:
    symposium = services.get_symposium(db.session, symposium_id)
    form = InvitationForm()
    if form.validate_on_submit():
        with unit_of_work(form) as work:
            invitation = services.add_invitation(
                db.session, symposium, actor=current_user, name=form.name.data, email=form.email.data,
                organisation=form.organisation.data or "", delegates_allowed=form.delegates_allowed.data,
                locale=form.locale.data or "en")
        if work.done:
            flash(_("Invited %(email)s.", email=invitation.email), "success")
            return redirect(url_for("symposia.show", symposium_id=symposium.id) + "#invitations")
    return _dashboard_page(symposium, 400, invitation_form=form)


@bp.route("/<int:symposium_id>/invitations/import", methods=["POST"])
@coordinator
def import_invitations(symposium_id: int) -> tuple[str, int]:
    symposium = services.get_symposium(db.session, symposium_id)
    form = InvitationImportForm()
    if not form.validate_on_submit():
        return _dashboard_page(symposium, 400, import_form=form)
    text = form.text.data or ""
    upload = form.file.data
    if upload and getattr(upload, "filename", ""):
        raw = upload.read(services.IMPORT_FILE_MAX + 1)
        try:
            text = raw[:services.IMPORT_FILE_MAX].decode("utf-8-sig")
        except UnicodeDecodeError:
            form.file.errors = [_("The file is not UTF-8 text; save it as CSV UTF-8 and try again.")]
            return _dashboard_page(symposium, 400, import_form=form)
        if has_control_characters(text, multiline=True):
            # The field's own check sees the file's name only, not what it holds.
            form.file.errors = [str(CONTROL_CHARACTERS_MESSAGE)]
            return _dashboard_page(symposium, 400, import_form=form)
    with unit_of_work(form) as work:
        report = services.import_invitations(db.session, symposium, text, actor=current_user)
    if not work.done:
        return _dashboard_page(symposium, 400, import_form=form)
    added = sum(1 for line in report if line.ok)
    return _dashboard_page(symposium, 200 if added else 400, import_report=report,
                           import_form=InvitationImportForm(formdata=None))


@bp.route("/<int:symposium_id>/invitations/<int:invitation_id>/revoke", methods=["GET", "POST"])
@coordinator
def revoke(symposium_id: int, invitation_id: int) -> BaseResponse | tuple[str, int]:
    symposium = services.get_symposium(db.session, symposium_id)
    invitation = services.get_invitation(db.session, symposium, invitation_id)
    form = ConfirmForm()
    return _confirmed(symposium, form, lambda: _revocation(symposium, invitation, form),
                      lambda s: services.revoke_invitation(db.session, s, invitation, actor=current_user),
                      _("Invitation revoked; its link no longer works."))


def _revocation(symposium: Symposium, invitation: Invitation, form: ConfirmForm) -> Confirmation:
    outcome = services.revocation_outcome(db.session, symposium, invitation, actor=current_user)
    consequences = [_("Their personal link stops working at once; this cannot be undone.")]
    if outcome.delegates:
        consequences.append(ngettext(
            "The %(num)d delegate they named stops counting against the capacity.",
            "The %(num)d delegates they named stop counting against the capacity.", outcome.delegates))
    consequences.append(
        _("%(name)s is told by mail; the symposium leaves their calendar.", name=invitation.name)
        if outcome.told else _("Nobody is told: the invitation was never sent."))
    return Confirmation(
        question=_("Revoke the invitation of %(name)s to “%(title)s”?",
                   name=invitation.name, title=symposium.shown_title),
        action_label=_("Revoke"), keep_label=_("Keep the invitation"),
        back_url=form.back(url_for("symposia.show", symposium_id=symposium.id) + "#invitations"),
        subject=" · ".join(filter(None, [invitation.organisation, invitation.email])),
        consequences=consequences,
    )


@bp.route("/<int:symposium_id>/invitations/<int:invitation_id>/resend", methods=["POST"])
@coordinator
def resend(symposium_id: int, invitation_id: int) -> BaseResponse | tuple[str, int]:
    symposium = services.get_symposium(db.session, symposium_id)
    invitation = services.get_invitation(db.session, symposium, invitation_id)
    return _action(symposium,
                   lambda s: services.resend_invitation(db.session, s, invitation, actor=current_user),
                   _("Invitation sent again with a new link; the old link no longer works."))


@bp.route("/<int:symposium_id>/delegates.csv")
@coordinator
def delegates_csv(symposium_id: int) -> Response:
    symposium = services.get_symposium(db.session, symposium_id)
    body = services.delegates_csv(services.dashboard(db.session, symposium))
    response = make_response(body)
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    response.headers["Content-Disposition"] = attachment(f"{symposium.slug}-delegates.csv")
    return response


# --- the invitee's page -------------------------------------------------------------------

def _private(response: BaseResponse) -> BaseResponse:
    # The URL is the secret: keep it out of caches and out of Referer headers.
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@rsvp_bp.route("/<token>", methods=["GET", "POST"])
@limiter.limit("30/minute")
def respond(token: str) -> BaseResponse:
    try:
        invitation = services.invitation_for_token(db.session, token)
    except NotFound:
        # The plain 404 of any wrong address: an unusable link, whatever the reason, must not
        # look different from one that matches no route at all.
        abort(404)
    symposium = invitation.symposium
    # The page speaks the invitee's language unless they chose another with the switch.
    g.page_locale = invitation.locale
    refresh_locale()
    closed = services.answers_closed(symposium)
    form = RsvpForm()
    if not form.is_submitted():
        form.answer.data = invitation.answer.value if invitation.answer else None
        names = [d.name for d in invitation.delegates] or [invitation.name]
        form.delegates.data = "\n".join(names)
        form.note.data = invitation.note
    status = 200
    if form.is_submitted():
        if closed:
            flash(closed, "error")
            status = 400
        elif form.validate():
            with unit_of_work(form) as work:
                services.answer_invitation(
                    db.session, invitation, answer=form.answer.data,
                    delegates=(form.delegates.data or "").splitlines(), note=form.note.data or "")
            if not work.done:
                status = 400
                # The rollback expired what was loaded; the page shows the answer that stands.
                invitation = services.invitation_for_token(db.session, token)
            else:
                flash(_("Thank you. Your answer is recorded; you can change it until the deadline."),
                      "success")
                return _private(redirect(url_for("rsvp.respond", token=token)))
        else:
            status = 400
    response = make_response(render_template(
        "symposia/rsvp.html", invitation=invitation, symposium=invitation.symposium, form=form,
        closed=closed, programme=services.programme_of(db.session, symposium),
        cancelled=symposium.status is SymposiumStatus.CANCELLED,
    ), status)
    return _private(response)
