"""A meeting's agenda, its minutes in English and Chinese, and the action items agreed at it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import Session, aliased, selectinload

from training.accounts.models import MAX_EMAIL, MAX_NAME, User
from training.audit.services import record
from training.core.database import utcnow
from training.core.errors import DomainError, Forbidden, NotFound, Problems
from training.core.schemas import FIRST_YEAR, LAST_YEAR
from training.meetings.models import MAX_ACTION, MAX_TEXT, ActionItem, ActionStatus, MeetingSeries, Occurrence
from training.meetings.services.access import (
    clean_email,
    clean_text,
    is_coordinator,
    is_focal_point,
    may_see,
    require_coordinator,
    topic,
)
from training.meetings.services.schedule import Meeting, find_meeting, occurrence_row, series_query


def write_minutes(
    session: Session,
    series: MeetingSeries,
    key: str | datetime,
    *,
    agenda: str,
    minutes_en: str,
    minutes_zh: str,
    actor: User,
    via: str = "web",
) -> Meeting:
    """Set a meeting's agenda and minutes (each optional; either language or both)."""
    require_coordinator(actor)
    meeting = find_meeting(series, key)
    problems = Problems()
    values = {}
    for name, value in (("agenda", agenda), ("minutes_en", minutes_en), ("minutes_zh", minutes_zh)):
        try:
            values[name] = clean_text(value, MAX_TEXT, name)
        except DomainError as error:
            problems.add_error(error)
    problems.raise_any()
    row = occurrence_row(session, meeting)
    before = {name: getattr(row, name) for name in values}
    for name, value in values.items():
        setattr(row, name, value)
    row.updated_at = utcnow()
    session.flush()
    record(
        session,
        actor=actor,
        action="meetings.minutes_written",
        subject=series,
        before={"recurrence_id": meeting.original_start.isoformat(), **before},
        after={"recurrence_id": meeting.original_start.isoformat(), **values},
        topic=topic(series),
        via=via,
    )
    return find_meeting(series, meeting.recurrence_id)


@dataclass(frozen=True)
class ActionSpec:
    """What was agreed: what, which side owns it, who, by when."""

    what: str
    side: str
    owner_name: str
    due_on: object
    owner_email: str = ""


def action_snapshot(action: ActionItem) -> dict[str, Any]:
    return {
        "what": action.what,
        "side": action.side,
        "owner": action.owner_name,
        "owner_email": action.owner_email,
        "due_on": action.due_on.isoformat(),
        "status": action.status.value,
    }


def _due(value: object, meeting_day: date) -> date:
    if isinstance(value, datetime):
        value = value.date()
    if not isinstance(value, date):
        try:
            value = date.fromisoformat(str(value or "").strip())
        except ValueError:
            raise DomainError(_("Give the due date as a date such as 2027-03-31."), field="due_on") from None
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise DomainError(
            _("Give a date between the years %(first)d and %(last)d.", first=FIRST_YEAR, last=LAST_YEAR),
            field="due_on",
        )
    if value < meeting_day:
        raise DomainError(
            _("The due date cannot be before the meeting (%(day)s).", day=meeting_day.isoformat()),
            field="due_on",
        )
    return value


def _clean_action(spec: ActionSpec, series: MeetingSeries, meeting_day: date) -> dict[str, Any]:
    problems = Problems()
    values: dict[str, Any] = {}
    for name, check in (
        (
            "what",
            lambda: clean_text(
                spec.what, MAX_ACTION, "what", required=True, message=_("Say what is to be done.")
            ),
        ),
        (
            "owner_name",
            lambda: clean_text(
                spec.owner_name, MAX_NAME, "owner_name", required=True, message=_("Name who owns it.")
            ),
        ),
        ("owner_email", lambda: clean_email(spec.owner_email, "owner_email", required=False)[:MAX_EMAIL]),
        ("due_on", lambda: _due(spec.due_on, meeting_day)),
    ):
        try:
            values[name] = check()
        except DomainError as error:
            problems.add_error(error)
    side = str(spec.side or "").strip().upper()
    if side not in series.sides:
        problems.add(_("The owning side is one of the series' two sides."), "side")
    values["side"] = side
    problems.raise_any()
    return values


def _day(meeting: Meeting) -> date:
    return meeting.starts_at.astimezone(ZoneInfo(meeting.series.timezone)).date()


def _owner(session: Session, email: str) -> int | None:
    return session.scalar(sa.select(User.id).where(User.email == email)) if email else None


def add_action(
    session: Session,
    series: MeetingSeries,
    key: str | datetime,
    spec: ActionSpec,
    *,
    actor: User,
    via: str = "web",
) -> ActionItem:
    """An action item agreed at a meeting; its due date is on or after the meeting's day."""
    require_coordinator(actor)
    meeting = find_meeting(series, key)
    values = _clean_action(spec, series, _day(meeting))
    row = occurrence_row(session, meeting)
    action = ActionItem(
        occurrence_id=row.id,
        series_id=series.id,
        owner_user_id=_owner(session, values["owner_email"]),
        **values,
    )
    session.add(action)
    session.flush()
    record(
        session,
        actor=actor,
        action="meetings.action_added",
        subject=action,
        after={"recurrence_id": meeting.original_start.isoformat(), **action_snapshot(action)},
        topic=topic(series),
        via=via,
    )
    return action


def get_action(session: Session, action_id: int, *, viewer: Any) -> tuple[ActionItem, MeetingSeries]:
    """The action item and its series (loaded as its pages need); NotFound for anyone who may not see it."""
    action = session.scalar(
        sa.select(ActionItem).where(ActionItem.id == action_id).options(selectinload(ActionItem.occurrence))
    )
    series = session.scalar(series_query().where(MeetingSeries.id == action.series_id)) if action else None
    if action is None or series is None or not may_see(viewer, series):
        raise NotFound(_("There is no such action item."))
    return action, series


def may_update(actor: Any, action: ActionItem) -> bool:
    """Coordinators, and the focal points of the side that owns it."""
    return is_coordinator(actor) or (is_focal_point(actor) and actor.country == action.side)


def update_action(
    session: Session,
    action: ActionItem,
    series: MeetingSeries,
    *,
    actor: User,
    status: str | None = None,
    spec: ActionSpec | None = None,
    via: str = "web",
) -> ActionItem:
    """Mark an item done, dropped or open again, or change what it says (coordinators only)."""
    if not may_update(actor, action):
        raise Forbidden(_("Only coordinators and the owning side's focal points update an action item."))
    before = action_snapshot(action)
    if spec is not None:
        require_coordinator(actor)
        meeting = find_meeting(series, action.occurrence.recurrence_id)
        values = _clean_action(spec, series, _day(meeting))
        for name, value in values.items():
            setattr(action, name, value)
        action.owner_user_id = _owner(session, action.owner_email)
    if status is not None:
        try:
            action.status = ActionStatus(str(status))
        except ValueError:
            raise DomainError(_("Choose open, done or dropped."), field="status") from None
    action.updated_at = utcnow()
    session.flush()
    record(
        session,
        actor=actor,
        action="meetings.action_updated",
        subject=action,
        before=before,
        after=action_snapshot(action),
        topic=topic(series),
        via=via,
    )
    return action


def lineage(series: MeetingSeries) -> sa.Select[tuple[int]]:
    """The ids of series and of every series it continues, however many splits back (one recursive query)."""
    chain = (
        sa.select(MeetingSeries.id, MeetingSeries.continues_id)
        .where(MeetingSeries.id == series.id)
        .cte("lineage", recursive=True)
    )
    earlier = aliased(MeetingSeries)
    chain = chain.union_all(
        sa.select(earlier.id, earlier.continues_id).join(chain, earlier.id == chain.c.continues_id)
    )
    return sa.select(chain.c.id)


def _open_first_overdue(today: date) -> list[Any]:
    return [sa.case((ActionItem.due_on < today, 0), else_=1), ActionItem.due_on, ActionItem.id]


def open_actions(session: Session, series: MeetingSeries, today: date) -> Sequence[ActionItem]:
    """Every open item of the series and of every series it continues, overdue first, then by due date."""
    return session.scalars(
        sa.select(ActionItem)
        .where(ActionItem.series_id.in_(lineage(series)), ActionItem.status == ActionStatus.OPEN)
        .options(selectinload(ActionItem.occurrence))
        .order_by(*_open_first_overdue(today))
    ).all()


def carried_actions(session: Session, series: MeetingSeries, meeting: Meeting) -> Sequence[ActionItem]:
    """The items still open from earlier meetings: they are on this meeting's agenda by themselves."""
    earlier = sa.or_(Occurrence.series_id != series.id, Occurrence.recurrence_id < meeting.recurrence_id)
    return session.scalars(
        sa.select(ActionItem)
        .join(Occurrence, Occurrence.id == ActionItem.occurrence_id)
        .where(ActionItem.series_id.in_(lineage(series)), ActionItem.status == ActionStatus.OPEN, earlier)
        .options(selectinload(ActionItem.occurrence))
        .order_by(ActionItem.due_on, ActionItem.id)
    ).all()


def meeting_actions(meeting: Meeting) -> list[ActionItem]:
    return list(meeting.row.actions) if meeting.row is not None else []


def load_actions(session: Session, series: MeetingSeries) -> None:
    """Load the action items of the series' occurrence rows (one query)."""
    if series.occurrences:
        session.scalars(
            sa.select(Occurrence)
            .where(Occurrence.series_id == series.id)
            .options(selectinload(Occurrence.actions))
        ).all()
