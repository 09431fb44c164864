"""One person's own feed: their courses' sessions, what they teach, the symposia they attend, and
their meeting series."""
from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa
from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy.orm import Session, selectinload

from training.accounts.models import FeedToken, User
from training.accounts.tokens import feed_token, known_feed_owner, replace_feed_token
from training.calendar.services.courses import session_rows
from training.calendar.services.events import (
    CANCELLED_KEPT_FOR,
    CourseFacts,
    Feed,
    KeptFeed,
    SessionRow,
    cancelled_course_leaves,
    finish_feed,
    kept_feeds,
    newest,
    session_event,
    shown_courses,
)
from training.calendar.services.meetings import participating_series, series_events
from training.calendar.services.symposia import shown_symposia, symposium_events
from training.core import versions
from training.core.front import Standing
from training.core.ical import FeedCalendar, ordered_events
from training.core.urls import external_url
from training.courses.models import (
    Course,
    CourseSession,
    CourseStatus,
    Instructor,
    session_instructors,
)
from training.enrolment.models import SEAT_HOLDING_STATUSES, Enrolment
from training.meetings.models import Participant
from training.symposia.models import Answer, Invitation, Symposium, SymposiumStatus


def accepted_symposia(session: Session, user: User, now: datetime) -> Sequence[Symposium]:
    """Symposia whose invitation to user's email address user accepted (and not revoked)."""
    accepted = sa.select(Invitation.symposium_id).where(
        sa.func.lower(Invitation.email) == user.email.lower(),
        Invitation.answer == Answer.ACCEPTED,
        Invitation.revoked_at.is_(None),
    )
    return session.scalars(
        sa.select(Symposium)
        .where(Symposium.id.in_(accepted), shown_symposia(now))
        .options(selectinload(Symposium.sessions))
        .order_by(Symposium.starts_at, Symposium.id)
    ).all()


def personal_sessions(
    session: Session, user: User, now: datetime
) -> tuple[list[SessionRow], dict[int, Course]]:
    """The sessions in user's own calendar (their seat-holding courses' and those they teach),
    and the courses they belong to, by id."""
    seat_courses = sa.select(Enrolment.course_id).where(
        Enrolment.user_id == user.id, Enrolment.status.in_(SEAT_HOLDING_STATUSES)
    )
    taught = (
        sa.select(session_instructors.c.session_id)
        .join(Instructor, Instructor.id == session_instructors.c.instructor_id)
        .where(Instructor.user_id == user.id)
    )
    # One set of ids from two indexed lookups: an OR of the two conditions would make the
    # database scan every session of every course, and the feed slow down as history grows.
    mine = sa.union(
        sa.select(CourseSession.id).where(CourseSession.course_id.in_(seat_courses)),
        taught,
    ).subquery()
    # The person's courses are a handful: fetched first as ids, they are then read by primary
    # key. Left inside one query, a planner that expects an instructor's thousands of
    # sessions would scan every course instead.
    course_ids = session.scalars(
        sa.union(seat_courses, sa.select(CourseSession.course_id).where(CourseSession.id.in_(taught)))
    ).all()
    courses = {
        course.id: course for course in session.scalars(
            sa.select(Course).where(Course.id.in_(course_ids), shown_courses(now))
        )
    } if course_ids else {}
    rows = session_rows(
        session, sa.and_(CourseSession.id.in_(sa.select(mine)), CourseSession.course_id.in_(courses))
    ) if courses else []
    return rows, courses


def kept_personal_feed(session: Session, token: str, now: datetime) -> tuple[Feed, Standing | None] | None:
    """The feed this worker keeps for the owner of token, in one primary-key read, and what it
    stands on (for front.offer); or None.

    The token's owner is the one this worker found before (accounts.tokens.known_feed_owner);
    it still holds while the owner's `owner` version is the one read with the token, because
    replacing or erasing the token and closing the account raise it. Any change, to the token or
    to what the feed shows, answers None: the caller then looks the token up and builds.
    """
    known = known_feed_owner(token)
    if known is None:
        return None
    user_id, token_version = known
    key = f"user:{user_id}"
    cache = kept_feeds(key)
    kept = cache.latest(key)
    if kept is None or kept.owner_version != token_version:
        return None
    if not _still_current(session, kept, now):
        return None
    return kept.feed, versions.standing(session, kept.sealed, kept.until)


def _still_current(session: Session, kept: KeptFeed, now: datetime) -> bool:
    """Whether kept was built under the versions committed now (one read), and time has not
    changed it."""
    return (kept.sealed is not None and versions.unchanged(session, kept.sealed)
            and (kept.until is None or now < kept.until))


def personal_feed(session: Session, user: User, now: datetime) -> Feed:
    """/calendar/feeds/<token>.ics: one person's own calendar, in their language.

    Kept under the versions of the person's own scope (which courses, teaching, symposia and
    series their feed holds) and of each of those; unchanged, it costs one primary-key read.
    The versions are read before the rows the feed is built from, so that a change committed
    in between is seen as a change at the next request rather than hidden under new versions.
    """
    key = f"user:{user.id}"
    cache = kept_feeds(key)
    owner = (versions.OWNER, user.id)
    kept = cache.latest(key)
    if kept is not None and _still_current(session, kept, now):
        return kept.feed
    owner_version = versions.version(session, *owner)
    depends_on = _feed_scopes(session, user)
    fingerprint = (owner_version, *versions.versions(session, depends_on))
    kept = _build_personal_feed(session, user, now, depends_on)
    kept.owner_version = owner_version
    kept.sealed = versions.seal([owner, *depends_on], fingerprint)
    cache.put(key, fingerprint, kept)
    return kept.feed


def _feed_scopes(session: Session, user: User) -> tuple[versions.Scope, ...]:
    """Every course, symposium and series user's feed may show, whatever their state now: a draft
    published later, or an invitation accepted, appears through the version of its scope."""
    seat_courses = sa.select(Enrolment.course_id).where(Enrolment.user_id == user.id)
    taught = (
        sa.select(CourseSession.course_id)
        .join(session_instructors, session_instructors.c.session_id == CourseSession.id)
        .join(Instructor, Instructor.id == session_instructors.c.instructor_id)
        .where(Instructor.user_id == user.id)
    )
    invited = sa.select(Invitation.symposium_id).where(sa.func.lower(Invitation.email) == user.email.lower())
    series = sa.select(Participant.series_id).where(
        sa.or_(Participant.user_id == user.id, Participant.email == user.email.lower()))
    rows = session.execute(sa.union(
        sa.select(sa.literal(versions.COURSE), seat_courses.subquery().c[0]),
        sa.select(sa.literal(versions.COURSE), taught.subquery().c[0]),
        sa.select(sa.literal(versions.SYMPOSIUM), invited.subquery().c[0]),
        sa.select(sa.literal(versions.SERIES), series.subquery().c[0]),
    )).all()
    return tuple(sorted((scope, key) for scope, key in rows))


def _build_personal_feed(
    session: Session, user: User, now: datetime, depends_on: tuple[versions.Scope, ...]
) -> KeptFeed:
    rows, courses = personal_sessions(session, user, now)
    symposia = accepted_symposia(session, user, now)
    series = participating_series(session, user)
    known: dict[int, CourseFacts] = {}
    with force_locale(user.locale or current_app.config["BABEL_DEFAULT_LOCALE"]):
        events = [session_event(r, courses[r.course_id], known, labelled=True) for r in rows]
        for symposium in symposia:
            events.extend(symposium_events(symposium))
        for one in series:
            events.extend(series_events(one))
        calendar = FeedCalendar(
            name=_("Training: %(name)s", name=user.name),
            description=_("Sessions of your courses, the sessions you teach, symposia you attend, and "
                          "your meetings."),
            events=ordered_events(events),
        )
    stamps = [r.updated_at for r in rows] + [courses[r.course_id].updated_at for r in rows]
    stamps += [s.updated_at for s in symposia]
    stamps += [s.updated_at for s in series] + [row.updated_at for s in series for row in s.occurrences]
    feed = finish_feed(f"user:{user.id}", calendar, newest(*stamps))
    # Cancelled courses and symposia leave feeds with time alone (see shown_courses).
    leaving = [cancelled_course_leaves(c) for c in courses.values() if c.status is CourseStatus.CANCELLED]
    leaving += [max(s.updated_at + CANCELLED_KEPT_FOR, s.ends_at)
                for s in symposia if s.status is SymposiumStatus.CANCELLED]
    return KeptFeed(feed, depends_on=depends_on, until=min(leaving, default=None))


def personal_feed_url(session: Session, user: User, *, create: bool = False) -> str | None:
    """The absolute address of user's personal feed: None until they have one, unless create."""
    token = feed_token(session, user)
    if token is None and create:
        token = replace_feed_token(session, user)
    return external_url("calendar.personal_feed", token=token) if token else None


def export_personal_feed(person: User, *, session: Session, **_: object) -> dict[str, object]:
    """person_export_wanted: whether the person has a personal feed address, and since when; never
    the address, which opens their calendar to whoever holds it."""
    token = session.scalar(sa.select(FeedToken).where(FeedToken.user_id == person.id))
    return {"calendar": {"personal_feed": token is not None,
                         "personal_feed_created_at": token.created_at.isoformat() if token else None}}
