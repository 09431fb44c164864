"""Confirmation pages: a destructive button leads here, and only this page's form acts.

Each feature's view says what will happen in its own words (the question, the consequences it
reads from its services, the button and the way back); this module draws every such page alike.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import render_template

from training.core.forms import ConfirmForm


@dataclass
class Confirmation:
    """What a confirmation page asks: question names the action and its subject."""

    question: str
    action_label: str  # the destructive button, e.g. "Withdraw"
    keep_label: str  # the way back, e.g. "Keep the seat"
    back_url: str  # where the person came from
    consequences: list[str] = field(default_factory=list)
    subject: str = ""  # a line under the question: the course, the day, the country


def show_confirmation(confirmation: Confirmation, form: ConfirmForm) -> tuple[str, int]:
    """The confirmation page; 400 when a confirmed post was refused at one of its fields."""
    status = 400 if form.confirmed and form.errors else 200
    return render_template("confirm.html", confirmation=confirmation, form=form), status
