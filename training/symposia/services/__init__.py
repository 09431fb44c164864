"""Symposium rules, callable without HTTP: the package owns scheduling, invitations and their links,
answers within capacity, calendar replies, reminders and the coordinator's dashboard.

Views, the API, the CLI and the demo call `services.<name>`; each name lives in one module.
"""

from __future__ import annotations

from training.symposia.services.answers import (
    MAX_DELEGATES,
    MAX_NOTE,
    accepted_delegates,
    answer_invitation,
    answers_closed,
    lock_symposium,
    parse_answer,
)
from training.symposia.services.common import (
    invitation_snapshot,
    programme_of,
    require_coordinator,
    snapshot,
    topic,
)
from training.symposia.services.dashboard import Dashboard, answer_key, dashboard, delegates_csv
from training.symposia.services.invitations import (
    IMPORT_FILE_MAX,
    IMPORT_ROWS_MAX,
    IMPORT_TEXT_MAX,
    Invitee,
    LineResult,
    Revocation,
    add_invitation,
    get_invitation,
    import_invitations,
    invitation_by_id,
    invitations_query,
    resend_invitation,
    revocation_outcome,
    revoke_invitation,
)
from training.symposia.services.lifecycle import (
    SymposiumFields,
    add_programme_session,
    cancel_symposium,
    cancellation_outcome,
    create_symposium,
    default_organiser,
    get_programme_session,
    get_symposium,
    list_symposia,
    publish_symposium,
    remove_programme_session,
    update_symposium,
)
from training.symposia.services.links import TOKEN_BYTES, hash_token, invitation_for_token
from training.symposia.services.reminders import send_reminders
from training.symposia.services.replies import ReplyOutcome, import_replies

__all__ = [
    "IMPORT_FILE_MAX",
    "IMPORT_ROWS_MAX",
    "IMPORT_TEXT_MAX",
    "MAX_DELEGATES",
    "MAX_NOTE",
    "TOKEN_BYTES",
    "Dashboard",
    "Invitee",
    "LineResult",
    "ReplyOutcome",
    "Revocation",
    "SymposiumFields",
    "accepted_delegates",
    "add_invitation",
    "add_programme_session",
    "answer_invitation",
    "answer_key",
    "answers_closed",
    "cancel_symposium",
    "cancellation_outcome",
    "create_symposium",
    "dashboard",
    "default_organiser",
    "delegates_csv",
    "get_invitation",
    "get_programme_session",
    "get_symposium",
    "hash_token",
    "import_invitations",
    "import_replies",
    "invitation_by_id",
    "invitation_for_token",
    "invitation_snapshot",
    "invitations_query",
    "list_symposia",
    "lock_symposium",
    "parse_answer",
    "programme_of",
    "publish_symposium",
    "remove_programme_session",
    "require_coordinator",
    "resend_invitation",
    "revocation_outcome",
    "revoke_invitation",
    "send_reminders",
    "snapshot",
    "topic",
    "update_symposium",
]
