"""Forms for courses, schedule sessions, copying a day, instructors and the catalogue filters."""

from __future__ import annotations

import json
from datetime import date

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    EmailField,
    IntegerField,
    SearchField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import DataRequired, Email, InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from training.core import i18n, zones
from training.core.forms import ConfirmForm, Form
from training.core.localtime import show_date
from training.core.schemas import FIRST_YEAR, LAST_YEAR
from training.courses import services
from training.courses.models import (
    MAX_BIO,
    MAX_CANCEL_REASON,
    MAX_CAPACITY,
    MAX_CITY,
    MAX_DESCRIPTION,
    MAX_EMAIL,
    MAX_EXPERTISE,
    MAX_LETTER_COSTS,
    MAX_LETTERHEAD,
    MAX_NAME,
    MAX_ORGANISATION,
    MAX_ROOM,
    MAX_SESSION_NOTES,
    MAX_TITLE,
    MAX_VENUE,
    Course,
    Instructor,
    SessionKind,
)


class LetterSettingsForm(Form):
    """What the course's visa invitation letters say on the host's behalf."""

    issuer = StringField(_l("Inviting organisation"), validators=[Optional(), Length(max=MAX_ORGANISATION)],
                         description=_l("Named as the inviter in every letter and on its verification page."))
    issuer_zh = StringField(_l("Inviting organisation in Chinese"),
                            validators=[Optional(), Length(max=MAX_ORGANISATION)])
    letterhead = TextAreaField(_l("Letterhead"), validators=[Optional(), Length(max=MAX_LETTERHEAD)],
                               description=_l("Address and contact lines printed at the top of each letter."))
    signatory_name = StringField(_l("Signatory"), validators=[Optional(), Length(max=MAX_NAME)])
    signatory_title = StringField(_l("Signatory's title"), validators=[Optional(), Length(max=MAX_TITLE)])
    signatory_title_zh = StringField(_l("Signatory's title in Chinese"),
                                     validators=[Optional(), Length(max=MAX_TITLE)])
    costs = TextAreaField(_l("Who pays"), validators=[Optional(), Length(max=MAX_LETTER_COSTS)],
                          description=_l("E.g. “The host covers accommodation, meals and local transport; "
                                         "the sending agency covers international travel.”"))
    costs_zh = TextAreaField(_l("Who pays, in Chinese"),
                             validators=[Optional(), Length(max=MAX_LETTER_COSTS)])
    submit = SubmitField(_l("Save letter settings"))

    def settings(self) -> services.LetterSettings:
        return services.LetterSettings(**{name: getattr(self, name).data or "" for name in (
            "issuer", "issuer_zh", "letterhead", "signatory_name", "signatory_title", "signatory_title_zh",
            "costs", "costs_zh")})


class CourseForm(Form):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=MAX_TITLE)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=MAX_DESCRIPTION)])
    title_zh = StringField(_l("Title in Chinese (optional)"), validators=[Optional(), Length(max=MAX_TITLE)],
                           description=_l("Chinese readers see this instead of the title."))
    description_zh = TextAreaField(_l("Description in Chinese (optional)"),
                                   validators=[Optional(), Length(max=MAX_DESCRIPTION)])
    host_country = SelectField(_l("Host country"), validators=[DataRequired()])
    city = StringField(_l("City"), validators=[DataRequired(), Length(max=MAX_CITY)])
    venue = StringField(_l("Venue"), validators=[Optional(), Length(max=MAX_VENUE)])
    timezone = SelectField(_l("Timezone of the venue"), validators=[DataRequired()])
    starts_on = DateField(_l("First day"), validators=[InputRequired()])
    ends_on = DateField(_l("Last day"), validators=[InputRequired()])
    capacity = IntegerField(_l("Capacity (participants)"),
                            validators=[InputRequired(), NumberRange(min=1, max=MAX_CAPACITY)])
    enrolment_opens_at = DateTimeLocalField(_l("Enrolment opens (venue time)"), validators=[Optional()])
    enrolment_closes_at = DateTimeLocalField(_l("Enrolment closes (venue time)"), validators=[Optional()])
    requires_approval = BooleanField(_l("Enrolment needs a coordinator's approval"))
    language = SelectField(_l("Language of instruction"), validators=[DataRequired()], default="en")
    submit = SubmitField(_l("Save course"))

    def fill_choices(self, country: str | None = None) -> None:
        """Countries, timezones and languages, named in the reader's language; the host
        country's timezones first, and every country's for the script that offers them."""
        self.host_country.choices = [("", _l("Choose a country"))] + i18n.country_choices()
        own = zones.country_zones(country) if country and i18n.is_country_code(country) else ()
        if own:
            self.timezone.choices = {
                str(_l("Timezones of %(country)s", country=i18n.country_name(country))):
                    [(name, name.replace("_", " ")) for name in own],
                str(_l("Other timezones")):
                    [pair for pair in i18n.timezone_choices() if pair[0] not in own],
            }
        else:
            self.timezone.choices = i18n.timezone_choices()
        self.timezone.render_kw = {
            "data-country-zones": json.dumps(zones.zones_by_country(), separators=(",", ":"),
                                             ensure_ascii=False),
        }
        self.language.choices = [("en", _l("English")), ("zh", _l("Chinese")),
                                 ("en+zh", _l("English and Chinese"))]

    def details(self, default_timezone: str | None = None) -> services.CourseDetails:
        """The entered values, for the service; a timezone still at default_timezone was not chosen."""
        return services.CourseDetails(
            title=self.title.data or "", description=self.description.data or "",
            title_zh=self.title_zh.data or "", description_zh=self.description_zh.data or "",
            host_country=self.host_country.data or "", city=self.city.data or "",
            venue=self.venue.data or "", timezone=self.timezone.data or "",
            starts_on=self.starts_on.data, ends_on=self.ends_on.data, capacity=self.capacity.data,
            enrolment_opens_at=self.enrolment_opens_at.data,
            enrolment_closes_at=self.enrolment_closes_at.data,
            requires_approval=bool(self.requires_approval.data), language=self.language.data or "en",
            timezone_chosen=default_timezone is None or self.timezone.data != default_timezone,
        )

    def show_course(self, course: Course) -> None:
        """Fill the form from a course, enrolment times on the venue's wall clock."""
        for name in ("enrolment_opens_at", "enrolment_closes_at"):
            value = getattr(course, name)
            getattr(self, name).data = (
                value.astimezone(services.local_zone(course)).replace(tzinfo=None) if value else None)


class MultiCheckboxField(SelectMultipleField):
    """A list of checkboxes (one per choice)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def _day_choices(course: Course) -> list[tuple[str, str]]:
    return [(day.isoformat(), show_date(day)) for day in course.days]


def _parse_day(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


class SessionForm(Form):
    day = SelectField(_l("Day"), validators=[DataRequired()])
    starts = TimeField(_l("Starts (venue time)"), validators=[InputRequired()])
    ends = TimeField(_l("Ends (venue time)"), validators=[InputRequired()])
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=MAX_TITLE)])
    kind = SelectField(_l("Kind"), validators=[DataRequired()], default=SessionKind.LECTURE.value)
    room = StringField(_l("Room"), validators=[Optional(), Length(max=MAX_ROOM)])
    instructors = MultiCheckboxField(_l("Instructors"), coerce=int, validators=[Optional()])
    description = TextAreaField(_l("Notes"), validators=[Optional(), Length(max=MAX_SESSION_NOTES)])
    submit = SubmitField(_l("Save session"))

    def fill_choices(self, course: Course, instructors: list[Instructor]) -> None:
        """The course's days, the kinds of session and the instructor directory."""
        self.day.choices = _day_choices(course)
        self.kind.choices = [(kind.value, kind.label) for kind in SessionKind]
        self.instructors.choices = [(i.id, i.name) for i in instructors]

    @property
    def day_value(self) -> date | None:
        return _parse_day(self.day.data)


class CopyDayForm(Form):
    from_day = SelectField(_l("Copy the sessions of"), validators=[DataRequired()])
    to_days = MultiCheckboxField(_l("to these days"), validators=[DataRequired()])
    copy = SubmitField(_l("Copy the day"))

    def fill_choices(self, course: Course) -> None:
        self.from_day.choices = _day_choices(course)
        self.to_days.choices = _day_choices(course)

    @property
    def target_days(self) -> list[date]:
        return [day for day in (_parse_day(v) for v in self.to_days.data or []) if day]


class CancelCourseForm(ConfirmForm):
    """The confirmation of a course's cancellation: everyone told reads the reason."""

    reason = TextAreaField(
        _l("Reason (sent to the people concerned)"),
        validators=[DataRequired(message=_l("Give a reason: everyone told of the cancellation reads it.")),
                    Length(max=MAX_CANCEL_REASON)],
    )


class ActionForm(Form):
    """A button that posts (publish, complete, restore a session): only the CSRF token."""


class InstructorForm(Form):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=MAX_NAME)])
    organisation = StringField(_l("Organisation"), validators=[Optional(), Length(max=MAX_ORGANISATION)])
    expertise = StringField(_l("Expertise"), validators=[Optional(), Length(max=MAX_EXPERTISE)])
    bio = TextAreaField(_l("Short biography"), validators=[Optional(), Length(max=MAX_BIO)])
    email = EmailField(_l("Email (for instructors without an account)"),
                       validators=[Optional(), Email(), Length(max=MAX_EMAIL)])
    account_email = EmailField(_l("Account (email of their sign-in, to show them their teaching)"),
                               validators=[Optional(), Email(), Length(max=MAX_EMAIL)])
    submit = SubmitField(_l("Save instructor"))

    def details(self) -> services.InstructorDetails:
        return services.InstructorDetails(
            name=self.name.data or "", organisation=self.organisation.data or "",
            expertise=self.expertise.data or "", bio=self.bio.data or "",
            email=self.email.data or "", account_email=self.account_email.data or "",
        )


class CatalogueFilterForm(Form):
    """The catalogue's filters: read from the query string, so no CSRF token."""

    class Meta:
        csrf = False

    country = SelectField(_l("Host country"), validators=[Optional()])
    month = StringField(_l("Month"), validators=[Optional()], render_kw={"type": "month"})
    q = SearchField(_l("Search"), validators=[Optional(), Length(max=100)])

    def fill_choices(self, countries: list[str]) -> None:
        names = sorted(((c, i18n.country_name(c)) for c in countries), key=lambda pair: pair[1])
        self.country.choices = [("", _l("All countries"))] + names

    @property
    def month_value(self) -> date | None:
        try:
            year, month = (int(part) for part in (self.month.data or "").split("-"))
            # Beyond the app's years, the month's end overflows date arithmetic.
            return date(year, month, 1) if FIRST_YEAR <= year <= LAST_YEAR else None
        except ValueError:
            return None
