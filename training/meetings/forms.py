"""Forms for meeting series, one meeting's changes, minutes, action items and the hotline."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import DateField, IntegerField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.fields.datetime import DateTimeLocalField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from training.accounts.models import MAX_EMAIL, MAX_NAME, MAX_ORGANISATION
from training.core.forms import Form
from training.core.i18n import country_choices, timezone_choices
from training.meetings.models import (
    MAX_ACTION,
    MAX_DURATION_MINUTES,
    MAX_HOURS,
    MAX_LANGUAGES,
    MAX_NOTE,
    MAX_PHONE,
    MAX_PLACE,
    MAX_RULE,
    MAX_TEXT,
    MAX_TITLE,
    MAX_URL,
    ActionStatus,
    ContactResult,
)
from training.meetings.services.recurrence import MAX_OCCURRENCES

LOCAL_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"]
MAX_PARTICIPANT_LINES = 20_000


def pattern_choices() -> list[tuple[str, object]]:
    return [
        ("weekly", _l("Weekly, on the first meeting's weekday")),
        (
            "monthly_weekday",
            _l("Monthly, on the first meeting's weekday of the month (say, third Wednesday)"),
        ),
        ("monthly_date", _l("Monthly, on the first meeting's date")),
        ("custom", _l("Written out as a rule")),
    ]


class SeriesForm(Form):
    """A new series: its sides, clock, first meeting, how it repeats and who takes part."""

    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=MAX_TITLE)])
    title_zh = StringField(_l("Title in Chinese (optional)"), validators=[Optional(), Length(max=MAX_TITLE)])
    side_a = SelectField(_l("First side"), default="CN")
    side_b = SelectField(_l("Second side"), default="US")
    timezone = SelectField(_l("Timezone of the venue"), default="Asia/Shanghai")
    starts_at = DateTimeLocalField(
        _l("First meeting (venue time)"), validators=[DataRequired()], format=LOCAL_FORMATS
    )
    duration_minutes = IntegerField(
        _l("Duration in minutes"),
        default=90,
        validators=[DataRequired(), NumberRange(1, MAX_DURATION_MINUTES)],
    )
    pattern = SelectField(_l("Repeats"), default="monthly_weekday")
    interval = IntegerField(
        _l("Every how many weeks or months"), default=1, validators=[Optional(), NumberRange(1, 99)]
    )
    count = IntegerField(
        _l("Number of meetings"),
        validators=[Optional(), NumberRange(1, MAX_OCCURRENCES)],
        description=_l("Or give the last day below."),
    )
    until = DateField(_l("Last day (optional)"), validators=[Optional()])
    rrule = StringField(
        _l("Rule (for “written out”)"),
        validators=[Optional(), Length(max=MAX_RULE)],
        description=_l("An RFC 5545 RRULE, such as FREQ=MONTHLY;BYDAY=3WE;COUNT=12."),
    )
    location = StringField(_l("Place"), validators=[Optional(), Length(max=MAX_PLACE)])
    video_url = StringField(_l("Video link (optional)"), validators=[Optional(), Length(max=MAX_URL)])
    participants = TextAreaField(
        _l("Participants"),
        validators=[Optional(), Length(max=MAX_PARTICIPANT_LINES)],
        description=_l(
            "One a line: email, name, language (en or zh_Hans). Each receives the series "
            "as a calendar invitation."
        ),
    )
    submit = SubmitField(_l("Create the series"))

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        countries = country_choices()
        self.side_a.choices = countries
        self.side_b.choices = countries
        self.timezone.choices = timezone_choices()
        self.pattern.choices = pattern_choices()


class SeriesEditForm(Form):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=MAX_TITLE)])
    title_zh = StringField(_l("Title in Chinese (optional)"), validators=[Optional(), Length(max=MAX_TITLE)])
    location = StringField(_l("Place"), validators=[Optional(), Length(max=MAX_PLACE)])
    video_url = StringField(_l("Video link (optional)"), validators=[Optional(), Length(max=MAX_URL)])
    submit = SubmitField(_l("Save and tell the participants"))


class ScheduleForm(Form):
    """The clock and rule of a series none of whose meetings has begun."""

    timezone = SelectField(_l("Timezone of the venue"))
    starts_at = DateTimeLocalField(
        _l("First meeting (venue time)"), validators=[DataRequired()], format=LOCAL_FORMATS
    )
    duration_minutes = IntegerField(
        _l("Duration in minutes"), validators=[DataRequired(), NumberRange(1, MAX_DURATION_MINUTES)]
    )
    pattern = SelectField(_l("Repeats"), default="custom")
    interval = IntegerField(
        _l("Every how many weeks or months"), default=1, validators=[Optional(), NumberRange(1, 99)]
    )
    count = IntegerField(
        _l("Number of meetings"),
        validators=[Optional(), NumberRange(1, MAX_OCCURRENCES)],
        description=_l("Or give the last day below."),
    )
    until = DateField(_l("Last day (optional)"), validators=[Optional()])
    rrule = StringField(
        _l("Rule (for “written out”)"),
        validators=[Optional(), Length(max=MAX_RULE)],
        description=_l("An RFC 5545 RRULE, such as FREQ=MONTHLY;BYDAY=3WE;COUNT=12."),
    )
    submit = SubmitField(_l("Change the schedule and tell the participants"))

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.timezone.choices = timezone_choices()
        self.pattern.choices = pattern_choices()


class ParticipantsForm(Form):
    participants = TextAreaField(
        _l("Invite"),
        validators=[DataRequired(), Length(max=MAX_PARTICIPANT_LINES)],
        description=_l("One a line: email, name, language (en or zh_Hans)."),
    )
    submit = SubmitField(_l("Invite"))


class MoveForm(Form):
    starts_at = DateTimeLocalField(
        _l("New start (venue time)"), validators=[DataRequired()], format=LOCAL_FORMATS
    )
    submit = SubmitField(_l("Move this meeting"))


class RestoreForm(Form):
    submit = SubmitField(_l("Hold this meeting after all"))


class PlaceForm(Form):
    location = StringField(
        _l("Place of this meeting"),
        validators=[Optional(), Length(max=MAX_PLACE)],
        description=_l("Empty: the series' own place."),
    )
    submit = SubmitField(_l("Save the place"))


class SplitForm(Form):
    starts_at = DateTimeLocalField(
        _l("From this meeting on, start at (venue time)"), validators=[DataRequired()], format=LOCAL_FORMATS
    )
    duration_minutes = IntegerField(
        _l("Duration in minutes"), validators=[DataRequired(), NumberRange(1, MAX_DURATION_MINUTES)]
    )
    location = StringField(_l("Place"), validators=[Optional(), Length(max=MAX_PLACE)])
    submit = SubmitField(_l("Change this and the following meetings"))


class MinutesForm(Form):
    agenda = TextAreaField(_l("Agenda"), validators=[Optional(), Length(max=MAX_TEXT)])
    minutes_en = TextAreaField(_l("Minutes in English"), validators=[Optional(), Length(max=MAX_TEXT)])
    minutes_zh = TextAreaField(_l("Minutes in Chinese"), validators=[Optional(), Length(max=MAX_TEXT)])
    submit = SubmitField(_l("Save agenda and minutes"))


class ActionForm(Form):
    what = TextAreaField(_l("Action item"), validators=[DataRequired(), Length(max=MAX_ACTION)])
    side = SelectField(_l("Owning side"))
    owner_name = StringField(_l("Owner"), validators=[DataRequired(), Length(max=MAX_NAME)])
    owner_email = StringField(
        _l("Owner's email (for reminders)"), validators=[Optional(), Length(max=MAX_EMAIL)]
    )
    due_on = DateField(_l("Due"), validators=[DataRequired()])
    submit = SubmitField(_l("Add the action item"))


class ActionEditForm(ActionForm):
    status = SelectField(_l("Status"))
    submit = SubmitField(_l("Save the action item"))

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.status.choices = [(s.value, s.label) for s in ActionStatus]


class ActionStatusForm(Form):
    status = SelectField(_l("Status"))
    submit = SubmitField(_l("Update"))

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.status.choices = [(s.value, s.label) for s in ActionStatus]


class ContactPointForm(Form):
    side = SelectField(_l("Side"), default="CN")
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=MAX_NAME)])
    organisation = StringField(_l("Organisation"), validators=[Optional(), Length(max=MAX_ORGANISATION)])
    phone = StringField(_l("Phone"), validators=[Optional(), Length(max=MAX_PHONE)])
    email = StringField(_l("Email"), validators=[Optional(), Length(max=MAX_EMAIL)])
    hours = StringField(_l("Hours"), default="24/7", validators=[Optional(), Length(max=MAX_HOURS)])
    languages = StringField(_l("Languages"), validators=[Optional(), Length(max=MAX_LANGUAGES)])
    submit = SubmitField(_l("Add the contact point"))

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.side.choices = country_choices()


class ContactPointEditForm(ContactPointForm):
    submit = SubmitField(_l("Save the contact point"))


class ContactTestForm(Form):
    method = SelectField(_l("How"))
    result = SelectField(_l("Result"))
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=MAX_NOTE)])
    submit = SubmitField(_l("Record the test"))

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.method.choices = [("phone", _l("phone")), ("email", _l("email")), ("video", _l("video"))]
        self.result.choices = [(r.value, r.label) for r in ContactResult]
