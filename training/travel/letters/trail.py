"""How the audit trail reads letters: issued, revoked, downloaded (the passport read to draw it)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from training.audit.readable import register_fields, register_phrases

PHRASES = {
    "letter.issued": _l("%(actor)s issued the visa invitation letter %(code)s to %(subject)s."),
    "letter.revoked": _l("%(actor)s revoked the visa invitation letter %(code)s of %(subject)s."),
    "letter.downloaded": _l(
        "%(actor)s downloaded the visa invitation letter %(code)s of %(subject)s (passport details read)."),
}

LABELS = {
    "code": _l("Verification code"),
    "issuer": _l("Inviting organisation"),
    "revoked_at": _l("Revoked"),
    "revoked_reason": _l("Reason"),
}


def register_trail() -> None:
    """Tell the audit trail how letter entries read (the enrolment trail names enrolments)."""
    register_phrases(PHRASES)
    register_fields(LABELS, references={"person_id": "User"}, hidden=("enrolment_id",),
                    datetimes=("revoked_at",))
