"""The form that creates or replaces a personal feed's address."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SubmitField

from training.core.forms import Form


class FeedTokenForm(Form):
    """One button: a new secret address for the personal feed."""

    submit = SubmitField(_l("Create my calendar address"))
