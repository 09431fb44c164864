"""The symposium feeds: a symposium and its programme."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy.orm import Session, selectinload

from training.calendar.services.events import (
    CANCELLED_KEPT_FOR,
    Feed,
    feed_host,
    finish_feed,
    kept_or_built,
    newest,
    place,
)
from training.core import versions
from training.core.errors import NotFound
from training.core.ical import FeedCalendar, FeedEvent, ordered_events
from training.core.urls import external_url
from training.symposia.calendar import symposium_uid
from training.symposia.models import ProgrammeSession, Symposium, SymposiumStatus


def _symposium_url(symposium: Symposium) -> str:
    return external_url("calendar.symposium_feed", slug=symposium.slug)


def symposium_event(symposium: Symposium) -> FeedEvent:
    """A symposium as one timed event over its whole span (same UID as its invitations)."""
    return FeedEvent(
        uid=symposium_uid(symposium),
        summary=symposium.shown_title,
        start=symposium.starts_at,
        end=symposium.ends_at,
        stamp=symposium.updated_at,
        sequence=symposium.sequence,
        cancelled=symposium.status is SymposiumStatus.CANCELLED,
        tzid=symposium.timezone,
        location=place(symposium.venue, symposium.city),
        description=symposium.shown_description,
    )


def programme_event(item: ProgrammeSession, symposium: Symposium) -> FeedEvent:
    """One session of a symposium's programme; cancelled with its symposium."""
    lines = [_("Speakers: %(names)s", names=item.speakers)] if item.speakers else []
    lines.append(_("Symposium: %(title)s", title=symposium.shown_title))
    return FeedEvent(
        uid=f"programme-{item.id}@{feed_host()}",
        summary=f"{symposium.shown_title}: {item.title}",
        start=item.starts_at,
        end=item.ends_at,
        stamp=symposium.updated_at,
        sequence=symposium.sequence,
        cancelled=symposium.status is SymposiumStatus.CANCELLED,
        tzid=symposium.timezone,
        location=place(item.room, symposium.venue, symposium.city),
        description="\n".join(lines),
    )


def symposium_events(symposium: Symposium) -> list[FeedEvent]:
    return [symposium_event(symposium), *(programme_event(i, symposium) for i in symposium.sessions)]


def shown_symposia(now: datetime) -> sa.ColumnElement[bool]:
    """Symposia a feed may show: never drafts; cancelled ones while still worth telling."""
    return sa.or_(
        Symposium.status == SymposiumStatus.PUBLISHED,
        sa.and_(
            Symposium.status == SymposiumStatus.CANCELLED,
            sa.or_(Symposium.updated_at >= now - CANCELLED_KEPT_FOR, Symposium.ends_at >= now),
        ),
    )


def symposium_feed(session: Session, slug: str, now: datetime) -> Feed:
    """/calendar/symposia/<slug>.ics: the symposium and its programme. Drafts are not found.

    Unchanged since this process last built it (same data version), the feed costs one query.
    """
    if len(slug) > 120 or "\x00" in slug:
        raise NotFound(_("There is no such symposium."))
    # On the session's connection: the ORM's execution would only add its own cost to every poll.
    row = session.connection().execute(
        sa.select(Symposium.id, versions.version_of(versions.SYMPOSIUM, Symposium.id))
        .where(Symposium.slug == slug, shown_symposia(now))
    ).first()
    if row is None:
        raise NotFound(_("There is no such symposium."))
    key = f"symposium:{row[0]}"
    fingerprint = versions.settled(session, versions.SYMPOSIUM, row[0], row[1])
    return kept_or_built(key, fingerprint, lambda: _build_symposium_feed(session, row[0]))


def _build_symposium_feed(session: Session, symposium_id: int) -> Feed:
    symposium = session.scalars(
        sa.select(Symposium).where(Symposium.id == symposium_id).options(selectinload(Symposium.sessions))
    ).one()
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        calendar = FeedCalendar(
            name=symposium.shown_title,
            description=_("%(title)s and its programme.", title=symposium.shown_title),
            timezone=symposium.timezone,
            events=ordered_events(symposium_events(symposium)),
            source=_symposium_url(symposium),
        )
    return finish_feed(f"symposium:{symposium.id}", calendar, newest(symposium.updated_at))
