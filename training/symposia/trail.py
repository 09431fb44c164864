"""How the audit trail reads symposia, their programme and invitations: sentences and names."""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from training.audit.readable import (
    Named,
    NameSource,
    name_columns,
    register_fields,
    register_phrases,
    register_subject,
)
from training.core.i18n import in_reader_language
from training.symposia.models import Answer, Invitation, ProgrammeSession, Symposium, SymposiumStatus

PHRASES = {
    "symposium.created": _l("%(actor)s created the symposium “%(subject)s”."),
    "symposium.updated": _l("%(actor)s changed the symposium “%(subject)s”."),
    "symposium.published": _l("%(actor)s published the symposium “%(subject)s”."),
    "symposium.cancelled": _l("%(actor)s cancelled the symposium “%(subject)s”."),
    "symposium.session_added": _l("%(actor)s added “%(subject)s” to the programme."),
    "symposium.session_removed": _l("%(actor)s removed “%(subject)s” from the programme."),
    "invitation.added": _l("%(actor)s invited %(subject)s."),
    "invitation.revoked": _l("%(actor)s revoked the invitation of %(subject)s."),
    "invitation.resent": _l("%(actor)s sent the invitation to %(subject)s again."),
    "invitation.answered": _l("%(subject)s answered: %(answer)s."),
    "invitation.reminded": _l("%(actor)s reminded %(subject)s to answer."),
}

LABELS = {
    "answer": _l("Answer"),
    "delegates": _l("Delegates"),
    "delegates_allowed": _l("Delegates allowed"),
    "note": _l("Note"),
    "revoked": _l("Revoked"),
    "organiser": _l("Organiser"),
    "speakers": _l("Speakers"),
    "organisation": _l("Organisation"),
}


SYMPOSIA = NameSource(
    lambda ids: sa.select(*name_columns(Symposium.id, Symposium.title, Symposium.title_zh,
                                        Symposium.timezone))
    .where(Symposium.id.in_(ids)),
    lambda title, title_zh, zone: Named(in_reader_language(title, title_zh), zone),
)
PROGRAMME = NameSource(
    lambda ids: sa.select(*name_columns(ProgrammeSession.id, ProgrammeSession.title, zone=Symposium.timezone))
    .join(Symposium, Symposium.id == ProgrammeSession.symposium_id).where(ProgrammeSession.id.in_(ids)),
)
INVITEES = NameSource(
    lambda ids: sa.select(*name_columns(Invitation.id, Invitation.name, Invitation.organisation,
                                        Symposium.timezone))
    .join(Symposium, Symposium.id == Invitation.symposium_id).where(Invitation.id.in_(ids)),
    lambda name, organisation, zone: Named(f"{name} ({organisation})" if organisation else name, zone),
)


def register_trail() -> None:
    """Tell the audit trail how symposium entries read."""
    register_subject("Symposium", SYMPOSIA)
    register_subject("ProgrammeSession", PROGRAMME)
    register_subject("Invitation", INVITEES)
    register_phrases(PHRASES)
    register_fields(LABELS, values={"status": {s.value: s.label for s in SymposiumStatus},
                                    "answer": {a.value: a.label for a in Answer}})
