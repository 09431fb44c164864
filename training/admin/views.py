"""The admin's pages: people and their roles, and the audit log."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from training.accounts import services as accounts
from training.accounts.models import Role, User
from training.accounts.permissions import role_required
from training.admin.forms import RoleForm
from training.audit import services as audit
from training.core.extensions import db
from training.core.uow import unit_of_work

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


@bp.route("/audit")
@role_required(Role.ADMIN)
def audit_log() -> str:
    return render_template("admin/audit.html", entries=audit.recent(db.session))
