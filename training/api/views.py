"""API tokens on the profile page: create one (shown once) and revoke."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from training.api import services
from training.api.forms import NewTokenForm
from training.core.errors import DomainError
from training.core.extensions import db

bp = Blueprint("api_tokens", __name__, url_prefix="/profile/tokens")


@bp.route("", methods=["GET", "POST"])
@login_required
def tokens() -> str | tuple[str, int]:
    form = NewTokenForm()
    new_token = None
    if form.validate_on_submit():
        new_token, _row = services.issue_token(db.session, current_user, name=form.name.data)
        db.session.commit()
        form = NewTokenForm(formdata=None)
    status = 400 if form.errors else 200
    return render_template("api/tokens.html", form=form, new_token=new_token,
                           tokens=services.tokens_of(db.session, current_user)), status


@bp.route("/<int:token_id>/revoke", methods=["POST"])
@login_required
def revoke(token_id: int) -> Response:
    try:
        services.revoke_token(db.session, current_user, token_id)
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(url_for("api_tokens.tokens"))
    db.session.commit()
    flash(_("The token is revoked; programs using it are locked out."), "success")
    return redirect(url_for("api_tokens.tokens"))
