"""The base of every form: text without control characters, numbers and dates the database holds.

Every form of the app inherits `Form`, which adds the same checks to each of its fields;
a service's refusal is put next to its field by `show_domain_error`.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Flask, flash, request
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, DateTimeField, Field, HiddenField, IntegerField, TextAreaField
from wtforms.fields.datetime import DateTimeLocalField
from wtforms.meta import DefaultMeta
from wtforms.validators import StopValidation, ValidationError

from training.core.errors import DomainError
from training.core.extensions import csrf
from training.core.schemas import FIRST_YEAR, LAST_YEAR, MAX_INT, has_control_characters
from training.core.urls import safe_next

MIN_INT = -MAX_INT - 1

CONTROL_CHARACTERS_MESSAGE = _l("Remove the control characters (such as NUL) from this text.")
NUMBER_RANGE_MESSAGE = _l("Give a number between %(min)d and %(max)d.")
YEAR_RANGE_MESSAGE = _l("Give a date between the years %(first)d and %(last)d.")


def check_tokens_where_forms_post(app: Flask) -> None:
    """Check the form token on the requests whose method can change something (WTF_CSRF_METHODS).

    Flask-WTF's own hook, off by WTF_CSRF_CHECK_DEFAULT (config.py), looks the view's exemption
    up before the method on every request: about 10 µs of each GET and HEAD, which never carry a
    token. This one asks the method first and then makes the same check, exemptions included.
    """

    @app.before_request
    def _check_token() -> None:
        config = app.config
        if config["WTF_CSRF_ENABLED"] and request.method in config["WTF_CSRF_METHODS"]:
            csrf.protect(apply_exemptions=True)


def plain_text(form: FlaskForm, field: Field) -> None:
    """Refuse control characters in what was typed; tab and line breaks only in multi-line text.

    It runs first, before Optional() can end the chain: a field holding nothing but
    control characters looks empty to Optional() yet would still be stored.
    """
    multiline = isinstance(field, TextAreaField)
    for value in field.raw_data or ():
        if isinstance(value, str) and has_control_characters(value, multiline=multiline):
            raise StopValidation(str(CONTROL_CHARACTERS_MESSAGE))


def in_database_range(form: FlaskForm, field: Field) -> None:
    """Refuse a whole number an INTEGER column cannot hold (PostgreSQL would fail the request)."""
    if isinstance(field.data, int) and not MIN_INT <= field.data <= MAX_INT:
        raise ValidationError(str(NUMBER_RANGE_MESSAGE) % {"min": MIN_INT, "max": MAX_INT})


def within_years(form: FlaskForm, field: Field) -> None:
    """Refuse a date the app cannot reason about: time arithmetic overflows near year 1 and 9999."""
    if isinstance(field.data, date) and not FIRST_YEAR <= field.data.year <= LAST_YEAR:
        raise ValidationError(str(YEAR_RANGE_MESSAGE) % {"first": FIRST_YEAR, "last": LAST_YEAR})


class _SafeInputMeta(DefaultMeta):
    def bind_field(self, form: Any, unbound_field: Any, options: dict[str, Any]) -> Field:
        field = super().bind_field(form, unbound_field, options)
        after = []
        if isinstance(field, IntegerField):
            after.append(in_database_range)
        if isinstance(field, (DateField, DateTimeField, DateTimeLocalField)):
            after.append(within_years)
        # A new list: the unbound field's validators are shared by every instance of the form.
        field.validators = [plain_text, *field.validators, *after]
        return field


class Form(FlaskForm):
    """A Flask-WTF form whose every field refuses control characters, and out-of-range numbers and dates."""

    class Meta(_SafeInputMeta):
        pass


class ConfirmForm(Form):
    """The form of a confirmation page: the one form a destructive action acts on.

    A post without its `confirm` field (a one-tap form from another page, an old bookmark)
    is not a confirmation: the view shows the confirmation page and changes nothing.
    """

    confirm = HiddenField()
    next = HiddenField()

    @property
    def confirmed(self) -> bool:
        """Whether this request is the confirmation page's own post."""
        return request.method == "POST" and self.confirm.raw_data == ["yes"]

    def back(self, default: str) -> str:
        """Where the person came from (a path on this site), else default."""
        return safe_next(self.next.data) or safe_next(request.args.get("next")) or default


def show_domain_error(form: FlaskForm, error: DomainError) -> None:
    """Attach each of error's problems to its field when the form has one, else flash it above the form."""
    for message, name in error.problems:
        field = getattr(form, name, None) if name else None
        if field is not None and hasattr(field, "errors"):
            field.errors = [*field.errors, message]
        else:
            flash(message, "error")


# The id of the error summary at the top of a refused form. A form posts to its address with
# this fragment, so the page that comes back with errors opens at them, without JavaScript
# (a page without errors has no such element and opens at its top).
ERROR_SUMMARY_ID = "errors"


def form_action(action: str = "") -> str:
    """Where a form posts: action (else the current address, query included) anchored at its errors."""
    if not action:
        action = request.full_path if request.query_string else request.path
    return f"{action.split('#', 1)[0]}#{ERROR_SUMMARY_ID}"
