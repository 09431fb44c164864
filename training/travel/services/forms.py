"""A participant's travel form: read (audited), saved, locked once letters are issued."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from training.accounts.models import User
from training.audit.services import record
from training.core.database import utcnow
from training.core.errors import Conflict
from training.enrolment.models import Enrolment
from training.travel.models import PASSPORT_FIELDS, TravelForm
from training.travel.services.access import require_coordinator, require_form_reader, require_seat
from training.travel.services.validation import TravelSpec, clean, missing_fields


def topic(enrolment: Enrolment) -> str:
    return f"travel:{enrolment.course_id}"


def stored_form(session: Session, enrolment: Enrolment) -> TravelForm | None:
    """The enrolment's form as stored, unchecked and unaudited: for services only."""
    return session.scalar(sa.select(TravelForm).where(TravelForm.enrolment_id == enrolment.id))


def read_travel_form(
    session: Session, enrolment: Enrolment, *, actor: User, via: str = "web"
) -> TravelForm | None:
    """The form, for someone allowed to see it; every reading of a passport is audited."""
    require_form_reader(actor, enrolment)
    form = stored_form(session, enrolment)
    if form is not None and form.passport_number:
        record(session, actor=actor, action="travel.passport_read", subject=enrolment,
               topic=topic(enrolment), via=via, after={"person": enrolment.user_id})
    return form


def save_travel_form(
    session: Session, enrolment: Enrolment, spec: TravelSpec, *, actor: User, via: str = "web"
) -> TravelForm:
    """Store what the person or their focal point (or a coordinator) entered.

    The audit trail names the fields that changed, never their values. A form locked for its
    letters may still be corrected (a typo in a passport number must not wait), but the change
    is flagged for the coordinator, who reissues the letter.
    """
    require_form_reader(actor, enrolment)
    require_seat(enrolment)
    values = clean(spec, enrolment.course)
    form = stored_form(session, enrolment)
    if form is None:
        form = TravelForm(enrolment_id=enrolment.id)
        session.add(form)
        before: dict[str, Any] = {}
    else:
        before = {name: getattr(form, name) for name in values}
    # A new form "changes" only the fields given; a saved one, those whose value differs.
    changed = sorted(
        name for name, value in values.items()
        if (before.get(name) != value if before else value not in ("", None))
    )
    if before and not changed:
        return form
    for name, value in values.items():
        setattr(form, name, value)
    form.updated_by_id = actor.id
    form.updated_at = utcnow()
    if form.passport_purged_at is not None and any(n in PASSPORT_FIELDS for n in changed):
        form.passport_purged_at = None
    after_lock = form.locked
    if after_lock:
        form.changed_after_lock = True
    session.flush()
    record(
        session, actor=actor, action="travel.changed_after_lock" if after_lock else "travel.saved",
        subject=enrolment, topic=topic(enrolment), via=via,
        after={"fields": changed, "complete": not missing_fields(form)},
    )
    return form


def lock_travel_form(
    session: Session, enrolment: Enrolment, *, actor: User, via: str = "web"
) -> TravelForm:
    """Freeze the form as the letters print it; later changes are flagged."""
    require_coordinator(actor)
    form = stored_form(session, enrolment)
    if form is None or missing_fields(form):
        raise Conflict(_("Only a complete travel form can be locked."))
    if form.locked:
        return form
    form.locked_at, form.locked_by_id, form.changed_after_lock = utcnow(), actor.id, False
    session.flush()
    record(session, actor=actor, action="travel.locked", subject=enrolment, topic=topic(enrolment), via=via)
    return form


def unlock_travel_form(
    session: Session, enrolment: Enrolment, *, actor: User, via: str = "web"
) -> TravelForm:
    require_coordinator(actor)
    form = stored_form(session, enrolment)
    if form is None or not form.locked:
        raise Conflict(_("This travel form is not locked."))
    form.locked_at, form.locked_by_id, form.changed_after_lock = None, None, False
    session.flush()
    record(session, actor=actor, action="travel.unlocked", subject=enrolment, topic=topic(enrolment), via=via)
    return form

