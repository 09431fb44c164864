"""What every feed is made of: its events, written from courses, sessions and symposia."""
from __future__ import annotations

import gzip
import hashlib
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from unicodedata import east_asian_width
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _

from training.core import versions
from training.core.i18n import country_name
from training.core.ical import FeedCalendar, FeedEvent, build_calendar
from training.core.memo import FingerprintCache, app_cache
from training.core.urls import external_url
from training.courses.models import (
    Course,
    CourseSession,
    CourseStatus,
    SessionKind,
)

# A cancelled course stays in every feed at least this long after its cancellation,
# so that clients that poll rarely still see it cancelled rather than gone.
CANCELLED_KEPT_FOR = timedelta(days=30)
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
# Columns a course label may take before a session title in a week view's narrow block.
SHORT_LABEL_WIDTH = 24


@dataclass(frozen=True)
class Feed:
    """A built feed: its text, a strong ETag of that text, and the newest change in its data.

    Calendar clients ask for gzip, and a feed's lines repeat (the same zone, organiser and
    course on every event): a thousand-session feed shrinks to a thirtieth (550 KB to 17 KB).
    A feed of more than about one network packet is therefore kept compressed only, and served,
    and kept by a shared cache, at that size; the rare client that does not take gzip gets it
    decompressed. Below that size compressing saves nothing worth the client's work. mtime=0
    keeps the compressed bytes, and so their ETag, the same in every worker.
    """

    key: str
    kept_text: bytes  # compressed when compressed is True
    compressed: bool
    etag: str
    data_modified: datetime

    @property
    def body(self) -> bytes:
        """The text as written."""
        return gzip.decompress(self.kept_text) if self.compressed else self.kept_text


# Below about one network packet, compressing saves nothing worth the client's work.
COMPRESS_FROM_BYTES = 1400


def finish_feed(key: str, calendar: FeedCalendar, data_modified: datetime) -> Feed:
    body = build_calendar(calendar)
    compressed = len(body) >= COMPRESS_FROM_BYTES
    return Feed(key, gzip.compress(body, compresslevel=6, mtime=0) if compressed else body, compressed,
                hashlib.sha256(body).hexdigest()[:40], data_modified.replace(microsecond=0))


@dataclass
class KeptFeed:
    """A feed this process built, kept under the data versions it was built from.

    depends_on names the scopes besides the feed's own (a person's feed: their courses,
    symposia and series); until, the instant the feed's text changes with time alone (a
    cancelled course leaving it); last_modified, the date it was served with once known;
    owner_version and sealed, for a person's feed, the version of its owner's scope and every
    version it was built under, checked in one read (versions.Seal).
    """

    feed: Feed
    depends_on: tuple[versions.Scope, ...] = ()
    until: datetime | None = None
    last_modified: datetime | None = None
    owner_version: versions.Version | None = None
    sealed: versions.Seal | None = None


def _feed_bytes(kept: KeptFeed) -> int:
    return len(kept.feed.kept_text)


def kept_feeds(key: str) -> FingerprintCache:
    """Where the feed called key is kept: course feeds apart, as one can hold a thousand sessions.

    Each worker keeps at most KEPT_FEED_BYTES of feed text per kind, as kept (a thousand-session
    feed is 17 kB of it, compressed), and at most 64 course feeds and 128 others.
    """
    limit = current_app.config["KEPT_FEED_BYTES"]
    if key.startswith("course:"):
        return app_cache("calendar.course_feeds", size=64, max_bytes=limit, weigh=_feed_bytes)
    return app_cache("calendar.feeds", size=128, max_bytes=limit, weigh=_feed_bytes)


def kept_or_built(key: str, fingerprint: Hashable, build: Callable[[], Feed]) -> Feed:
    """The feed kept under key if built from data with this fingerprint, else build() kept there."""
    kept = kept_feeds(key).get(key, fingerprint)
    if kept is None:
        kept = KeptFeed(build())
        kept_feeds(key).put(key, fingerprint, kept)
    return kept.feed


def feed_host() -> str:
    return urlsplit(current_app.config["BASE_URL"]).hostname or "localhost"


def course_url(slug: str) -> str:
    """The absolute URL of a course's page, for the link back from its events."""
    return external_url("courses.course_page", slug=slug)


@dataclass(frozen=True)
class Teacher:
    name: str
    organisation: str


@dataclass(frozen=True)
class SessionRow:
    """The columns of a session its event is made of, read without building ORM objects."""

    id: int
    course_id: int
    title: str
    kind: SessionKind
    starts_at: datetime
    ends_at: datetime
    room: str
    description: str
    cancelled: bool
    sequence: int
    updated_at: datetime
    instructors: tuple[Teacher, ...]


@dataclass(frozen=True)
class CourseFacts:
    """What every event of one course repeats, worked out once per course and feed."""

    host: str
    label: str  # the course's short label, before the session's title in a feed that mixes courses
    url: str
    country: str
    course_line: str
    instructors_line: str  # a %(names)s template


def _facts(course: Course, known: dict[int, CourseFacts] | None = None) -> CourseFacts:
    if known is not None and course.id in known:
        return known[course.id]
    facts = CourseFacts(
        host=feed_host(), label=short_label(course.shown_title), url=course_url(course.slug),
        country=country_name(course.host_country),
        course_line=_("Course: %(title)s", title=course.shown_title),
        instructors_line=_("Instructors: %(names)s"),
    )
    if known is not None:
        known[course.id] = facts
    return facts


def place(*parts: str) -> str:
    return ", ".join(part.strip() for part in parts if part and part.strip())


def shown_courses(now: datetime) -> sa.ColumnElement[bool]:
    """Courses any feed may show: never drafts; cancelled ones only while still worth telling."""
    return sa.or_(
        Course.status.in_((CourseStatus.PUBLISHED, CourseStatus.COMPLETED)),
        sa.and_(
            Course.status == CourseStatus.CANCELLED,
            sa.or_(Course.updated_at >= now - CANCELLED_KEPT_FOR, Course.ends_on >= now.date()),
        ),
    )


def cancelled_course_leaves(course: Course) -> datetime:
    """The instant a cancelled course leaves the feeds with time alone (see shown_courses)."""
    day_after = datetime.combine(course.ends_on + timedelta(days=1), time(), tzinfo=UTC)
    return max(course.updated_at + CANCELLED_KEPT_FOR, day_after)


def course_event(course: Course) -> FeedEvent:
    """A course as one all-day event over its dates (DTEND is the day after it ends)."""
    facts = _facts(course)
    return FeedEvent(
        uid=f"course-{course.id}@{facts.host}",
        summary=course.shown_title,
        start=course.starts_on,
        end=course.ends_on + timedelta(days=1),
        stamp=course.updated_at,
        sequence=course.sequence,
        cancelled=course.status is CourseStatus.CANCELLED,
        location=place(course.venue, course.city, facts.country),
        description=course.shown_description,
        url=facts.url,
    )


def short_label(title: str, width: int = SHORT_LABEL_WIDTH) -> str:
    """title cut at a word to fit width columns (a CJK character takes two), with an ellipsis."""
    words = title.split()
    used, kept = 0, []
    for word in words:
        cost = sum(2 if east_asian_width(ch) in "WF" else 1 for ch in word) + (1 if kept else 0)
        if used + cost > width:
            break
        kept.append(word)
        used += cost
    if len(kept) == len(words):
        return " ".join(words)
    if not kept:  # one long word, or a title in a script without spaces: cut by columns
        cut, used = [], 0
        for ch in words[0]:
            used += 2 if east_asian_width(ch) in "WF" else 1
            if used > width - 1:
                break
            cut.append(ch)
        return "".join(cut) + "…"
    return " ".join(kept).rstrip(",;:-–") + "…"


def session_event(
    row: CourseSession | SessionRow, course: Course, known: dict[int, CourseFacts] | None = None,
    *, labelled: bool = False,
) -> FeedEvent:
    """A session as a timed event written in its course's timezone.

    Titled by the session alone in its course's own feed (the calendar's name says which
    course it is), and after the course's short label where courses mix (labelled). The
    course's own SEQUENCE is added to the session's: a change to the course (its venue,
    its cancellation) changes every one of its sessions' events too.
    """
    facts = _facts(course, known)
    lines = [row.description.strip()] if row.description.strip() else []
    if row.instructors:
        names = ", ".join(
            f"{i.name} ({i.organisation})" if i.organisation else i.name for i in row.instructors
        )
        lines.append(facts.instructors_line % {"names": names})
    lines.append(facts.course_line)
    lines.append(facts.url)
    return FeedEvent(
        uid=f"session-{row.id}@{facts.host}",
        summary=f"{facts.label}: {row.title}" if labelled else row.title,
        start=row.starts_at,
        end=row.ends_at,
        stamp=max(row.updated_at, course.updated_at),
        sequence=row.sequence + course.sequence,
        cancelled=row.cancelled or course.status is CourseStatus.CANCELLED,
        tzid=course.timezone,
        location=place(row.room, course.venue, course.city, facts.country),
        description="\n".join(lines),
        url=facts.url,
        categories=(row.kind.value,),
    )


def newest(*stamps: datetime) -> datetime:
    return max((s for s in stamps if s is not None), default=EPOCH)
