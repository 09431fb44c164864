"""Putting a service's refusal next to the form field it concerns."""

from __future__ import annotations

from flask import flash
from flask_wtf import FlaskForm

from training.core.errors import DomainError


def show_domain_error(form: FlaskForm, error: DomainError) -> None:
    """Attach error to its field when the form has one, else flash it above the form."""
    field = getattr(form, error.field, None) if error.field else None
    if field is not None and hasattr(field, "errors"):
        field.errors = [*field.errors, error.message]
    else:
        flash(error.message, "error")
