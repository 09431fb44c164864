"""The admin's pages: people and their roles, and the audit log."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from werkzeug.wrappers import Response

from training.accounts import personal_data
from training.accounts import services as accounts
from training.accounts.models import Role, User
from training.accounts.permissions import role_required
from training.admin.forms import RoleForm
from training.audit import services as audit
from training.core.confirm import Confirmation, show_confirmation
from training.core.errors import Conflict, DomainError
from training.core.extensions import db
from training.core.forms import ConfirmForm
from training.core.headers import attachment
from training.core.uow import unit_of_work
from training.outbox.services import queued_to

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.route("/users")
@role_required(Role.ADMIN)
def users() -> str:
    form = RoleForm()
    form.fill_choices()
    return _users_page(form)


def _users_page(form: RoleForm, failed_user_id: int | None = None) -> str:
    return render_template(
        "admin/users.html",
        users=accounts.list_users(db.session),
        form=form,
        failed_user_id=failed_user_id,
    )


@bp.route("/users/<int:user_id>/role", methods=["POST"])
@role_required(Role.ADMIN)
def change_role(user_id: int) -> Response | tuple[str, int]:
    user = db.session.get(User, user_id) or abort(404)
    form = RoleForm()
    form.fill_choices()
    if not form.validate_on_submit():
        return _users_page(form, failed_user_id=user.id), 400
    with unit_of_work(form) as work:
        accounts.change_role(
            db.session, user, role=form.role.data, country=form.country.data or None, actor=current_user
        )
    if not work.done:
        return _users_page(form, failed_user_id=user.id), 400
    flash(_("%(name)s is now %(role)s.", name=user.name, role=user.role.label), "success")
    return redirect(url_for("admin.users"))


@bp.route("/users/<int:user_id>/export.json")
@role_required(Role.ADMIN)
def export_person(user_id: int) -> Response:
    """Everything the system holds about one person, as a JSON download (audited: who exported whom)."""
    person = db.session.get(User, user_id) or abort(404)
    with unit_of_work():
        export = personal_data.export_person(db.session, person, actor=current_user)
    return Response(personal_data.export_json(export), mimetype="application/json", headers={
        "Content-Disposition": attachment(personal_data.export_filename(person)),
        "Cache-Control": "private, no-store"})


def _erasure_confirmation(person: User, back: str) -> Confirmation:
    queued = queued_to(db.session, person.email)
    return Confirmation(
        question=_("Erase %(name)s?", name=person.name),
        action_label=_("Erase for good"), keep_label=_("Keep %(name)s", name=person.name), back_url=back,
        subject=f"{person.email} · {person.role.label}",
        consequences=[
            _("Their name becomes “%(name)s” and their address %(email)s; their organisation, password, "
              "API tokens and calendar link are removed, and the account never signs in again.",
              name=personal_data.erased_name(person.id), email=personal_data.erased_email(person.id)),
            _("Their documents' contents and file names are deleted; their enrolments keep their statuses, "
              "seats, waitlist places and attendance, so no counter moves."),
            ngettext("%(num)d mail still queued to them is removed; mails, invitations and audit entries "
                     "that name them are rewritten.",
                     "%(num)d mails still queued to them are removed; mails, invitations and audit entries "
                     "that name them are rewritten.", queued),
            _("This cannot be undone: download their data first if it is needed."),
        ],
    )


@bp.route("/users/<int:user_id>/erase", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def erase_person(user_id: int) -> Response | tuple[str, int]:
    """Ask first, then erase a person: name, email, organisation, documents and secrets."""
    person = db.session.get(User, user_id) or abort(404)
    form = ConfirmForm()
    back = form.back(url_for("admin.users"))
    try:
        personal_data.check_may_erase(db.session, person, actor=current_user)
    except Conflict:
        return redirect(back)  # already erased: a reload of the confirmation, a second tab
    except DomainError as error:
        flash(error.message, "error")
        return redirect(back)
    if not (form.confirmed and form.validate_on_submit()):
        return show_confirmation(_erasure_confirmation(person, back), form)
    with unit_of_work() as work:
        erased = personal_data.erase_person(db.session, person, actor=current_user)
        name = erased.person.name
    if work.done:
        flash(_("Erased: the person is now “%(name)s”.", name=name), "success")
    return redirect(url_for("admin.users"))


@bp.route("/audit")
@role_required(Role.ADMIN)
def audit_log() -> str:
    return render_template("admin/audit.html", entries=audit.recent(db.session))
