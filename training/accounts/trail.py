"""How the audit trail reads accounts and their secrets: sentences, field names and people's names."""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import LazyString
from flask_babel import lazy_gettext as _l

from training.accounts.models import Role, User
from training.audit.readable import (
    NameSource,
    name_columns,
    register_fields,
    register_phrases,
    register_subject,
)

PHRASES = {
    "user.created": _l("%(actor)s created the account of %(subject)s."),
    "user.role_changed": _l("%(actor)s changed the role of %(subject)s."),
    "user.password_changed": _l("%(actor)s changed their password."),
    "user.password_reset": _l("%(actor)s reset their password."),
    "user.signed_out_everywhere": _l("%(actor)s signed out everywhere."),
    "api_token.issued": _l("%(actor)s created an API token."),
    "api_token.revoked": _l("%(actor)s revoked an API token."),
    "calendar.feed_token_created": _l("%(actor)s created their personal calendar link."),
    "calendar.feed_token_replaced": _l("%(actor)s replaced their personal calendar link."),
    "user.exported": _l("%(actor)s exported the personal data of %(subject)s."),
    "user.exported:own": _l("%(actor)s exported their own personal data."),
    "user.erased": _l("%(actor)s erased the personal data of %(subject)s: name, email, organisation "
                      "and documents removed."),
}


USERS = NameSource(lambda ids: sa.select(*name_columns(User.id, User.name)).where(User.id.in_(ids)))


def register_trail() -> None:
    """Tell the audit trail how account entries read."""
    register_subject("User", USERS)
    register_phrases(PHRASES)
    # A role's label is read in the reader's language when shown, not once at start-up.
    register_fields(
        {"sections": _l("Sections"), "mails_removed": _l("Queued mails removed"),
         "mails_rewritten": _l("Mails rewritten"), "audit_entries_rewritten": _l("Audit entries rewritten")},
        values={"role": {r.value: LazyString(lambda role=r: role.label) for r in Role}})
