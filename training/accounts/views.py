"""Sign-up, sign-in, sign-out, password reset, the profile page and its API tokens."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from werkzeug.wrappers import Response

from training.accounts import personal_data, services, tokens
from training.accounts.forms import (
    ChangePasswordForm,
    ConfirmSignupForm,
    LoginForm,
    NewTokenForm,
    ProfileForm,
    ResetPasswordForm,
    ResetRequestForm,
    SignOutEverywhereForm,
    SignupForm,
)
from training.accounts.limits import (
    MAIL_PER_ACCOUNT,
    MAIL_PER_ADDRESS,
    SIGN_IN_PER_ACCOUNT,
    SIGN_IN_PER_ADDRESS,
    submitted_account,
)
from training.core.confirm import Confirmation, show_confirmation
from training.core.errors import DomainError
from training.core.extensions import db, limiter
from training.core.forms import ConfirmForm
from training.core.headers import attachment
from training.core.uow import unit_of_work
from training.core.urls import safe_next

bp = Blueprint("accounts", __name__)
# API tokens on the profile page: create one (shown once) and revoke.
tokens_bp = Blueprint("api_tokens", __name__, url_prefix="/profile/tokens")


@bp.route("/signup", methods=["GET", "POST"])
@limiter.limit("20/hour", methods=["POST"])
@limiter.limit(MAIL_PER_ACCOUNT, key_func=submitted_account, methods=["POST"])
def signup() -> str | Response:
    if current_user.is_authenticated:
        return redirect(url_for("courses.catalogue"))
    form = SignupForm()
    form.fill_choices()
    if not form.is_submitted():
        # The language the page is read in is the best guess for the mails the person will get.
        form.locale.data = str(get_locale() or "en")
    if form.validate_on_submit():
        with unit_of_work(form) as work:
            services.request_signup(
                db.session,
                email=form.email.data,
                name=form.name.data,
                country=form.country.data,
                organisation=form.organisation.data or "",
                timezone=form.timezone.data,
                locale=form.locale.data or None,
                password=form.password.data,
            )
        if work.done:
            # The same page whether or not the address has an account: the mail tells which.
            return render_template("accounts/signup_sent.html")
    return render_template("accounts/signup.html", form=form), 200 if not form.errors else 400


@bp.route("/signup/<token>", methods=["GET", "POST"])
def confirm_signup(token: str) -> str | Response:
    try:
        pending = services.signup_request_for(db.session, token)
    except DomainError as error:
        flash(error.message, "error")
        return redirect(url_for("accounts.signup"))
    form = ConfirmSignupForm()
    if form.validate_on_submit():
        with unit_of_work() as work:
            user = services.confirm_signup(db.session, token)
        if not work.done:
            return redirect(url_for("accounts.login"))
        login_user(user)
        flash(_("Welcome, %(name)s. Your account is ready.", name=user.name), "success")
        return redirect(url_for("courses.catalogue"))
    # A button, not the link itself, creates the account: mail scanners follow links.
    return render_template("accounts/signup_confirm.html", form=form, email=pending.email)


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(SIGN_IN_PER_ADDRESS, methods=["POST"])
@limiter.limit(SIGN_IN_PER_ACCOUNT, key_func=submitted_account, methods=["POST"])
def login() -> str | Response | tuple[str, int]:
    if current_user.is_authenticated:
        return redirect(url_for("courses.catalogue"))
    form = LoginForm()
    if form.validate_on_submit():
        with unit_of_work(form):
            user = services.authenticate(db.session, form.email.data, form.password.data)
        if user is None:
            form.password.errors = [_("Wrong email or password.")]
        else:
            login_user(user, remember=form.remember.data)
            return redirect(safe_next(request.args.get("next")) or url_for("courses.catalogue"))
    status = 400 if form.errors else 200
    return render_template("accounts/login.html", form=form), status


@bp.route("/logout", methods=["POST"])
def logout() -> Response:
    # Said in the language of the person leaving, chosen before they become anonymous.
    message = _("You are signed out.")
    if current_user.is_authenticated:
        # Ends the session on the server too: a copy of the cookie taken earlier is dead.
        with unit_of_work():
            services.sign_out(db.session, current_user)
    logout_user()
    flash(message, "info")
    return redirect(url_for("courses.catalogue"))


@bp.route("/reset", methods=["GET", "POST"])
@limiter.limit(MAIL_PER_ADDRESS, methods=["POST"])
@limiter.limit(MAIL_PER_ACCOUNT, key_func=submitted_account, methods=["POST"])
def reset_request() -> str | Response | tuple[str, int]:
    form = ResetRequestForm()
    if form.validate_on_submit():
        with unit_of_work(form):
            services.request_password_reset(db.session, form.email.data, locale=str(get_locale() or "en"))
        flash(_("If an account uses that address, a reset link is on its way."), "info")
        return redirect(url_for("accounts.login"))
    return render_template("accounts/reset_request.html", form=form), 400 if form.errors else 200


def _calendar_address_retired() -> None:
    """Say that a new password retired the person's calendar address (accounts.services.set_password)."""
    flash(_("Your personal calendar address stopped working with the old password: make a new one "
            "under “Your training calendar” and subscribe to it again."), "info")


@bp.route("/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str) -> str | Response | tuple[str, int]:
    try:
        person = services.user_for_reset_token(db.session, token)
    except DomainError as error:
        flash(error.message, "error")
        return redirect(url_for("accounts.reset_request"))
    form = ResetPasswordForm()
    if form.validate_on_submit():
        had_calendar_address = tokens.feed_token(db.session, person) is not None
        with unit_of_work(form) as work:
            services.reset_password(db.session, token, form.password.data)
        if work.done:
            flash(_("Your password is set. Sign in with it."), "success")
            if had_calendar_address:
                _calendar_address_retired()
            return redirect(url_for("accounts.login"))
    return render_template("accounts/reset_password.html", form=form), 400 if form.errors else 200


@bp.route("/profile", methods=["GET", "POST"])
@login_required
def profile() -> str | Response | tuple[str, int]:
    form = ProfileForm(obj=current_user)
    form.fill_choices()
    if form.validate_on_submit():
        with unit_of_work(form) as work:
            services.update_profile(
                db.session,
                current_user,
                name=form.name.data,
                organisation=form.organisation.data or "",
                country=form.country.data,
                timezone=form.timezone.data,
                locale=form.locale.data or None,
            )
        if work.done:
            flash(_("Profile saved."), "success")
            return redirect(url_for("accounts.profile"))
    return _profile_page(form=form)


def _profile_page(**forms: object) -> tuple[str, int]:
    """The profile page with its three forms; a form passed in shows its input and errors."""
    profile_form = forms.get("form")
    if profile_form is None:
        profile_form = ProfileForm(formdata=None, obj=current_user)
        profile_form.fill_choices()
    password_form = forms.get("password_form") or ChangePasswordForm(formdata=None)
    failed = any(getattr(f, "errors", None) for f in (profile_form, password_form))
    return render_template(
        "accounts/profile.html",
        form=profile_form,
        password_form=password_form,
        sign_out_form=SignOutEverywhereForm(formdata=None),
    ), 400 if failed else 200


@bp.route("/profile/password", methods=["POST"])
@login_required
def change_password() -> Response | tuple[str, int]:
    form = ChangePasswordForm()
    if form.validate_on_submit():
        had_calendar_address = tokens.feed_token(db.session, current_user) is not None
        with unit_of_work(form) as work:
            # The user itself, not the current_user proxy: login_user() keeps what it is given.
            user = services.change_password(db.session, current_user._get_current_object(),
                                            current_password=form.current_password.data,
                                            new_password=form.password.data)
        if work.done:
            # Every other browser is signed out; this one signs in again under the new version.
            remember = request.cookies.get(current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token"))
            login_user(user, remember=remember is not None)
            flash(_("Your password is changed. Every other browser and API token is signed out."),
                  "success")
            if had_calendar_address:
                _calendar_address_retired()
            return redirect(url_for("accounts.profile"))
    return _profile_page(password_form=form)


@bp.route("/profile/export.json")
@login_required
def export_own() -> Response:
    """Everything the system holds about the signed-in person, as a JSON download (audited)."""
    person = current_user._get_current_object()
    with unit_of_work():
        export = personal_data.export_person(db.session, person, actor=person)
    return Response(personal_data.export_json(export), mimetype="application/json", headers={
        "Content-Disposition": attachment(personal_data.export_filename(person)),
        "Cache-Control": "private, no-store"})


@bp.route("/profile/sign-out-everywhere", methods=["POST"])
@login_required
def sign_out_everywhere() -> Response | tuple[str, int]:
    form = SignOutEverywhereForm()
    if not form.validate_on_submit():
        return _profile_page()
    message = _("You are signed out on every browser and device, and your API tokens no longer work.")
    with unit_of_work():
        services.sign_out_everywhere(db.session, current_user)
    logout_user()
    flash(message, "info")
    return redirect(url_for("courses.catalogue"))


@tokens_bp.route("", methods=["GET", "POST"], endpoint="tokens")
@login_required
def api_token_list() -> str | tuple[str, int]:
    """The person's API tokens, and a form for a new one (shown once)."""
    form = NewTokenForm()
    new_token = None
    if form.validate_on_submit():
        with unit_of_work(form):
            new_token, _row = tokens.issue_token(db.session, current_user, name=form.name.data)
        form = NewTokenForm(formdata=None)
    status = 400 if form.errors else 200
    return render_template("accounts/tokens.html", form=form, new_token=new_token,
                           tokens=tokens.tokens_of(db.session, current_user)), status


@tokens_bp.route("/<int:token_id>/revoke", methods=["GET", "POST"])
@login_required
def revoke(token_id: int) -> Response | tuple[str, int]:
    """Revoke one of the person's API tokens, once they confirm it."""
    form = ConfirmForm()
    if not (form.confirmed and form.validate_on_submit()):
        token = tokens.own_token(db.session, current_user, token_id)
        if token.revoked_at is not None:
            return redirect(url_for("api_tokens.tokens"))
        return show_confirmation(Confirmation(
            question=_("Revoke the API token “%(name)s”?", name=token.name),
            action_label=_("Revoke"), keep_label=_("Keep the token"),
            back_url=form.back(url_for("api_tokens.tokens")),
            consequences=[_("Programs using it are locked out at once; this cannot be undone. "
                            "A program that still needs access needs a new token.")],
        ), form)
    with unit_of_work() as work:
        tokens.revoke_token(db.session, current_user, token_id)
    if not work.done:
        return redirect(url_for("api_tokens.tokens"))
    flash(_("The token is revoked; programs using it are locked out."), "success")
    return redirect(url_for("api_tokens.tokens"))
