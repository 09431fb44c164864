"""Travel pages: a participant's form, its lock, the course's forms at a glance, the host's lists."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from training.accounts.permissions import is_coordinator
from training.core.csv import csv_text
from training.core.database import writes_on_read
from training.core.errors import Forbidden, NotFound
from training.core.extensions import db
from training.core.headers import attachment
from training.core.i18n import country_name
from training.core.uow import unit_of_work
from training.courses.models import Course
from training.courses.services import find_course
from training.enrolment.services import enrolment_for
from training.travel import services
from training.travel.forms import SECTIONS, LockForm, TravelFormForm
from training.travel.services import TravelSpec

bp = Blueprint("travel", __name__)

NOT_ON_THE_PAGE = (Forbidden, NotFound)
# Reading a passport writes its audit entry: on SQLite these reads take the write lock at once.
writes_on_read("travel.form", "travel.visas", "travel.visas_csv", "api_travel.logistics")


def _course(slug: str) -> Course:
    return find_course(db.session, slug, viewer=current_user, with_schedule=False)


def _csv(course: Course, name: str, header: Iterable[str], rows: Iterable[Iterable[Any]]) -> Response:
    return Response(csv_text(header, rows), mimetype="text/csv",
                    headers={"Content-Disposition": attachment(f"{course.slug}-{name}.csv")})


def _iso(value: date | None) -> str:
    return value.isoformat() if value else ""


# --- one participant's form -------------------------------------------------------------


@bp.route("/enrolments/<int:enrolment_id>/travel", methods=["GET", "POST"])
@login_required
def form(enrolment_id: int) -> Response | tuple[str, int]:
    enrolment = enrolment_for(db.session, enrolment_id)
    form = TravelFormForm()
    if form.validate_on_submit():
        spec = TravelSpec(**{name: getattr(form, name).data for name in TravelSpec.names()})
        with unit_of_work(form, error_pages=NOT_ON_THE_PAGE) as work:
            saved = services.save_travel_form(db.session, enrolment, spec, actor=current_user)
            missing = services.missing_fields(saved)
        if work.done:
            flash(_("Your travel details are saved.") if not missing else
                  _("Saved. %(n)d details are still missing; come back when you know them.", n=len(missing)),
                  "success")
            return redirect(url_for("travel.form", enrolment_id=enrolment.id))
    with unit_of_work(error_pages=NOT_ON_THE_PAGE):
        services.read_travel_form(db.session, enrolment, actor=current_user)
    # The commit of the reading's audit entry expired what was loaded.
    enrolment = enrolment_for(db.session, enrolment_id)
    stored = services.stored_form(db.session, enrolment)
    if request.method == "GET" and stored is not None:
        form.process(data={name: getattr(stored, name) for name in TravelSpec.names()})
    return render_template(
        "travel/form.html", enrolment=enrolment, course=enrolment.course, person=enrolment.user, form=form,
        stored=stored, sections=SECTIONS, missing=services.missing_fields(stored) if stored else None,
        holds_seat=enrolment.holds_seat, lock_form=LockForm(), manage=is_coordinator(current_user),
    ), 422 if form.errors else 200


@bp.route("/enrolments/<int:enrolment_id>/travel/lock", methods=["POST"])
@login_required
def lock(enrolment_id: int) -> Response:
    enrolment = enrolment_for(db.session, enrolment_id)
    if not LockForm().validate_on_submit():
        abort(400)
    unlock = request.form.get("unlock") == "yes"
    with unit_of_work(error_pages=(Forbidden,)) as work:
        if unlock:
            services.unlock_travel_form(db.session, enrolment, actor=current_user)
        else:
            services.lock_travel_form(db.session, enrolment, actor=current_user)
    if work.done:
        flash(_("The travel form is unlocked.") if unlock else _("The travel form is locked."), "success")
    return redirect(url_for("travel.form", enrolment_id=enrolment.id))


# --- a course's forms and the host's lists -----------------------------------------------


@bp.route("/courses/<slug>/travel")
@login_required
def overview(slug: str) -> str:
    course = _course(slug)
    country = services.overview_scope(current_user)
    people = services.participants(db.session, course, country=country)
    return render_template("travel/overview.html", course=course, people=people, country=country,
                           manage=is_coordinator(current_user))


@bp.route("/courses/<slug>/travel/visas")
@login_required
def visas(slug: str) -> str:
    course = _course(slug)
    people = services.visa_list(db.session, course, actor=current_user)
    page = render_template("travel/visas.html", course=course, people=people)
    db.session.commit()  # the audit entry of this reading, once the page is drawn (a commit expires rows)
    return page


@bp.route("/courses/<slug>/travel/visas.csv")
@login_required
def visas_csv(slug: str) -> Response:
    course = _course(slug)
    people = services.visa_list(db.session, course, actor=current_user)
    header = ["name", "country", "name_in_passport", "passport_number", "nationality", "birth_date",
              "issued_on", "expires_on", "place_of_issue", "complete", "locked"]
    rows = [[p.name, p.enrolment.country, *(
        [f.passport_name, f.passport_number, f.nationality, _iso(f.birth_date), _iso(f.passport_issued_on),
         _iso(f.passport_expires_on), f.passport_issued_at] if (f := p.form) else [""] * 7),
        "yes" if p.complete else "no", "yes" if p.form and p.form.locked else "no"] for p in people]
    db.session.commit()  # the audit entry of this reading
    return _csv(course, "visas", header, rows)


@bp.route("/courses/<slug>/travel/arrivals")
@login_required
def arrivals(slug: str) -> str:
    course = _course(slug)
    days, waiting = services.arrivals_and_waiting(db.session, course, actor=current_user)
    return render_template("travel/arrivals.html", course=course, days=days, waiting=waiting)


@bp.route("/courses/<slug>/travel/arrivals.csv")
@login_required
def arrivals_csv(slug: str) -> Response:
    course = _course(slug)
    days = services.arrivals(db.session, course, actor=current_user)
    rows = [[_iso(a.day), a.at.strftime("%H:%M") if a.at else "", a.name, a.country, a.carrier, a.place,
             a.hotel] for _day, found in days for a in found]
    header = ["day", "time", "name", "country", "flight_or_train", "airport_or_station", "hotel"]
    return _csv(course, "arrivals", header, rows)


@bp.route("/courses/<slug>/travel/rooms")
@login_required
def rooms(slug: str) -> str:
    course = _course(slug)
    return render_template("travel/rooms.html", course=course,
                           hotels=services.rooming(db.session, course, actor=current_user))


@bp.route("/courses/<slug>/travel/rooms.csv")
@login_required
def rooms_csv(slug: str) -> Response:
    course = _course(slug)
    hotels = services.rooming(db.session, course, actor=current_user)
    rows = [[h.name, s.name, s.country, _iso(s.check_in), _iso(s.check_out), s.nights]
            for h in hotels for s in h.stays]
    return _csv(course, "rooms", ["hotel", "name", "country", "check_in", "check_out", "nights"], rows)


@bp.route("/courses/<slug>/travel/needs")
@login_required
def needs(slug: str) -> str:
    course = _course(slug)
    return render_template("travel/needs.html", course=course,
                           days=services.needs_by_day(db.session, course, actor=current_user))


@bp.route("/courses/<slug>/travel/needs.csv")
@login_required
def needs_csv(slug: str) -> Response:
    course = _course(slug)
    days = services.needs_by_day(db.session, course, actor=current_user)
    rows = [[_iso(day), n.name, n.country, n.dietary, n.accessibility] for day, found in days for n in found]
    return _csv(course, "needs", ["day", "name", "country", "dietary", "accessibility"], rows)


@bp.route("/courses/<slug>/sessions/<int:session_id>/sign-in")
@login_required
def sign_in_sheet(slug: str, session_id: int) -> str:
    course, course_session = _session(slug, session_id)
    people = services.sign_in_sheet(db.session, course, course_session, actor=current_user)
    return render_template("travel/sign_in.html", course=course, course_session=course_session, people=people)


@bp.route("/courses/<slug>/sessions/<int:session_id>/sign-in.csv")
@login_required
def sign_in_csv(slug: str, session_id: int) -> Response:
    course, course_session = _session(slug, session_id)
    people = services.sign_in_sheet(db.session, course, course_session, actor=current_user)
    rows = [[p.name, p.organisation or "", country_name(p.country) if p.country else "", ""] for p in people]
    header = ["name", "organisation", "country", "signature"]
    return _csv(course, f"sign-in-{course_session.id}", header, rows)


def _session(slug: str, session_id: int) -> tuple[Course, Any]:
    course = _course(slug)
    course_session = services.session_with_instructors(db.session, course, session_id)
    if course_session is None:
        abort(404)
    return course, course_session
