"""Seats per country as the catalogue, course pages and the course API show them."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import Session

from training.courses.models import SeatQuota
from training.courses.signals import seat_summaries_wanted


@dataclass
class QuotaSummary:
    """Seats of one country on one course."""

    country: str
    seats: int
    confirmed: int
    waitlisted: int

    @property
    def available(self) -> int:
        return max(self.seats - self.confirmed, 0)


@dataclass
class SeatSummary:
    """Seats of one course, per country."""

    course_id: int
    quotas: list[QuotaSummary] = field(default_factory=list)

    @property
    def seats(self) -> int:
        return sum(q.seats for q in self.quotas)

    @property
    def confirmed(self) -> int:
        return sum(q.confirmed for q in self.quotas)

    @property
    def available(self) -> int:
        return sum(q.available for q in self.quotas)

    @property
    def waitlisted(self) -> int:
        return sum(q.waitlisted for q in self.quotas)

    def for_country(self, country: str | None) -> QuotaSummary | None:
        return next((q for q in self.quotas if q.country == country), None)


def seat_summaries(session: Session, course_ids: Iterable[int]) -> dict[int, SeatSummary]:
    """Seats, confirmed and waiting people per country for each course (enrolment counts them)."""
    ids = sorted(set(course_ids))
    summaries = {course_id: SeatSummary(course_id) for course_id in ids}
    if ids:
        for _receiver, answer in seat_summaries_wanted.send(session, course_ids=ids):
            summaries.update(answer)
    return summaries


def seats_allocated(session: Session, course_id: int) -> int:
    """Seats given out in quotas: a course's capacity must not go below this."""
    return session.scalar(
        sa.select(sa.func.coalesce(sa.func.sum(SeatQuota.seats), 0)).where(SeatQuota.course_id == course_id)
    ) or 0
