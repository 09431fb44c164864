"""Sign-up, sign-in, sign-out, password reset, the profile page and its API tokens."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from werkzeug.wrappers import Response

from training.accounts import services, tokens
from training.accounts.forms import (
    LoginForm,
    NewTokenForm,
    ProfileForm,
    ResetPasswordForm,
    ResetRequestForm,
    SignupForm,
)
from training.core.errors import DomainError
from training.core.extensions import db, limiter
from training.core.forms import show_domain_error
from training.core.urls import safe_next

bp = Blueprint("accounts", __name__)
# API tokens on the profile page: create one (shown once) and revoke.
tokens_bp = Blueprint("api_tokens", __name__, url_prefix="/profile/tokens")


@bp.route("/signup", methods=["GET", "POST"])
@limiter.limit("20/hour", methods=["POST"])
def signup() -> str | Response:
    if current_user.is_authenticated:
        return redirect(url_for("courses.catalogue"))
    form = SignupForm()
    form.fill_choices()
    if not form.is_submitted():
        # The language the page is read in is the best guess for the mails the person will get.
        form.locale.data = str(get_locale() or "en")
    if form.validate_on_submit():
        try:
            user = services.create_user(
                db.session,
                email=form.email.data,
                name=form.name.data,
                country=form.country.data,
                organisation=form.organisation.data or "",
                timezone=form.timezone.data,
                locale=form.locale.data or None,
                password=form.password.data,
            )
        except DomainError as error:
            db.session.rollback()
            show_domain_error(form, error)
        else:
            db.session.commit()
            login_user(user)
            flash(_("Welcome, %(name)s. Your account is ready.", name=user.name), "success")
            return redirect(url_for("courses.catalogue"))
    return render_template("accounts/signup.html", form=form), 200 if not form.errors else 400


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit("10/minute", methods=["POST"])
def login() -> str | Response | tuple[str, int]:
    if current_user.is_authenticated:
        return redirect(url_for("courses.catalogue"))
    form = LoginForm()
    if form.validate_on_submit():
        user = services.authenticate(db.session, form.email.data, form.password.data)
        if user is None:
            form.password.errors = [_("Wrong email or password.")]
        else:
            db.session.commit()
            login_user(user, remember=form.remember.data)
            return redirect(safe_next(request.args.get("next")) or url_for("courses.catalogue"))
    status = 400 if form.errors else 200
    return render_template("accounts/login.html", form=form), status


@bp.route("/logout", methods=["POST"])
def logout() -> Response:
    # Said in the language of the person leaving, chosen before they become anonymous.
    message = _("You are signed out.")
    logout_user()
    flash(message, "info")
    return redirect(url_for("courses.catalogue"))


@bp.route("/reset", methods=["GET", "POST"])
@limiter.limit("5/minute", methods=["POST"])
def reset_request() -> str | Response | tuple[str, int]:
    form = ResetRequestForm()
    if form.validate_on_submit():
        services.request_password_reset(db.session, form.email.data)
        db.session.commit()
        flash(_("If an account uses that address, a reset link is on its way."), "info")
        return redirect(url_for("accounts.login"))
    return render_template("accounts/reset_request.html", form=form), 400 if form.errors else 200


@bp.route("/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str) -> str | Response | tuple[str, int]:
    try:
        services.user_for_reset_token(db.session, token)
    except DomainError as error:
        flash(error.message, "error")
        return redirect(url_for("accounts.reset_request"))
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            services.reset_password(db.session, token, form.password.data)
        except DomainError as error:
            db.session.rollback()
            show_domain_error(form, error)
        else:
            db.session.commit()
            flash(_("Your password is set. Sign in with it."), "success")
            return redirect(url_for("accounts.login"))
    return render_template("accounts/reset_password.html", form=form), 400 if form.errors else 200


@bp.route("/profile", methods=["GET", "POST"])
@login_required
def profile() -> str | Response | tuple[str, int]:
    form = ProfileForm(obj=current_user)
    form.fill_choices()
    if form.validate_on_submit():
        try:
            services.update_profile(
                db.session,
                current_user,
                name=form.name.data,
                organisation=form.organisation.data or "",
                country=form.country.data,
                timezone=form.timezone.data,
                locale=form.locale.data or None,
            )
        except DomainError as error:
            db.session.rollback()
            show_domain_error(form, error)
        else:
            db.session.commit()
            flash(_("Profile saved."), "success")
            return redirect(url_for("accounts.profile"))
    return render_template("accounts/profile.html", form=form), 400 if form.errors else 200


@tokens_bp.route("", methods=["GET", "POST"], endpoint="tokens")
@login_required
def api_token_list() -> str | tuple[str, int]:
    """The person's API tokens, and a form for a new one (shown once)."""
    form = NewTokenForm()
    new_token = None
    if form.validate_on_submit():
        new_token, _row = tokens.issue_token(db.session, current_user, name=form.name.data)
        db.session.commit()
        form = NewTokenForm(formdata=None)
    status = 400 if form.errors else 200
    return render_template("accounts/tokens.html", form=form, new_token=new_token,
                           tokens=tokens.tokens_of(db.session, current_user)), status


@tokens_bp.route("/<int:token_id>/revoke", methods=["POST"])
@login_required
def revoke(token_id: int) -> Response:
    """Revoke one of the person's API tokens."""
    try:
        tokens.revoke_token(db.session, current_user, token_id)
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(url_for("api_tokens.tokens"))
    db.session.commit()
    flash(_("The token is revoked; programs using it are locked out."), "success")
    return redirect(url_for("api_tokens.tokens"))
