"""/api/v1 letters: issue one (coordinators), download it, and the public verification of a code."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from flask_login import current_user, login_required

from training.accounts.models import Role
from training.accounts.permissions import role_required
from training.core.api import api_blueprint, documents
from training.core.errors import Forbidden, NotFound
from training.core.extensions import db, limiter
from training.core.pdf import pdf_response
from training.core.uow import unit_of_work
from training.core.urls import external_url
from training.enrolment.services import enrolment_for
from training.travel.letters import services
from training.travel.letters.document import letter_pdf, verify_url

blp = api_blueprint("api_letters", __name__, "Visa invitation letters: issue, download, verify.")


class IssueInSchema(ma.Schema):
    lock_form = ma.fields.Boolean(load_default=False,
                                  metadata={"description": "Lock the travel form once the letter is issued"})
    reissue = ma.fields.Boolean(load_default=False, metadata={
        "description": "Replace the letter in force, whose code then verifies as revoked (else 409)"})


class IssuedSchema(ma.Schema):
    code = ma.fields.String(required=True, metadata={"example": "K7QZ-M2XH-PLRA-4TGE"})
    pdf_url = ma.fields.Url(required=True, metadata={"description": "The PDF (bearer token of the person, "
                                                                   "their focal point or a coordinator)"})
    verify_url = ma.fields.Url(required=True, metadata={"description": "The public verification page"})


class VerificationSchema(ma.Schema):
    valid = ma.fields.Boolean(required=True, metadata={"description": "False once revoked"})
    name = ma.fields.String(required=True)
    course = ma.fields.String(required=True)
    starts_on = ma.fields.Date(required=True)
    ends_on = ma.fields.Date(required=True)
    issuer = ma.fields.String(required=True)
    revoked_at = ma.fields.DateTime(required=True, allow_none=True)


@blp.route("/enrolments/<id:enrolment_id>/letters", methods=["POST"])
@role_required(Role.COORDINATOR)
@blp.arguments(IssueInSchema)
@blp.response(201, IssuedSchema)
@documents(400, 401, 403, 404, 409, 415, 422)
def issue_letter(data: dict[str, Any], enrolment_id: int):
    """Issue a visa invitation letter to a confirmed person whose travel form is complete
    (coordinators). 409 when they hold one, unless reissue, which revokes it."""
    enrolment = enrolment_for(db.session, enrolment_id)
    with unit_of_work():
        current = services.current_letter(db.session, enrolment)
        if current is not None and data["reissue"]:
            letter = services.reissue_letter(db.session, current, actor=current_user, via="api",
                                             lock_form=data["lock_form"])
        else:
            letter = services.issue_letter(db.session, enrolment, actor=current_user, via="api",
                                           lock_form=data["lock_form"])
        code = letter.code
        out = {"code": code, "verify_url": verify_url(letter),
               "pdf_url": external_url("api_letters.download_letter", code=code)}
    return out


@blp.route("/letters/<code>/pdf", methods=["GET"])
@login_required
@blp.response(200, {"type": "string", "format": "binary"}, content_type="application/pdf",
              description="The letter as a PDF attachment")
@documents(401, 404)
def download_letter(code: str):
    """A letter as PDF, for the person, the focal point of their country and coordinators (anyone
    else: 404). Drawing it reads the passport fields: every download is audited."""
    try:
        letter = services.letter_by_code(db.session, code)
        services.check_may_download(current_user, letter.enrolment)
    except Forbidden:
        raise NotFound(str(services.NO_LETTER)) from None
    with unit_of_work():
        pdf = letter_pdf(db.session, letter, actor=current_user, via="api")
    return pdf_response(pdf, f"invitation-letter-{letter.code}.pdf")


@blp.route("/letters/<code>", methods=["GET"])
@limiter.limit("30/minute")
@blp.response(200, VerificationSchema)
@documents(404, 429)
def verify_letter(code: str):
    """Public: whether a letter is genuine and in force, with the name, course, dates and
    inviting organisation it was issued with. Never a passport field."""
    letter = services.letter_by_code(db.session, code)
    return {"valid": letter.is_valid, "name": letter.person_name, "course": letter.course_title,
            "starts_on": letter.starts_on, "ends_on": letter.ends_on, "issuer": letter.issuer,
            "revoked_at": letter.revoked_at}
