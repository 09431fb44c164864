"""A series' participants: who is invited (accounts or outside addresses, each with a language),
added and taken off with the calendar told, and read from the lines a coordinator types."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from training.accounts.models import MAX_EMAIL, MAX_NAME, User
from training.audit.services import record
from training.core import i18n
from training.core.errors import Conflict, DomainError
from training.meetings.models import MeetingSeries, Participant
from training.meetings.services import notices
from training.meetings.services.access import clean_email, clean_text, require_coordinator, topic
from training.meetings.services.schedule import meetings_of

MAX_PARTICIPANTS = 200
LANGUAGES = ("en", "zh_Hans")


@dataclass(frozen=True)
class ParticipantSpec:
    """Someone to invite: an address, a name, and the language their mail is written in."""

    email: str
    name: str = ""
    language: str = "en"


def clean_participants(specs: Sequence[ParticipantSpec]) -> list[ParticipantSpec]:
    """The participants checked: real addresses, each once, a language we write in."""
    if len(specs) > MAX_PARTICIPANTS:
        raise DomainError(
            _("A series has at most %(n)d participants.", n=MAX_PARTICIPANTS), field="participants"
        )
    cleaned: dict[str, ParticipantSpec] = {}
    for spec in specs:
        email = clean_email(spec.email, "participants")
        if len(email) > MAX_EMAIL:
            raise DomainError(_("Keep it under %(n)d characters.", n=MAX_EMAIL), field="participants")
        name = clean_text(spec.name, MAX_NAME, "participants") or email.split("@", 1)[0]
        language = i18n.parse_locale(spec.language) or "en"
        cleaned[email] = ParticipantSpec(email, name, language if language in LANGUAGES else "en")
    return list(cleaned.values())


def accounts_by_email(session: Session, emails: Sequence[str]) -> dict[str, int]:
    if not emails:
        return {}
    return dict(session.execute(sa.select(User.email, User.id).where(User.email.in_(emails))).all())


def join_series(
    session: Session, series: MeetingSeries, specs: Sequence[ParticipantSpec]
) -> list[Participant]:
    accounts = accounts_by_email(session, [s.email for s in specs])
    added = [
        Participant(email=s.email, name=s.name, language=s.language, user_id=accounts.get(s.email))
        for s in specs
    ]
    series.participants.extend(added)
    return added


def add_participants(
    session: Session,
    series: MeetingSeries,
    specs: Sequence[ParticipantSpec],
    *,
    actor: User,
    via: str = "web",
) -> list[Participant]:
    """Invite more people to a series; each is sent the series. Someone already on it is refused."""
    require_coordinator(actor)
    _require_active(series)
    cleaned = clean_participants(specs)
    present = {p.email for p in series.participants}
    again = next((s.email for s in cleaned if s.email in present), None)
    if again:
        raise Conflict(_("%(email)s is already a participant.", email=again), field="participants")
    if len(present) + len(cleaned) > MAX_PARTICIPANTS:
        raise DomainError(
            _("A series has at most %(n)d participants.", n=MAX_PARTICIPANTS), field="participants"
        )
    added = join_series(session, series, cleaned)
    session.flush()
    record(
        session,
        actor=actor,
        action="meetings.participants_added",
        subject=series,
        after={"participants": [p.email for p in added]},
        topic=topic(series),
        via=via,
    )
    notices.invite(session, series, meetings_of(series), added)
    return added


def remove_participant(
    session: Session, series: MeetingSeries, participant_id: int, *, actor: User, via: str = "web"
) -> None:
    """Take someone off a series; their calendar is told the series is cancelled for them."""
    require_coordinator(actor)
    participant = next((p for p in series.participants if p.id == participant_id), None)
    if participant is None:
        raise DomainError(_("This person is not a participant of the series."), field="participant")
    if not series.cancelled:
        notices.tell_series_cancelled(session, series, [participant])
    series.participants.remove(participant)
    session.flush()
    record(
        session,
        actor=actor,
        action="meetings.participant_removed",
        subject=series,
        before={"participants": [participant.email]},
        topic=topic(series),
        via=via,
    )


def parse_participant_lines(text: str) -> list[ParticipantSpec]:
    """Participants typed one a line as "email, name, language" (name and language optional)."""
    specs = []
    for number, line in enumerate((text or "").splitlines(), 1):
        fields = [field.strip() for field in line.split(",")]
        if not fields[0]:
            continue
        if "@" not in fields[0]:
            raise DomainError(_("Line %(n)d: give the email address first.", n=number), field="participants")
        language = i18n.parse_locale(fields[-1]) if len(fields) > 1 else None
        names = fields[1:-1] if language else fields[1:]
        specs.append(ParticipantSpec(fields[0], ", ".join(names), language or "en"))
    return specs


def _require_active(series: MeetingSeries) -> None:
    if series.cancelled:
        raise Conflict(_("This series is cancelled."))
