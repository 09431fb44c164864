"""What each feed was last served with, so that Last-Modified never goes back."""
from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from training.calendar.models import FeedState
from training.calendar.services.events import Feed, kept_feeds


def served_state(session: Session, feed: Feed) -> tuple[datetime, bool]:
    """The Last-Modified to send with feed, and whether it must be recorded first.

    An unchanged feed keeps the date it was first served with; a changed one gets
    its newest change, or one second after the previous date if that is later.
    """
    # Only the very feed built from unchanged rows may skip the stored state: one built
    # anew may have reverted to older text, and its date must never go back.
    built = kept_feeds(feed.key).latest(feed.key)
    if built is not None and built.feed is feed and built.last_modified is not None:
        return built.last_modified, False
    state = session.get(FeedState, feed.key)
    if state is None:
        return feed.data_modified, True
    if state.etag == feed.etag:
        if built is not None and built.feed is feed:
            built.last_modified = state.last_modified
        return state.last_modified, False
    return max(feed.data_modified, state.last_modified + timedelta(seconds=1)), True


def record_served(session: Session, feed: Feed, last_modified: datetime) -> None:
    """Remember feed's ETag and Last-Modified; concurrent writers never move the date back."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    table = FeedState.__table__
    statement = insert(table).values(key=feed.key, etag=feed.etag, last_modified=last_modified)
    statement = statement.on_conflict_do_update(
        index_elements=[table.c.key],
        set_={
            "etag": statement.excluded.etag,
            "last_modified": sa.case(
                (table.c.last_modified > statement.excluded.last_modified, table.c.last_modified),
                else_=statement.excluded.last_modified,
            ),
        },
    )
    session.execute(statement)
    session.flush()
