"""Forms of the letters pages: issue (one or all), reissue, revoke."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, StringField
from wtforms.validators import Length, Optional

from training.core.forms import Form
from training.travel.letters.models import MAX_REVOKE_REASON


class IssueForm(Form):
    """Issue or reissue: only the CSRF token and whether to lock the travel form."""

    lock_form = BooleanField(_l("Lock the travel form, so that it stays what the letter says"), default=True)


class RevokeForm(Form):
    reason = StringField(_l("Reason"), validators=[Optional(), Length(max=MAX_REVOKE_REASON)])
