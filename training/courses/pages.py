"""The catalogue and the course page, drawn once and kept per worker while their data is unchanged.

Everyone opens these two pages, most often without having changed anything since the last
visit. Their parts that depend on no reader are kept under the data versions they were drawn
from (training/core/kept.py): the catalogue's body under the catalogue's version and the seats
of the courses it lists, a course page's parts under the course's version. A visitor without
cookies gets a whole page every such visitor gets, kept likewise with the course's seats, and
answered after one read of the versions. A signed-in reader's pages are kept whole for
their session, under their account's version too (kept.ReaderPage), and likewise answered
after one read; a course page until the clock changes its seats panel (an enrolment window
opening or closing, the seats' release). A coordinator's course page draws what is theirs
around the kept parts: the navigation, the seats panel and the manage card.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from flask import current_app, make_response, render_template, request
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup
from werkzeug.wrappers import Response

from training.accounts.permissions import is_coordinator
from training.core import versions
from training.core.caching import visitor_without_cookies
from training.core.database import utcnow
from training.core.extensions import db
from training.core.kept import (
    Drawing,
    Kept,
    ReaderPage,
    answer_kept,
    keep,
    keep_and_answer,
    kept_values,
    page_key,
    reuse,
)
from training.courses import services
from training.courses.forms import ActionForm, CatalogueFilterForm
from training.courses.models import Course, CourseStatus
from training.courses.seats import seat_summaries

# Kept per worker; KEPT_PAGE_BYTES bounds each.
CATALOGUE_PAGES = "courses.catalogue_pages"  # whole pages for visitors without cookies
CATALOGUE_BODIES = "courses.catalogue_bodies"  # everything below the greeting
COURSE_PAGES = "courses.course_pages"  # whole pages for visitors without cookies
COURSE_PARTS = "courses.course_parts"  # everything but the seats panel and the manage card
READER_PAGES = "courses.reader_pages"  # whole pages for a signed-in reader's session


def catalogue_today() -> date:
    """The earliest calendar date anywhere on Earth right now: a course still running somewhere shows."""
    return (utcnow() - timedelta(hours=12)).date()


def catalogue_day_ends(today: date) -> datetime:
    """When catalogue_today() moves on from today."""
    return datetime.combine(today + timedelta(days=1), time(), tzinfo=UTC) + timedelta(hours=12)


def viewer_zone() -> str | None:
    """The signed-in reader's own timezone; anonymous readers see the course's alone."""
    if current_user.is_authenticated and current_user.timezone:
        return str(current_user.timezone)
    return None


# --- the catalogue --------------------------------------------------------------------------


def catalogue_page() -> Response:
    """The catalogue as this request asks for it (a 400 with the reason next to a bad filter)."""
    public = visitor_without_cookies()
    today = catalogue_today()
    reader_page = None if public else ReaderPage.of(READER_PAGES, 256, "catalogue", today)
    if reader_page is not None and (kept_page := reader_page.kept()) is not None:
        return kept_page
    key = page_key(str(get_locale()), today)
    whole_pages = kept_values(CATALOGUE_PAGES, 32)
    if public and (kept_page := answer_kept(whole_pages, key, catalogue_day_ends(today))) is not None:
        return kept_page
    bodies = kept_values(CATALOGUE_BODIES, 32)
    drawn_from: Kept | Drawing | None = reuse(bodies, key)
    if drawn_from is not None:
        body = drawn_from.value
    else:
        drawn_from = Drawing()
        body, valid = _draw_catalogue_body(drawn_from, today)
        if not valid:
            return make_response(render_template("courses/catalogue.html", body=body), 400)
        keep(bodies, key, drawn_from, body, len(body))
    page = render_template("courses/catalogue.html", body=body)
    if public:
        return keep_and_answer(whole_pages, key, drawn_from, page, catalogue_day_ends(today))
    if reader_page is not None:
        reader_page.keep(drawn_from, page)
    return make_response(page)


def _draw_catalogue_body(drawing: Drawing, today: date) -> tuple[Markup, bool]:
    """The catalogue's body for the filters in the address, and whether they were valid."""
    drawing.read_versions((versions.CATALOGUE, 0))
    form = CatalogueFilterForm(request.args)
    form.fill_choices(services.catalogue_countries(db.session, today=today))
    valid = form.validate()
    month = form.month_value
    if form.month.data and month is None:
        form.month.errors = [*form.month.errors, _("Choose a month such as 2027-03.")]
        valid = False
    courses = services.catalogue(
        db.session, today=today,
        country=form.country.data if form.country.data and not form.country.errors else None,
        month=month, text=form.q.data if not form.q.errors else None,
    )
    drawing.read_versions(*((versions.SEATS, course.id) for course in courses))
    html = Markup(render_template(
        "courses/_catalogue_body.html", form=form, courses=courses,
        seats_by_course=seat_summaries(db.session, [c.id for c in courses]),
        filtered=bool(form.country.data or month or form.q.data),
    ))
    return html, valid


# --- the course page ------------------------------------------------------------------------


@dataclass(frozen=True)
class CourseParts:
    """The parts of a course page that depend on no reader (courses/_course_parts.html)."""

    header: Markup
    main: Markup
    facts: Markup
    subscribe: Markup
    schedule: Markup

    @property
    def size(self) -> int:
        return sum(len(part) for part in (self.header, self.main, self.facts, self.subscribe, self.schedule))


def course_page(slug: str) -> Response:
    """The course at slug as this reader may see it (NotFound becomes the 404 page)."""
    public = visitor_without_cookies()
    reader_page = None if public else ReaderPage.of(READER_PAGES, 256, "course", slug)
    if reader_page is not None and (kept_page := reader_page.kept()) is not None:
        return kept_page
    locale = str(get_locale())
    key = page_key(slug, locale)
    whole_pages = kept_values(COURSE_PAGES, 64)
    if public and (kept_page := answer_kept(whole_pages, key)) is not None:
        return kept_page
    course = services.find_course(db.session, slug, viewer=current_user, with_schedule=False)
    can_manage = is_coordinator(current_user)
    if can_manage:
        # The manage card follows the clock (when the course may be marked completed) and
        # more of the data than the page's versions: a manager's page is drawn every time.
        reader_page = None
    zone = viewer_zone()
    drawing = Drawing()
    if public or reader_page is not None:
        # Read before the seats panel reads the seats: the whole page shows them.
        drawing.read_versions((versions.SEATS, course.id))
    course, parts = _course_parts(course, (locale, zone, can_manage), drawing)
    draft = course.status is CourseStatus.DRAFT
    page = render_template(
        "courses/course.html", course=course, parts=parts, viewer_zone=zone,
        # Only a manager's page has forms: a form's token would tie a shared page to one session.
        can_manage=can_manage, action_form=ActionForm() if can_manage else None,
        readiness=services.course_readiness(db.session, course) if can_manage and draft else None,
        completable=can_manage and services.may_complete(course),
    )
    if public:
        return keep_and_answer(whole_pages, key, drawing, page)
    if reader_page is not None:
        reader_page.keep(drawing, page)
    return make_response(page)


def _course_parts(course: Course, reader: tuple[str, str | None, bool],
                  drawing: Drawing) -> tuple[Course, CourseParts]:
    """course's kept parts for reader (language, timezone, whether they manage courses), drawn
    again when the course changed; and the course, read again after its version when drawn."""
    parts_kept = kept_values(COURSE_PARTS, 128)
    key = (course.id, *reader)
    kept_parts = reuse(parts_kept, key)
    if kept_parts is not None:
        drawing.add(kept_parts.scopes, kept_parts.drawn_under)
        return course, kept_parts.value
    own = Drawing()
    own.read_versions((versions.COURSE, course.id))
    # The row read above came before its version: read it again, with its schedule.
    course = services.load_schedule(db.session, course)
    _locale, zone, can_manage = reader
    context = {"course": course, "viewer_zone": zone, "can_manage": can_manage,
               "instructors": services.course_instructors(course), "days": services.schedule_by_day(course)}
    current_app.update_template_context(context)
    drawn = current_app.jinja_env.get_template("courses/_course_parts.html").make_module(context)
    parts = CourseParts(*(Markup(str(getattr(drawn, name)))
                          for name in ("header", "main", "facts", "subscribe", "schedule")))
    keep(parts_kept, key, own, parts, parts.size)
    drawing.add(own.scopes, own.drawn_under)
    return course, parts
