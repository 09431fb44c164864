"""Who trains whom: seats each host country offers to each guest country, and their use."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from training.core import i18n
from training.courses.models import Course, CourseStatus
from training.enrolment.models import SEAT_HOLDING_STATUSES, Enrolment, EnrolmentStatus, SeatQuota


@dataclass
class ReciprocityLine:
    """Seats one host country offered to one guest country's personnel, and their use."""

    host: str
    guest: str
    courses: int = 0
    seats: int = 0
    confirmed: int = 0
    completed: int = 0


@dataclass
class Reciprocity:
    """Who trains whom: lines per host and guest country, and the balance of each pair."""

    lines: list[ReciprocityLine]

    def pairs(self) -> list[tuple[ReciprocityLine, ReciprocityLine]]:
        """Each pair of countries that host each other's personnel (or could), both directions."""
        index = {(line.host, line.guest): line for line in self.lines}
        seen: set[frozenset[str]] = set()
        result = []
        for line in self.lines:
            key = frozenset((line.host, line.guest))
            if line.host == line.guest or key in seen:
                continue
            seen.add(key)
            other = index.get((line.guest, line.host)) or ReciprocityLine(line.guest, line.host)
            result.append(tuple(sorted((line, other), key=lambda x: x.host)))
        return result  # type: ignore[return-value]


def reciprocity(session: Session) -> Reciprocity:
    """Per host country, the seats offered to each country's personnel, confirmed and completed
    (published and completed courses; two grouped queries whatever the number of enrolments)."""
    counted = (CourseStatus.PUBLISHED, CourseStatus.COMPLETED)
    offered = session.execute(
        sa.select(Course.host_country, SeatQuota.country, sa.func.count(sa.distinct(Course.id)),
                  sa.func.sum(SeatQuota.seats))
        .join(Course, Course.id == SeatQuota.course_id)
        .where(Course.status.in_(counted))
        .group_by(Course.host_country, SeatQuota.country)
    ).all()
    taken = session.execute(
        sa.select(
            Course.host_country,
            Enrolment.country,
            sa.func.count(Enrolment.id),
            sa.func.sum(sa.case((Enrolment.status == EnrolmentStatus.COMPLETED, 1), else_=0)),
        )
        .join(Course, Course.id == Enrolment.course_id)
        .where(Course.status.in_(counted), Enrolment.status.in_(SEAT_HOLDING_STATUSES))
        .group_by(Course.host_country, Enrolment.country)
    ).all()
    lines: dict[tuple[str, str], ReciprocityLine] = {}
    for host, guest, courses, seats in offered:
        lines[(host, guest)] = ReciprocityLine(host, guest, courses=courses, seats=int(seats or 0))
    for host, guest, confirmed, completed in taken:
        line = lines.setdefault((host, guest), ReciprocityLine(host, guest))
        line.confirmed = confirmed
        line.completed = int(completed or 0)
    ordered = sorted(lines.values(), key=lambda x: (i18n.country_name(x.host), x.host == x.guest,
                                                    i18n.country_name(x.guest)))
    return Reciprocity(ordered)
