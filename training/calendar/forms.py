"""The form that creates or replaces a personal feed's address."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SubmitField


class FeedTokenForm(FlaskForm):
    """One button: a new secret address for the personal feed."""

    submit = SubmitField(_l("Create my calendar address"))
