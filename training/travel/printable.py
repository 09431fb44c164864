"""The host's lists as printable PDFs: each list page's own table, in a print frame, for the same
people the page is for (the list's service checks who asks, as it does for the page and the CSV)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, abort
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from training.core.database import utcnow, writes_on_read
from training.core.extensions import db
from training.core.pdf import pdf_response, render_pdf
from training.courses.models import Course
from training.courses.services import find_course
from training.travel import services

bp = Blueprint("travel_print", __name__)

# The visa list shows passports: reading it is audited, so the request writes from the start.
writes_on_read("travel_print.visas")


def _course(slug: str) -> Course:
    return find_course(db.session, slug, viewer=current_user, with_schedule=False)


def _pdf(course: Course, name: str, title: str, partial: str, *, orientation: str = "portrait",
         **context: Any) -> Response:
    pdf = render_pdf("travel/list_pdf.html", course=course, title=title, partial=partial,
                     orientation=orientation, printed_at=utcnow(), **context)
    return pdf_response(pdf, f"{course.slug}-{name}.pdf")


@bp.route("/courses/<slug>/travel/visas.pdf")
@login_required
def visas(slug: str) -> Response:
    course = _course(slug)
    people = services.visa_list(db.session, course, actor=current_user)
    response = _pdf(course, "visas", _("Visa list"), "travel/_visas_table.html", orientation="landscape",
                    people=people)
    db.session.commit()  # the audit entry of this reading, once the PDF is drawn (a commit expires rows)
    return response


@bp.route("/courses/<slug>/travel/arrivals.pdf")
@login_required
def arrivals(slug: str) -> Response:
    course = _course(slug)
    days = services.arrivals(db.session, course, actor=current_user)
    return _pdf(course, "arrivals", _("Arrivals"), "travel/_arrivals_table.html", orientation="landscape",
                days=days)


@bp.route("/courses/<slug>/travel/rooms.pdf")
@login_required
def rooms(slug: str) -> Response:
    course = _course(slug)
    return _pdf(course, "rooms", _("Rooms"), "travel/_rooms_table.html",
                hotels=services.rooming(db.session, course, actor=current_user))


@bp.route("/courses/<slug>/travel/needs.pdf")
@login_required
def needs(slug: str) -> Response:
    course = _course(slug)
    return _pdf(course, "needs", _("Needs per day"), "travel/_needs_table.html",
                days=services.needs_by_day(db.session, course, actor=current_user))


@bp.route("/courses/<slug>/sessions/<int:session_id>/sign-in.pdf")
@login_required
def sign_in_sheet(slug: str, session_id: int) -> Response:
    course = _course(slug)
    course_session = services.session_with_instructors(db.session, course, session_id)
    if course_session is None:
        abort(404)
    people = services.sign_in_sheet(db.session, course, course_session, actor=current_user)
    title = _("Sign-in sheet: %(title)s", title=course_session.title)
    return _pdf(course, f"sign-in-{course_session.id}", title, "travel/_sign_in_table.html", people=people,
                course_session=course_session)


def init_app(app: Flask) -> None:
    """Register the printable lists."""
    app.register_blueprint(bp)
