"""One unit of work per request: commit once, or roll back and show the refusal where it belongs."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from flask import flash
from flask_wtf import FlaskForm

from training.core.errors import DomainError
from training.core.extensions import db
from training.core.forms import show_domain_error
from training.core.problems import wants_problem


@dataclass
class Work:
    """What became of a unit of work: error is the refusal, if a service refused."""

    error: DomainError | None = None

    @property
    def done(self) -> bool:
        return self.error is None


@contextmanager
def unit_of_work(
    form: FlaskForm | None = None, *, error_pages: tuple[type[DomainError], ...] = ()
) -> Iterator[Work]:
    """Commit the services' changes once; on a refusal roll back everything the block did.

    A page shows the refusal next to its form field (or flashed, without a form) and goes
    on to render; the API lets it through to the error handler, which answers problem+json
    with the field. Refusals of the kinds in error_pages (say Forbidden, NotFound: nothing
    to correct on the page) go on to the error handler on a page too: the 403 or 404 page.
    """
    work = Work()
    try:
        yield work
    except DomainError as error:
        db.session.rollback()
        if wants_problem() or isinstance(error, error_pages):
            raise
        work.error = error
        if form is not None:
            show_domain_error(form, error)
        else:
            for message, _field in error.problems:
                flash(message, "error")
    else:
        db.session.commit()
