"""Clearance pages: a course's requirements, an enrolment's checklist (upload, review, extend), downloads."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from training.accounts.models import Role
from training.accounts.permissions import is_coordinator, role_required
from training.clearance import services
from training.clearance.forms import (
    CopyRequirementsForm,
    DecisionForm,
    ExtendForm,
    RemoveRequirementForm,
    RequirementForm,
    UploadForm,
)
from training.clearance.services.requirements import RequirementSpec
from training.core.database import utcnow, writes_on_read
from training.core.errors import Forbidden, Gone, NotFound
from training.core.extensions import db
from training.core.headers import attachment
from training.core.i18n import in_reader_language
from training.core.localtime import local_datetime_to_instant
from training.core.uow import unit_of_work
from training.courses.models import Course, CourseStatus
from training.courses.services import find_course
from training.enrolment.services import enrolment_for

bp = Blueprint("clearance", __name__)

NOT_ON_THE_PAGE = (Forbidden, NotFound)
# Room for the multipart envelope and the form's other fields around the largest document.
UPLOAD_OVERHEAD = 64 * 1024
UPLOAD_ENDPOINTS = frozenset({"clearance.document", "api_clearance.upload_document"})
DOWNLOAD_ENDPOINTS = frozenset({"clearance.document", "api_clearance.download_document"})


# Reading a document writes its audit entry: the read takes the write lock from the start on SQLite.
writes_on_read(*DOWNLOAD_ENDPOINTS)


def prepare_document_requests() -> None:
    """Documents are larger than anything else anyone sends: a request uploading one may be too.

    Runs before every other hook (CSRF protection reads the form and its body).
    """
    if request.method == "POST" and request.endpoint in UPLOAD_ENDPOINTS:
        request.max_content_length = services.max_document_bytes() + UPLOAD_OVERHEAD


# --- coordinators: a course's requirements ------------------------------------------


def _requirements_page(course: Course, form: RequirementForm, copy_form: CopyRequirementsForm,
                       status: int = 200) -> tuple[str, int]:
    others = db.session.execute(
        sa.select(Course.id, Course.title, Course.title_zh).where(
            Course.id != course.id, Course.status != CourseStatus.CANCELLED).order_by(Course.starts_on.desc())
    ).all()
    copy_form.source.choices = [(row.id, in_reader_language(row.title, row.title_zh)) for row in others]
    return render_template(
        "clearance/requirements.html", course=course, form=form, copy_form=copy_form,
        requirements=services.requirements_of(db.session, course), remove_form=RemoveRequirementForm(),
    ), status


@bp.route("/courses/<slug>/requirements", methods=["GET", "POST"])
@role_required(Role.COORDINATOR)
def requirements(slug: str) -> Response | tuple[str, int]:
    course = find_course(db.session, slug, viewer=current_user, with_schedule=False)
    form = RequirementForm()
    if request.method == "GET" and request.args.get("edit"):
        chosen = next((r for r in services.requirements_of(db.session, course)
                       if r.key == request.args["edit"]), None)
        if chosen is not None:
            form = RequirementForm(obj=chosen, formdata=None)
            form.kind.data = chosen.kind.value
            form.countries.data = ", ".join(chosen.countries or [])
    if form.validate_on_submit():
        spec = RequirementSpec(
            key=form.key.data, kind=form.kind.data, title=form.title.data, title_zh=form.title_zh.data or "",
            instruction=form.instruction.data or "", instruction_zh=form.instruction_zh.data or "",
            due_days_before_start=form.due_days_before_start.data,
            countries=[c for c in (form.countries.data or "").replace(" ", ",").split(",") if c],
        )
        with unit_of_work(form) as work:
            current = [RequirementSpec.of(r) for r in services.requirements_of(db.session, course)]
            wanted = str(spec.key).strip().lower()
            specs = [spec if s.key == wanted else s for s in current]
            if all(s.key != wanted for s in current):
                specs.append(spec)
            services.set_requirements(db.session, course, specs, actor=current_user)
        if work.done:
            flash(_("The requirement is saved."), "success")
            return redirect(url_for("clearance.requirements", slug=course.slug))
    status = 422 if form.errors else 200
    return _requirements_page(course, form, CopyRequirementsForm(), status)


@bp.route("/courses/<slug>/requirements/remove", methods=["POST"])
@role_required(Role.COORDINATOR)
def remove_requirement(slug: str) -> Response:
    course = find_course(db.session, slug, viewer=current_user, with_schedule=False)
    form = RemoveRequirementForm()
    if not form.validate_on_submit():
        abort(400)
    with unit_of_work(error_pages=NOT_ON_THE_PAGE) as work:
        specs = [RequirementSpec.of(r) for r in services.requirements_of(db.session, course)
                 if r.key != form.key.data]
        services.set_requirements(db.session, course, specs, actor=current_user)
    if work.done:
        flash(_("The requirement is removed."), "success")
    return redirect(url_for("clearance.requirements", slug=course.slug))


@bp.route("/courses/<slug>/requirements/copy", methods=["POST"])
@role_required(Role.COORDINATOR)
def copy_requirements(slug: str) -> Response:
    course = find_course(db.session, slug, viewer=current_user, with_schedule=False)
    form = CopyRequirementsForm()
    if not form.validate_on_submit():
        abort(400)
    source = db.session.get(Course, form.source.data)
    if source is None:
        abort(404)
    with unit_of_work(error_pages=NOT_ON_THE_PAGE) as work:
        copied = services.copy_requirements(db.session, course, source, actor=current_user)
        count = len(copied)
    if work.done:
        flash(_("%(n)d requirements copied from %(title)s.", n=count, title=source.shown_title), "success")
    return redirect(url_for("clearance.requirements", slug=course.slug))


# --- an enrolment's checklist -------------------------------------------------------


def _enrolment(enrolment_id: int) -> Any:
    """The enrolment if the viewer may see its clearance; a 404 for anyone else, signed in or not."""
    viewer = current_user if current_user.is_authenticated else None
    try:
        enrolment = enrolment_for(db.session, enrolment_id)
        services.check_may_see(viewer, enrolment)
    except NotFound:
        abort(404)
    return enrolment


def _checklist_page(
    enrolment: Any, failed: dict[str, Any] | None = None, status: int = 200
) -> tuple[str, int]:
    viewer = current_user
    person = enrolment.user
    uploads = services.may_upload(viewer, enrolment)
    return render_template(
        "clearance/checklist.html", enrolment=enrolment, course=enrolment.course, person=person,
        clearance=services.clearance_of(db.session, enrolment), uploads=uploads,
        reviews=is_coordinator(viewer), failed=failed or {}, upload_form=UploadForm(),
        decision_form=DecisionForm(formdata=None), extend_form=ExtendForm(formdata=None),
        max_bytes=services.max_document_bytes(), now=utcnow(),
    ), status


@bp.route("/enrolments/<int:enrolment_id>/clearance")
def checklist(enrolment_id: int) -> tuple[str, int]:
    return _checklist_page(_enrolment(enrolment_id))


def _after(enrolment_id: int) -> Response:
    return redirect(url_for("clearance.checklist", enrolment_id=enrolment_id))


@bp.route("/enrolments/<int:enrolment_id>/requirements/<key>/document", methods=["GET", "POST"])
def document(enrolment_id: int, key: str) -> Response | tuple[str, int]:
    enrolment = _enrolment(enrolment_id)
    if request.method == "GET":
        with unit_of_work(error_pages=(*NOT_ON_THE_PAGE, Gone)):
            document = services.read_document(db.session, enrolment, key, actor=current_user)
            content, filename, content_type = document.content, document.filename, document.content_type
        return Response(content, mimetype=content_type, headers={
            "Content-Disposition": attachment(filename), "X-Content-Type-Options": "nosniff",
            "Cache-Control": "private, no-store"})
    form = UploadForm()
    if not form.validate_on_submit():
        abort(400)
    upload = form.file.data
    content, filename = b"", ""
    if upload:
        with upload.stream:  # a large upload spools to a temporary file: let it go at once
            content, filename = upload.read(), upload.filename or ""
    with unit_of_work(form, error_pages=NOT_ON_THE_PAGE) as work:
        services.submit_document(db.session, enrolment, key, filename=filename or "", content=content,
                                 actor=current_user)
    if work.done:
        flash(_("The document is uploaded; a coordinator will review it."), "success")
        return _after(enrolment_id)
    return _checklist_page(enrolment_for(db.session, enrolment_id), {"key": key, "upload": form}, 422)


@bp.route("/enrolments/<int:enrolment_id>/requirements/<key>/decision", methods=["POST"])
def decision(enrolment_id: int, key: str) -> Response | tuple[str, int]:
    enrolment = _enrolment(enrolment_id)
    form = DecisionForm()
    if not form.validate_on_submit():
        abort(400)
    with unit_of_work(form, error_pages=NOT_ON_THE_PAGE) as work:
        item = services.decide(db.session, enrolment, key, decision=form.decision.data,
                               reason=form.reason.data, actor=current_user)
        state = item.state.label
    if work.done:
        flash(_("Marked %(state)s.", state=state), "success")
        return _after(enrolment_id)
    return _checklist_page(enrolment_for(db.session, enrolment_id), {"key": key, "decision": form}, 422)


@bp.route("/enrolments/<int:enrolment_id>/requirements/<key>/extend", methods=["POST"])
def extend(enrolment_id: int, key: str) -> Response | tuple[str, int]:
    enrolment = _enrolment(enrolment_id)
    zone = enrolment.course.timezone
    form = ExtendForm()
    if form.validate_on_submit():
        with unit_of_work(form, error_pages=NOT_ON_THE_PAGE) as work:
            due_at = local_datetime_to_instant(form.due_at.data, zone, field="due_at")
            services.extend_due(db.session, enrolment, key, due_at=due_at, reason=form.reason.data,
                                actor=current_user)
        if work.done:
            flash(_("The due date is extended."), "success")
            return _after(enrolment_id)
    elif not is_coordinator(current_user):
        abort(403)
    return _checklist_page(enrolment_for(db.session, enrolment_id), {"key": key, "extend": form}, 422)


