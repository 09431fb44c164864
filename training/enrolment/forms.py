"""Forms for quotas, nominations, rejections, attendance and the one-button actions."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    EmailField,
    IntegerField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Email, InputRequired, Length, NumberRange, Optional

from training.accounts.models import MAX_EMAIL, MAX_NAME
from training.core import i18n
from training.core.forms import ConfirmForm, Form
from training.courses.models import MAX_CAPACITY
from training.enrolment.models import MAX_REASON_LENGTH


class ActionForm(Form):
    """A button that changes something: only the CSRF token travels."""


class SeatsField(IntegerField):
    """A whole number of seats, refused with a message that says what to type."""

    def process_formdata(self, valuelist: list[str]) -> None:
        if not valuelist or not valuelist[0].strip():
            self.data = None
            return
        try:
            self.data = int(valuelist[0].strip())
        except ValueError:
            self.data = None
            raise ValueError(str(_l("Seats must be a whole number, such as 15."))) from None


class QuotaForm(Form):
    country = SelectField(_l("Country"), validators=[DataRequired()])
    seats = SeatsField(
        _l("Seats"),
        validators=[
            InputRequired(message=_l("Give a number of seats.")),
            NumberRange(min=0, max=MAX_CAPACITY, message=_l("Seats must be a whole number from 0 upwards.")),
        ],
    )
    submit = SubmitField(_l("Save quota"))

    def fill_choices(self) -> None:
        """Countries by name in the reader's language."""
        self.country.choices = [("", _l("Choose a country"))] + i18n.country_choices()


class NominateForm(Form):
    email = EmailField(_l("Email"), validators=[DataRequired(), Email(), Length(max=MAX_EMAIL)])
    name = StringField(
        _l("Full name"), validators=[Optional(), Length(max=MAX_NAME)],
        description=_l("Needed only for a person without an account: they are invited to set a password."),
    )
    country = SelectField(_l("Country"), validators=[Optional()])
    override_window = BooleanField(_l("Override the enrolment window"))
    submit = SubmitField(_l("Nominate"))

    def fill_choices(self, coordinator: bool) -> None:
        """Coordinators choose the country; a focal point nominates for their own only."""
        if coordinator:
            self.country.choices = [("", _l("Choose a country"))] + i18n.country_choices()
        else:
            del self.country
            del self.override_window


class RejectForm(ConfirmForm):
    """The confirmation of a rejection, with the reason the person reads."""

    reason = TextAreaField(
        _l("Reason (the person reads it)"),
        validators=[DataRequired(message=_l("Give a reason: the person will read it.")),
                    Length(max=MAX_REASON_LENGTH)],
    )
