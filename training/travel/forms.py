"""The travel form as a page shows it: passport, journey, hotel nights, needs, emergency contact."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SelectField, StringField, SubmitField, TextAreaField
from wtforms.fields.datetime import DateField, TimeField
from wtforms.validators import Length, Optional

from training.core.forms import Form
from training.core.i18n import country_choices
from training.travel.models import MAX_CARRIER, MAX_NAME, MAX_NEEDS, MAX_PASSPORT_NUMBER, MAX_PHONE, MAX_PLACE

# The fields grouped as the page shows them, under these headings.
SECTIONS = (
    (_l("Passport, as printed"), ("passport_name", "passport_number", "nationality", "birth_date",
                                  "passport_issued_on", "passport_expires_on", "passport_issued_at")),
    (_l("Arrival"), ("arrival_on", "arrival_time", "arrival_carrier", "arrival_place")),
    (_l("Departure"), ("departure_on", "departure_time", "departure_carrier", "departure_place")),
    (_l("Hotel nights"), ("hotel", "check_in_on", "check_out_on")),
    (_l("Needs"), ("dietary_needs", "accessibility_needs")),
    (_l("Emergency contact"), ("emergency_name", "emergency_phone")),
)


def _optional_date(label: str) -> DateField:
    return DateField(label, validators=[Optional()])


class TravelFormForm(Form):
    """Every field may stay empty until the person knows it; the form is complete once all are given."""

    passport_name = StringField(_l("Full name as printed"), validators=[Optional(), Length(max=MAX_NAME)],
                                description=_l("Surname and given names exactly as in the passport."))
    passport_number = StringField(_l("Passport number"),
                                  validators=[Optional(), Length(max=MAX_PASSPORT_NUMBER + 10)])
    nationality = SelectField(_l("Nationality"), validators=[Optional()])
    birth_date = _optional_date(_l("Date of birth"))
    passport_issued_on = _optional_date(_l("Date of issue"))
    passport_expires_on = _optional_date(_l("Date of expiry"))
    passport_issued_at = StringField(_l("Place of issue"), validators=[Optional(), Length(max=MAX_PLACE)])
    arrival_on = _optional_date(_l("Arrival day"))
    arrival_time = TimeField(_l("Arrival time at the venue"), validators=[Optional()],
                             description=_l("Local time where the course is held."))
    arrival_carrier = StringField(_l("Flight or train"), validators=[Optional(), Length(max=MAX_CARRIER)],
                                  description=_l("Such as UA 889 or G 1."))
    arrival_place = StringField(_l("Airport or station"), validators=[Optional(), Length(max=MAX_PLACE)])
    departure_on = _optional_date(_l("Departure day"))
    departure_time = TimeField(_l("Departure time at the venue"), validators=[Optional()])
    departure_carrier = StringField(_l("Flight or train"), validators=[Optional(), Length(max=MAX_CARRIER)])
    departure_place = StringField(_l("Airport or station"), validators=[Optional(), Length(max=MAX_PLACE)])
    hotel = StringField(_l("Hotel"), validators=[Optional(), Length(max=MAX_PLACE)],
                        description=_l("Leave empty if you stay elsewhere."))
    check_in_on = _optional_date(_l("Check-in"))
    check_out_on = _optional_date(_l("Check-out"))
    dietary_needs = TextAreaField(_l("Dietary needs"), validators=[Optional(), Length(max=MAX_NEEDS)],
                                  description=_l("Allergies, vegetarian, halal, kosher…"))
    accessibility_needs = TextAreaField(_l("Accessibility needs"),
                                        validators=[Optional(), Length(max=MAX_NEEDS)])
    emergency_name = StringField(_l("Emergency contact's name"),
                                 validators=[Optional(), Length(max=MAX_NAME)])
    emergency_phone = StringField(_l("Emergency contact's phone"),
                                  validators=[Optional(), Length(max=MAX_PHONE)],
                                  description=_l("With the country code, such as +1 202 555 0143."))
    submit = SubmitField(_l("Save travel details"))

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.nationality.choices = [("", "—"), *country_choices()]


class LockForm(Form):
    submit = SubmitField(_l("Lock"))
