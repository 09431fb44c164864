"""Forms for symposia, their programme, invitations and the invitee's answer."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import (
    DateTimeLocalField,
    EmailField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, Length, NumberRange, Optional

from training.core import i18n
from training.core.forms import Form
from training.symposia.models import (
    CAPACITY_MAX,
    CITY_MAX,
    DELEGATES_MAX,
    DESCRIPTION_MAX,
    EMAIL_MAX,
    NOTE_MAX,
    ORGANISATION_MAX,
    PERSON_NAME_MAX,
    ROOM_MAX,
    SPEAKERS_MAX,
    TITLE_MAX,
    VENUE_MAX,
    Answer,
)
from training.symposia.services import IMPORT_TEXT_MAX

_LOCAL = "%Y-%m-%dT%H:%M"


class SymposiumForm(Form):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=TITLE_MAX)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=DESCRIPTION_MAX)])
    title_zh = StringField(_l("Title in Chinese (optional)"), validators=[Optional(), Length(max=TITLE_MAX)],
                           description=_l("Chinese readers see this instead of the title."))
    description_zh = TextAreaField(_l("Description in Chinese (optional)"),
                                   validators=[Optional(), Length(max=DESCRIPTION_MAX)])
    venue = StringField(_l("Venue"), validators=[Optional(), Length(max=VENUE_MAX)])
    city = StringField(_l("City"), validators=[DataRequired(), Length(max=CITY_MAX)])
    timezone = SelectField(_l("Timezone"), validators=[DataRequired()], default="Asia/Shanghai")
    starts_at = DateTimeLocalField(_l("Starts (local time)"), format=_LOCAL, validators=[DataRequired()])
    ends_at = DateTimeLocalField(_l("Ends (local time)"), format=_LOCAL, validators=[DataRequired()])
    rsvp_deadline = DateTimeLocalField(_l("RSVP deadline (local time)"), format=_LOCAL,
                                       validators=[DataRequired()])
    capacity = IntegerField(_l("Capacity (delegates)"),
                            validators=[DataRequired(), NumberRange(min=1, max=CAPACITY_MAX)])
    organiser_name = StringField(_l("Organiser's name"),
                                 validators=[DataRequired(), Length(max=PERSON_NAME_MAX)])
    organiser_email = EmailField(_l("Organiser's email"),
                                 validators=[DataRequired(), Email(), Length(max=EMAIL_MAX)])
    submit = SubmitField(_l("Save symposium"))

    def fill_choices(self) -> None:
        self.timezone.choices = i18n.timezone_choices()


class ProgrammeSessionForm(Form):
    title = StringField(_l("Session title"), validators=[DataRequired(), Length(max=TITLE_MAX)])
    starts_at = DateTimeLocalField(_l("Starts (local time)"), format=_LOCAL, validators=[DataRequired()])
    ends_at = DateTimeLocalField(_l("Ends (local time)"), format=_LOCAL, validators=[DataRequired()])
    room = StringField(_l("Room"), validators=[Optional(), Length(max=ROOM_MAX)])
    speakers = StringField(_l("Speakers"), validators=[Optional(), Length(max=SPEAKERS_MAX)])
    submit = SubmitField(_l("Add to programme"))


class InvitationForm(Form):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=PERSON_NAME_MAX)])
    email = EmailField(_l("Email"), validators=[DataRequired(), Email(), Length(max=EMAIL_MAX)])
    organisation = StringField(_l("Organisation"), validators=[Optional(), Length(max=ORGANISATION_MAX)])
    delegates_allowed = IntegerField(_l("Delegates allowed"), default=1,
                                     validators=[DataRequired(), NumberRange(min=1, max=DELEGATES_MAX)])
    locale = SelectField(_l("Language of the invitation"), default="en",
                         description=_l("The invitation mails and the RSVP page use it."))
    submit = SubmitField(_l("Invite"))

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        # Each language named in itself, so the coordinator can tell them apart in any locale.
        self.locale.choices = list(i18n.locale_choices())


class InvitationImportForm(Form):
    text = TextAreaField(
        _l("Paste CSV lines: name, email, organisation, delegates allowed, language (en or zh)"),
        validators=[Optional(), Length(max=IMPORT_TEXT_MAX)])
    file = FileField(_l("…or upload a CSV file"))
    submit = SubmitField(_l("Invite everyone listed"))


class ActionForm(Form):
    """A button that changes something: only the CSRF token."""


class RsvpForm(Form):
    answer = RadioField(
        _l("Will your organisation attend?"),
        choices=[
            SelectChoice(Answer.ACCEPTED.value, _l("Accept")),
            SelectChoice(Answer.TENTATIVE.value, _l("Tentative")),
            SelectChoice(Answer.DECLINED.value, _l("Decline")),
        ],
        validators=[DataRequired(message=_l("Choose accept, decline or tentative."))],
    )
    delegates = TextAreaField(_l("Delegates attending (one name per line)"),
                              validators=[Optional(), Length(max=DELEGATES_MAX * (PERSON_NAME_MAX + 1))])
    note = TextAreaField(_l("Dietary or accessibility needs, or anything else we should know"),
                         validators=[Optional(), Length(max=NOTE_MAX)])
    submit = SubmitField(_l("Send my answer"))
