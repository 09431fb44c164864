"""The admin's form for a person's role."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SelectField, SubmitField
from wtforms.validators import DataRequired, Optional

from training.accounts.models import Role
from training.core import i18n
from training.core.forms import Form


class RoleForm(Form):
    role = SelectField(_l("Role"), validators=[DataRequired()])
    country = SelectField(_l("Country"), validators=[Optional()])
    submit = SubmitField(_l("Change role"))

    def fill_choices(self) -> None:
        self.role.choices = [(r.value, r.label) for r in Role]
        self.country.choices = [("", "—")] + i18n.country_choices()
