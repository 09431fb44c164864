"""The profile's form for a new API token."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import StringField, SubmitField
from wtforms.validators import DataRequired, Length

from training.core.forms import Form


class NewTokenForm(Form):
    name = StringField(_l("What is the token for?"), validators=[DataRequired(), Length(max=100)])
    submit = SubmitField(_l("Create token"))
