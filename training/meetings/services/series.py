"""Meeting series: created, changed, cancelled, split for "this and following", and their participants."""

from __future__ import annotations

import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from training.accounts.models import MAX_EMAIL, MAX_NAME, User
from training.audit.services import record
from training.core import i18n
from training.core.database import utcnow
from training.core.errors import Conflict, DomainError, Problems
from training.core.localtime import local_datetime_to_instant
from training.core.slugs import slugify
from training.meetings.models import (
    MAX_DURATION_MINUTES,
    MAX_PLACE,
    MAX_RULE,
    MAX_TITLE,
    MAX_URL,
    ActionItem,
    MeetingSeries,
    Participant,
    SeriesStatus,
)
from training.meetings.services import notices
from training.meetings.services.access import (
    clean_email,
    clean_text,
    is_coordinator,
    require_coordinator,
    topic,
)
from training.meetings.services.recurrence import normalise_rule
from training.meetings.services.schedule import Meeting, meetings_of, series_query

MAX_PARTICIPANTS = 200
LANGUAGES = ("en", "zh_Hans")


@dataclass(frozen=True)
class ParticipantSpec:
    """Someone to invite: an address, a name, and the language their mail is written in."""

    email: str
    name: str = ""
    language: str = "en"


@dataclass(frozen=True)
class SeriesSpec:
    """What a coordinator says about a series (the form and the API alike)."""

    title: str
    timezone: str
    starts_at: datetime  # the first meeting's local start (naive), or an instant
    duration_minutes: object
    rrule: str
    side_a: str = "CN"
    side_b: str = "US"
    title_zh: str = ""
    location: str = ""
    video_url: str = ""
    participants: Sequence[ParticipantSpec] = field(default_factory=tuple)


def snapshot(series: MeetingSeries) -> dict[str, Any]:
    """The audited fields of a series."""
    return {
        "title": series.title,
        "title_zh": series.title_zh,
        "sides": [series.side_a, series.side_b],
        "timezone": series.timezone,
        "first_start": series.first_start.isoformat(),
        "duration_minutes": series.duration_minutes,
        "rrule": series.rrule,
        "location": series.location,
        "video_url": series.video_url,
        "status": series.status.value,
        "sequence": series.sequence,
    }


def _duration(value: object) -> int:
    if isinstance(value, bool):
        value = None
    try:
        minutes = int(str(value).strip())
    except (TypeError, ValueError):
        raise DomainError(_("Give the duration in whole minutes."), field="duration_minutes") from None
    if not 1 <= minutes <= MAX_DURATION_MINUTES:
        raise DomainError(_("A meeting lasts between 1 minute and 24 hours."), field="duration_minutes")
    return minutes


def _side(value: str, name: str) -> str:
    code = (value or "").strip().upper()
    if not i18n.is_country_code(code):
        raise DomainError(_("Unknown country code %(code)s.", code=(value or "''")[:8]), field=name)
    return code


def _video(value: str) -> str:
    url = clean_text(value, MAX_URL, "video_url")
    if url and not url.startswith(("https://", "http://")):
        raise DomainError(_("Give the video link as an address starting with https://."), field="video_url")
    return url


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


def _accounts(session: Session, emails: Sequence[str]) -> dict[str, int]:
    if not emails:
        return {}
    return dict(session.execute(sa.select(User.email, User.id).where(User.email.in_(emails))).all())


def _wall_clock(spec: SeriesSpec) -> datetime:
    """The first meeting's wall-clock start in the series' zone (an instant is seen there)."""
    if spec.starts_at.tzinfo is not None:
        return spec.starts_at.astimezone(ZoneInfo(spec.timezone)).replace(
            tzinfo=None, second=0, microsecond=0
        )
    return spec.starts_at.replace(second=0, microsecond=0)


def check_spec(spec: SeriesSpec) -> dict[str, Any]:
    """Every problem of spec at once, each on its field; else the values a series takes."""
    problems = Problems()
    values: dict[str, Any] = {}
    for name, check in (
        (
            "title",
            lambda: clean_text(spec.title, MAX_TITLE, "title", required=True, message=_("Give a title.")),
        ),
        ("title_zh", lambda: clean_text(spec.title_zh, MAX_TITLE, "title_zh")),
        ("side_a", lambda: _side(spec.side_a, "side_a")),
        ("side_b", lambda: _side(spec.side_b, "side_b")),
        ("duration_minutes", lambda: _duration(spec.duration_minutes)),
        ("location", lambda: clean_text(spec.location, MAX_PLACE, "location")),
        ("video_url", lambda: _video(spec.video_url)),
        ("participants", lambda: clean_participants(spec.participants)),
    ):
        try:
            values[name] = check()
        except DomainError as error:
            problems.add_error(error)
    if values.get("side_a") and values.get("side_a") == values.get("side_b"):
        problems.add(_("A working-level meeting has two sides: choose two countries."), "side_b")
    if not i18n.is_timezone(spec.timezone):
        problems.add(_("Choose a timezone such as America/New_York."), "timezone")
    elif len(str(spec.rrule or "")) > MAX_RULE:
        problems.add(_("Keep it under %(n)d characters.", n=MAX_RULE), "rrule")
    else:
        first = _wall_clock(spec)
        start_exists = True
        try:
            local_datetime_to_instant(first, spec.timezone, field="starts_at")
        except DomainError as error:
            problems.add_error(error)
            start_exists = False
        try:
            values["rrule"] = normalise_rule(spec.rrule, first, spec.timezone)
            values["first_start"] = first
            values["timezone"] = spec.timezone
        except DomainError as error:
            if start_exists or error.field != "starts_at":  # else the same time, refused once
                problems.add_error(error)
    problems.raise_any()
    return values


def _unique_slug(session: Session, title: str) -> str:
    # The feed's address is known to its participants only: a word part people recognise
    # and a random part nobody guesses.
    base = slugify(re.sub(r"[\u2010-\u2015]", " ", title), 50) or "meeting"
    return f"{base}-{secrets.token_hex(5)}"


def _add_participants(
    session: Session, series: MeetingSeries, specs: Sequence[ParticipantSpec]
) -> list[Participant]:
    accounts = _accounts(session, [s.email for s in specs])
    added = [
        Participant(email=s.email, name=s.name, language=s.language, user_id=accounts.get(s.email))
        for s in specs
    ]
    series.participants.extend(added)
    return added


def create_series(
    session: Session,
    spec: SeriesSpec,
    *,
    actor: User,
    via: str = "web",
    continues: MeetingSeries | None = None,
) -> MeetingSeries:
    """A new series; every participant is sent the series as a calendar invitation."""
    require_coordinator(actor)
    values = check_spec(spec)
    participants = values.pop("participants")
    series = MeetingSeries(
        slug=_unique_slug(session, values["title"]),
        organiser_name=actor.name,
        organiser_email=actor.email,
        starts_at=local_datetime_to_instant(values["first_start"], values["timezone"]),
        continues_id=continues.id if continues else None,
        occurrences=[],
        participants=[],
        **values,
    )
    session.add(series)
    _add_participants(session, series, participants)
    session.flush()
    record(
        session,
        actor=actor,
        action="meetings.series_created",
        subject=series,
        after=snapshot(series),
        topic=topic(series),
        via=via,
    )
    notices.invite(session, series, meetings_of(series), series.participants)
    return series


def reload(session: Session, series: MeetingSeries) -> MeetingSeries:
    """series with its participants and occurrences loaded (after a change made elsewhere)."""
    return session.scalars(
        series_query().where(MeetingSeries.id == series.id).execution_options(populate_existing=True)
    ).one()


def _require_active(series: MeetingSeries) -> None:
    if series.cancelled:
        raise Conflict(_("This series is cancelled."))


def update_series(
    session: Session,
    series: MeetingSeries,
    *,
    title: str,
    title_zh: str = "",
    location: str = "",
    video_url: str = "",
    actor: User,
    via: str = "web",
) -> MeetingSeries:
    """Change a series' title or place; everyone is sent the series again (SEQUENCE + 1).

    Its clock and rule change only for meetings to come, by a split ("this and following").
    """
    require_coordinator(actor)
    _require_active(series)
    problems = Problems()
    values = {}
    for name, check in (
        ("title", lambda: clean_text(title, MAX_TITLE, "title", required=True, message=_("Give a title."))),
        ("title_zh", lambda: clean_text(title_zh, MAX_TITLE, "title_zh")),
        ("location", lambda: clean_text(location, MAX_PLACE, "location")),
        ("video_url", lambda: _video(video_url)),
    ):
        try:
            values[name] = check()
        except DomainError as error:
            problems.add_error(error)
    problems.raise_any()
    before = snapshot(series)
    for name, value in values.items():
        setattr(series, name, value)
    series.sequence += 1
    series.updated_at = utcnow()
    session.flush()
    record(
        session,
        actor=actor,
        action="meetings.series_updated",
        subject=series,
        before=before,
        after=snapshot(series),
        topic=topic(series),
        via=via,
    )
    notices.invite(session, series, meetings_of(series), series.participants, updated=True)
    return series


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
    added = _add_participants(session, series, cleaned)
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


def cancel_series(session: Session, series: MeetingSeries, *, actor: User, via: str = "web") -> int:
    """Cancel the whole series: CANCEL without RECURRENCE-ID to everyone. Returns how many were told."""
    require_coordinator(actor)
    _require_active(series)
    before = snapshot(series)
    series.status = SeriesStatus.CANCELLED
    series.sequence += 1
    series.updated_at = utcnow()
    session.flush()
    record(
        session,
        actor=actor,
        action="meetings.series_cancelled",
        subject=series,
        before=before,
        after=snapshot(series),
        topic=topic(series),
        via=via,
    )
    return notices.tell_series_cancelled(session, series)


def _until_before(series: MeetingSeries, meeting: Meeting) -> str:
    """The rule cut so that its last meeting is the one before meeting (UNTIL, in UTC)."""
    kept = [part for part in series.rrule.split(";") if not part.startswith(("COUNT=", "UNTIL="))]
    until = (meeting.original_start - timedelta(seconds=1)).astimezone(UTC)
    return ";".join([*kept, f"UNTIL={until:%Y%m%dT%H%M%SZ}"])


def _rest_of_rule(series: MeetingSeries, meeting: Meeting) -> str:
    """The rule of the meetings from meeting on: the same ending (COUNT reduced by those before)."""
    parts = series.rrule.split(";")
    count = next((p for p in parts if p.startswith("COUNT=")), None)
    if count is None:
        return series.rrule
    left = int(count.split("=", 1)[1]) - (meeting.number - 1)
    return ";".join(f"COUNT={left}" if p == count else p for p in parts)


def split_series(
    session: Session,
    series: MeetingSeries,
    meeting: Meeting,
    *,
    starts_at: datetime,
    duration_minutes: object,
    location: str,
    actor: User,
    via: str = "web",
    now: datetime | None = None,
) -> MeetingSeries:
    """ "This and following": the series ends before meeting and a new one starts with the change.

    Meetings before it (and their minutes and action items) stay on the old series untouched;
    the changes already made to later meetings follow them, shifted as the new start shifts.
    """
    require_coordinator(actor)
    _require_active(series)
    now = now or utcnow()
    if meeting.number == 1:
        raise DomainError(
            _("Change the whole series from its first meeting: nothing would stay behind."),
            field="recurrence_id",
        )
    if meeting.original_start <= now:
        raise DomainError(
            _("Only meetings to come can be changed; this one has begun."), field="recurrence_id"
        )
    if meeting.series.id != series.id:
        raise DomainError(_("This meeting belongs to another series."), field="recurrence_id")
    new_first = starts_at.replace(second=0, microsecond=0)
    shift = new_first - meeting.recurrence_id
    rule = _rest_of_rule(series, meeting)
    spec = SeriesSpec(
        title=series.title,
        title_zh=series.title_zh,
        timezone=series.timezone,
        starts_at=new_first,
        duration_minutes=duration_minutes,
        rrule=_shift_until(rule, shift),
        side_a=series.side_a,
        side_b=series.side_b,
        location=location,
        video_url=series.video_url,
        participants=[ParticipantSpec(p.email, p.name, p.language) for p in series.participants],
    )
    check_spec(spec)  # refused before anything changes: the old series keeps its meetings
    before = snapshot(series)
    later = [row for row in series.occurrences if row.recurrence_id >= meeting.recurrence_id]
    series.rrule = _until_before(series, meeting)
    series.sequence += 1
    series.updated_at = utcnow()
    session.flush()
    successor = create_series(session, spec, actor=actor, via=via, continues=series)
    for row in later:
        # Re-parented, not copied: an agenda or an action item written ahead goes with its meeting.
        series.occurrences.remove(row)
        row.recurrence_id = row.recurrence_id + shift
        successor.occurrences.append(row)
    session.flush()
    if later:
        session.execute(
            sa.update(ActionItem)
            .where(ActionItem.occurrence_id.in_([r.id for r in later]))
            .values(series_id=successor.id)
        )
    record(
        session,
        actor=actor,
        action="meetings.series_split",
        subject=series,
        before=before,
        after={**snapshot(series), "continued_by": successor.slug},
        topic=topic(series),
        via=via,
    )
    notices.invite(session, series, meetings_of(series), series.participants, updated=True)
    return successor


def _shift_until(rule: str, shift: timedelta) -> str:
    """A rule with UNTIL moved by shift, so that a later clock keeps the same last meeting."""
    parts = rule.split(";")
    out = []
    for part in parts:
        if part.startswith("UNTIL="):
            until = datetime.strptime(part[6:], "%Y%m%dT%H%M%SZ") + max(shift, timedelta(0))
            part = f"UNTIL={until:%Y%m%dT%H%M%SZ}"
        out.append(part)
    return ";".join(out)


def visible_series(session: Session, viewer: Any) -> Sequence[MeetingSeries]:
    """The series viewer sees, newest first: every one for coordinators, their sides' for focal points."""
    query = sa.select(MeetingSeries).order_by(MeetingSeries.starts_at.desc(), MeetingSeries.id.desc())
    if not is_coordinator(viewer):
        country = getattr(viewer, "country", None)
        query = query.where(sa.or_(MeetingSeries.side_a == country, MeetingSeries.side_b == country))
    return session.scalars(query).all()


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
