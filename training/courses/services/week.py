"""The week grid: seven days of a course's schedule laid out like a calendar, in local time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from training.courses.models import Course, CourseSession, SessionKind
from training.courses.services.slots import local_zone

# The kinds in the grid's legend, in the order of its colours.
LEGEND = (SessionKind.LECTURE, SessionKind.PRACTICAL, SessionKind.WORKSHOP, SessionKind.FIELD_VISIT,
          SessionKind.CEREMONY)


@dataclass
class GridBlock:
    """One session placed on the week grid: its day column, rows (quarter hours) and lane."""

    session: CourseSession
    column: int
    row_start: int
    row_end: int
    lane: int = 0
    lanes: int = 1


@dataclass
class WeekGrid:
    """Seven days of a course's schedule laid out like a calendar, in the course's local time."""

    week: int
    weeks: int
    days: list[date]
    first_hour: int
    last_hour: int
    blocks: list[GridBlock]

    @property
    def hours(self) -> list[int]:
        return list(range(self.first_hour, self.last_hour))

    @property
    def rows(self) -> int:
        return (self.last_hour - self.first_hour) * 4

    @property
    def legend(self) -> tuple[SessionKind, ...]:
        return LEGEND


def week_grid(course: Course, week: int = 1) -> WeekGrid:
    """Week number `week` (from the course's first day) of the schedule, as grid blocks."""
    total_days = (course.ends_on - course.starts_on).days + 1
    weeks = (total_days + 6) // 7
    week = min(max(week, 1), weeks)
    first_day = course.starts_on + timedelta(days=7 * (week - 1))
    days = [first_day + timedelta(days=n) for n in range(7)]
    shown: list[tuple[int, datetime, datetime, CourseSession]] = []
    for course_session in course.sessions:
        start = course_session.starts_at.astimezone(local_zone(course))
        end = course_session.ends_at.astimezone(local_zone(course))
        if start.date() in days:
            shown.append((days.index(start.date()), start, end, course_session))
    first_hour = min([8, *(start.hour for _c, start, _e, _s in shown)])
    last_hour = max([18, *(_end_hour(start, end) for _c, start, end, _s in shown)])
    blocks = []
    for column, start, end, course_session in shown:
        row_start = (start.hour - first_hour) * 4 + start.minute // 15 + 1
        end_minutes = (end.hour * 60 + end.minute) if end.date() == start.date() else 24 * 60
        row_end = max((end_minutes - first_hour * 60 + 14) // 15 + 1, row_start + 1)
        blocks.append(GridBlock(course_session, column, row_start, row_end))
    _assign_lanes(blocks)
    return WeekGrid(week, weeks, days, first_hour, last_hour, blocks)


def _end_hour(start: datetime, end: datetime) -> int:
    if end.date() != start.date():
        return 24
    return end.hour + (1 if end.minute else 0)


def _assign_lanes(blocks: list[GridBlock]) -> None:
    """Side by side lanes for sessions that overlap on one day (parallel tracks)."""
    by_day: dict[int, list[GridBlock]] = {}
    for block in blocks:
        by_day.setdefault(block.column, []).append(block)
    for day_blocks in by_day.values():
        day_blocks.sort(key=lambda b: (b.row_start, b.row_end))
        group: list[GridBlock] = []
        group_end = 0
        for block in [*day_blocks, None]:
            if block is None or block.row_start >= group_end:
                for member in group:
                    member.lanes = max(m.lane for m in group) + 1
                if block is None:
                    break
                group, group_end = [], 0
            lane_ends: dict[int, int] = {}
            for member in group:
                lane_ends[member.lane] = max(lane_ends.get(member.lane, 0), member.row_end)
            block.lane = next(n for n in range(len(group) + 1) if lane_ends.get(n, 0) <= block.row_start)
            group.append(block)
            group_end = max(group_end, block.row_end)
