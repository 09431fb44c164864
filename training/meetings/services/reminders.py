"""`meetings remind`: the owners of action items coming due or overdue, and the coordinators of
contact points untested for too long."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from training.accounts.models import User
from training.meetings.models import ActionItem, ActionStatus, MeetingSeries
from training.meetings.services.contacts import coordinators, overdue_points, test_days
from training.outbox.services import queue_mail

# An owner hears of an item this many days before it is due, then every day once it is overdue.
REMINDER_DAYS = 3


@dataclass
class Reminders:
    """What one run of the reminders queued."""

    due_soon: int = 0
    overdue: int = 0
    untested: int = 0  # mails to coordinators about contact points overdue for a test


def _language(session: Session, emails: list[str]) -> dict[str, str | None]:
    if not emails:
        return {}
    return {
        row.email: row.locale
        for row in session.execute(sa.select(User.email, User.locale).where(User.email.in_(emails)))
    }


def send_reminders(session: Session, now: datetime, *, days: int = REMINDER_DAYS) -> Reminders:
    """Queue today's reminders, each at most once a day (the command runs daily from cron)."""
    today = now.date()
    done = Reminders()
    items = session.execute(
        sa.select(ActionItem, MeetingSeries)
        .join(MeetingSeries, MeetingSeries.id == ActionItem.series_id)
        .where(
            ActionItem.status == ActionStatus.OPEN,
            ActionItem.owner_email != "",
            ActionItem.due_on <= today + timedelta(days=days),
        )
        .order_by(ActionItem.due_on, ActionItem.id)
    ).all()
    languages = _language(session, sorted({item.owner_email for item, _series in items}))
    for item, series in items:
        if item.reminded_on == today:
            continue
        overdue = item.due_on < today
        if (
            not overdue
            and item.reminded_on is not None
            and item.reminded_on >= item.due_on - timedelta(days=days)
        ):
            continue  # already told it comes due
        queue_mail(
            session,
            to=item.owner_email,
            template="meetings/action_reminder",
            locale=languages.get(item.owner_email),
            action=item,
            series=series,
            overdue=overdue,
            days_left=(item.due_on - today).days,
            flush=False,
        )
        item.reminded_on = today
        if overdue:
            done.overdue += 1
        else:
            done.due_soon += 1
    points = overdue_points(session, now)
    if points:
        for coordinator in coordinators(session):
            queue_mail(
                session,
                to=coordinator.email,
                template="meetings/contact_points_untested",
                locale=coordinator.locale,
                recipient=coordinator,
                points=points,
                days=test_days(),
                flush=False,
            )
            done.untested += 1
    session.flush()
    return done


def overdue_on(item: ActionItem, today: date) -> bool:
    return item.is_open and item.due_on < today
