"""Meeting series: checked, created, changed, cancelled, and listed for the people who see them."""

from __future__ import annotations

import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from training.accounts.models import User
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
    MeetingSeries,
    SeriesStatus,
)
from training.meetings.services import notices
from training.meetings.services.access import (
    clean_text,
    is_coordinator,
    require_coordinator,
    topic,
)
from training.meetings.services.participants import ParticipantSpec, clean_participants, join_series
from training.meetings.services.recurrence import normalise_rule
from training.meetings.services.schedule import meetings_of, series_query


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
    join_series(session, series, participants)
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


def require_active(series: MeetingSeries) -> None:
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
    require_active(series)
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


def cancel_series(session: Session, series: MeetingSeries, *, actor: User, via: str = "web") -> int:
    """Cancel the whole series: CANCEL without RECURRENCE-ID to everyone. Returns how many were told."""
    require_coordinator(actor)
    require_active(series)
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


def visible_series(session: Session, viewer: Any) -> Sequence[MeetingSeries]:
    """The series viewer sees, newest first: every one for coordinators, their sides' for focal points."""
    query = sa.select(MeetingSeries).order_by(MeetingSeries.starts_at.desc(), MeetingSeries.id.desc())
    if not is_coordinator(viewer):
        country = getattr(viewer, "country", None)
        query = query.where(sa.or_(MeetingSeries.side_a == country, MeetingSeries.side_b == country))
    return session.scalars(query).all()
