"""Forms for signing up, signing in, resetting a password, editing a profile and naming an API token."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Email, EqualTo, Length, Optional

from training.accounts.models import MAX_EMAIL, MAX_NAME, MAX_ORGANISATION, MAX_TOKEN_NAME
from training.accounts.services import MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH
from training.core import i18n
from training.core.forms import Form

_password_length = Length(
    min=MIN_PASSWORD_LENGTH,
    max=MAX_PASSWORD_LENGTH,
    message=_l("Use between %(min)d and %(max)d characters.",
               min=MIN_PASSWORD_LENGTH, max=MAX_PASSWORD_LENGTH),
)


class _ProfileFields(Form):
    name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=MAX_NAME)])
    organisation = StringField(_l("Organisation"), validators=[Optional(), Length(max=MAX_ORGANISATION)])
    country = SelectField(_l("Country"), validators=[DataRequired()])
    timezone = SelectField(_l("Timezone"), validators=[DataRequired()], default="UTC")
    locale = SelectField(_l("Language"), validators=[Optional()])

    def fill_choices(self) -> None:
        """Country, timezone and language lists, named in the reader's language."""
        self.country.choices = [("", _l("Choose a country"))] + i18n.country_choices()
        self.timezone.choices = i18n.timezone_choices()
        self.locale.choices = [("", _l("Browser default")), *i18n.locale_choices()]


class SignupForm(_ProfileFields):
    email = EmailField(_l("Email"), validators=[DataRequired(), Email(), Length(max=MAX_EMAIL)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), _password_length])
    confirm = PasswordField(
        _l("Repeat password"),
        validators=[DataRequired(), EqualTo("password", message=_l("The passwords differ."))],
    )
    submit = SubmitField(_l("Create account"))


class ConfirmSignupForm(Form):
    submit = SubmitField(_l("Create my account"))


class ProfileForm(_ProfileFields):
    submit = SubmitField(_l("Save profile"))


class LoginForm(Form):
    email = EmailField(_l("Email"), validators=[DataRequired(), Email()])
    password = PasswordField(_l("Password"), validators=[DataRequired()])
    remember = BooleanField(_l("Remember me"))
    submit = SubmitField(_l("Sign in"))


class ResetRequestForm(Form):
    email = EmailField(_l("Email"), validators=[DataRequired(), Email()])
    submit = SubmitField(_l("Email me a reset link"))


class ChangePasswordForm(Form):
    current_password = PasswordField(_l("Current password"), validators=[DataRequired()])
    password = PasswordField(_l("New password"), validators=[DataRequired(), _password_length])
    confirm = PasswordField(
        _l("Repeat password"),
        validators=[DataRequired(), EqualTo("password", message=_l("The passwords differ."))],
    )
    submit = SubmitField(_l("Change password"))


class SignOutEverywhereForm(Form):
    submit = SubmitField(_l("Sign out everywhere"))


class ResetPasswordForm(Form):
    password = PasswordField(_l("New password"), validators=[DataRequired(), _password_length])
    confirm = PasswordField(
        _l("Repeat password"),
        validators=[DataRequired(), EqualTo("password", message=_l("The passwords differ."))],
    )
    submit = SubmitField(_l("Set password"))


class NewTokenForm(Form):
    """The profile's form for a new API token."""

    name = StringField(_l("What is the token for?"), validators=[DataRequired(), Length(max=MAX_TOKEN_NAME)])
    submit = SubmitField(_l("Create token"))
