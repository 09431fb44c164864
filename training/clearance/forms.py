"""Forms for a course's requirements, uploads, decisions and extensions."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import HiddenField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.fields.datetime import DateTimeLocalField
from wtforms.validators import DataRequired, Length, Optional

from training.clearance.models import MAX_INSTRUCTION, MAX_KEY, MAX_REASON, MAX_TITLE, RequirementKind
from training.core.forms import Form


class RequirementForm(Form):
    """Add a requirement, or change the one with the same key."""

    key = StringField(_l("Key"), validators=[DataRequired(), Length(max=MAX_KEY)],
                      description=_l("A short name in lowercase, such as passport; the same key changes "
                                     "that requirement."))
    kind = SelectField(_l("Kind"))
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=MAX_TITLE)])
    title_zh = StringField(_l("Title in Chinese (optional)"), validators=[Optional(), Length(max=MAX_TITLE)])
    instruction = TextAreaField(_l("Instruction"), validators=[Optional(), Length(max=MAX_INSTRUCTION)])
    instruction_zh = TextAreaField(_l("Instruction in Chinese (optional)"),
                                   validators=[Optional(), Length(max=MAX_INSTRUCTION)])
    due_days_before_start = StringField(_l("Due, in days before the start"), validators=[DataRequired()])
    countries = StringField(_l("Only for these countries (optional)"),
                            validators=[Optional(), Length(max=200)],
                            description=_l("Country codes separated by commas, such as US; empty: everyone."))
    submit = SubmitField(_l("Save requirement"))

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.kind.choices = [(kind.value, kind.label) for kind in RequirementKind]


class RemoveRequirementForm(Form):
    key = HiddenField(validators=[DataRequired()])


class CopyRequirementsForm(Form):
    source = SelectField(_l("Copy the requirements of"), coerce=int, validate_choice=False)
    submit = SubmitField(_l("Copy"))


class UploadForm(Form):
    file = FileField(_l("File (PDF, JPEG or PNG)"))
    submit = SubmitField(_l("Upload"))


class DecisionForm(Form):
    decision = HiddenField(validators=[DataRequired()])
    reason = TextAreaField(_l("Reason (the person reads it)"),
                           validators=[Optional(), Length(max=MAX_REASON)])


class ExtendForm(Form):
    due_at = DateTimeLocalField(_l("New due date (venue time)"), validators=[DataRequired()],
                                format=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"])
    reason = TextAreaField(_l("Reason for the extension"),
                           validators=[DataRequired(), Length(max=MAX_REASON)])
    submit = SubmitField(_l("Extend"))
