"""Our meeting feed and invitations read the same in every reader: each occurrence at one UTC instant
in zoneinfo, python-dateutil, recurring-ical-events, vobject, ical.js and libical, moved and cancelled
ones too."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from icalendar import Calendar

from tests.meetings.conftest import spec
from tests.meetings.parsers import EXPANDERS, with_icaljs, with_libical
from tests.symposia.test_calendar import libical_check
from training.accounts.tokens import replace_feed_token
from training.meetings import services
from training.outbox.models import OutboxMessage
from training.outbox.services import deliver_pending

BEFORE_ALL = datetime(2026, 12, 1, tzinfo=UTC)
ARTIFACT = Path(__file__).resolve().parents[2] / "test-artifacts" / "meetings-instants.txt"

# Each series: its zone, the meeting moved (to a new local start), the meeting cancelled.
SERIES = {
    "Washington": (
        "America/New_York",
        ("2027-03-17T10:00:00", datetime(2027, 3, 18, 14)),
        "2027-11-17T10:00:00",
    ),
    "Beijing": ("Asia/Shanghai", ("2027-05-19T10:00:00", datetime(2027, 5, 20, 15)), "2027-08-18T10:00:00"),
}


def _series_with_changes(session, people, city):
    zone, (moved, to), cancelled = SERIES[city]
    series = services.create_series(
        session, spec(timezone=zone, title=f"Working-level meeting ({city})"), actor=people.coordinator
    )
    services.move_meeting(session, series, moved, starts_at=to, actor=people.coordinator, now=BEFORE_ALL)
    services.cancel_meeting(session, series, cancelled, actor=people.coordinator, now=BEFORE_ALL)
    session.commit()
    return services.reload(session, series)


def _iso(value):
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def _table(city, series, results):
    names = ["zoneinfo", *results]
    lines = [
        f"{city} ({series.timezone}), 10:00 on the third Wednesday, {len(results)} readers of our feed",
        " | ".join(["meeting (local, as planned)", "status", *names]),
    ]
    for meeting in services.meetings_of(series):
        expected = None if meeting.cancelled else _iso(meeting.starts_at)
        cells = [
            meeting.recurrence_id.strftime("%Y-%m-%d %H:%M"),
            meeting.status.value,
            (expected or "—")[:16].replace("T", " "),
        ]
        for starts in results.values():
            cells.append(
                (expected[:16].replace("T", " ") if expected in starts else "MISSING")
                if expected
                else ("—" if _iso(meeting.original_start) not in starts else "STILL THERE")
            )
        lines.append(" | ".join(cells))
    return "\n".join(lines)


@pytest.mark.parametrize("city", SERIES)
def test_every_reader_puts_every_meeting_at_the_same_instant(session, client, people, city):
    series = _series_with_changes(session, people, city)
    text = client.get(f"/calendar/meetings/{series.slug}.ics").get_data(as_text=True)
    assert "RRULE:FREQ=MONTHLY;COUNT=12;BYDAY=3WE" in text
    assert text.count("BEGIN:VEVENT") == 2  # the series and its one moved meeting
    series = services.reload(session, series)
    expected = sorted(_iso(m.starts_at) for m in services.meetings_of(series) if not m.cancelled)
    assert len(expected) == 11

    results = {name: expand(text) for name, expand in EXPANDERS.items()}

    table = _table(city, series, results)
    print("\n" + table)
    ARTIFACT.parent.mkdir(exist_ok=True)
    with ARTIFACT.open("a" if city == "Beijing" else "w", encoding="utf-8") as out:
        out.write(table + "\n\n")
    for name, starts in results.items():
        assert starts == expected, name
    assert "MISSING" not in table and "STILL THERE" not in table


def test_washington_meetings_keep_ten_oclock_while_utc_changes_at_both_switches(session, client, people):
    series = _series_with_changes(session, people, "Washington")
    text = client.get(f"/calendar/meetings/{series.slug}.ics").get_data(as_text=True)
    starts = with_icaljs(text)
    assert "2027-02-17T15:00:00.000Z" in starts  # EST
    assert "2027-04-21T14:00:00.000Z" in starts  # EDT
    assert "2027-12-15T15:00:00.000Z" in starts  # EST again
    assert "2027-03-18T18:00:00.000Z" in starts and "2027-03-17T14:00:00.000Z" not in starts  # moved
    assert "2027-11-17T15:00:00.000Z" not in starts  # cancelled


def _mails(session, method=None):
    query = session.query(OutboxMessage).filter(OutboxMessage.calendar_body.is_not(None))
    return [m for m in query.order_by(OutboxMessage.id) if method is None or m.calendar_method == method]


def test_invitations_pass_libicals_itip_checks(session, people):
    series = _series_with_changes(session, people, "Washington")
    # The series sent again after a change carries its EXDATE and its moved meeting's override.
    services.update_series(
        session,
        series,
        title="Working-level meeting on cybercrime cases",
        location="FBI Headquarters",
        actor=people.coordinator,
    )
    services.cancel_series(session, series, actor=people.coordinator)
    session.commit()
    messages = _mails(session)
    assert [m.calendar_method for m in messages] == ["REQUEST"] * 4 + ["CANCEL"] * 2 + ["REQUEST"] * 2 + [
        "CANCEL"
    ] * 2
    updated = messages[6].calendar_body
    assert "EXDATE;TZID=America/New_York:20271117T100000" in updated
    assert "RECURRENCE-ID;TZID=America/New_York:20270317T100000" in updated
    assert libical_check([m.calendar_body for m in messages]) == [{"ok": True, "errors": []}] * 10


def test_a_single_cancellation_applied_to_the_series_removes_that_date_only(session, people):
    series = services.create_series(session, spec(), actor=people.coordinator)
    session.commit()
    [request] = _mails(session)[:1]
    services.cancel_meeting(
        session,
        services.reload(session, series),
        "2027-06-16T10:00:00",
        actor=people.coordinator,
        now=BEFORE_ALL,
    )
    session.commit()
    cancel = _mails(session, "CANCEL")[0]
    calendar = Calendar.from_ical(request.calendar_body)
    for event in Calendar.from_ical(cancel.calendar_body).walk("VEVENT"):
        calendar.add_component(event)  # what a client does with the CANCEL: an override of that date
    text = calendar.to_ical().decode()
    for expand in EXPANDERS.values():
        starts = expand(text)
        assert len(starts) == 11
        assert "2027-06-16T14:00:00.000Z" not in starts
        assert "2027-05-19T14:00:00.000Z" in starts and "2027-07-21T14:00:00.000Z" in starts
    assert with_libical(text) == with_icaljs(text)


def test_moved_and_cancelled_mails_as_delivered(session, people, mailbox, artifacts_dir):
    _series_with_changes(session, people, "Washington")
    assert deliver_pending(session).sent == 6
    delivered = mailbox.to("agent.smith@fbi.example")
    moved, cancelled = delivered[1], delivered[2]
    assert moved["Subject"].startswith("Moved: ")
    subject = " ".join(cancelled["Subject"].split())
    assert subject.startswith("Cancelled: Working-level meeting (Washington) on Wed, Nov 17, 2027")
    assert subject.endswith("Eastern Standard Time only")
    parts = {p.get_content_type(): p for p in cancelled.walk()}
    ics = parts["text/calendar"].get_content()
    assert parts["text/calendar"].get_param("method") == "CANCEL"
    assert "METHOD:CANCEL" in ics and "RECURRENCE-ID;TZID=America/New_York:20271117T100000" in ics
    moved_ics = {p.get_content_type(): p for p in moved.walk()}["text/calendar"].get_content()
    assert (
        "METHOD:REQUEST" in moved_ics and "RECURRENCE-ID;TZID=America/New_York:20270317T100000" in moved_ics
    )
    assert "SEQUENCE:1" in moved_ics and "SEQUENCE:2" in ics
    (artifacts_dir / "meetings-moved.eml").write_bytes(moved.as_bytes())
    (artifacts_dir / "meetings-cancelled.eml").write_bytes(cancelled.as_bytes())


def test_a_participants_personal_feed_holds_their_series_as_one_recurring_event(
    session, client, people, make_user, count_queries
):
    una = people.us_focal
    mine = [services.ParticipantSpec(una.email, una.name)]
    series = services.create_series(session, spec(participants=mine), actor=people.coordinator)
    token = replace_feed_token(session, una)
    session.commit()
    path = f"/calendar/feeds/{token}.ics"
    client.get(path)
    with count_queries() as one:
        text = client.get(path).get_data(as_text=True)
    assert f"UID:meeting-{series.id}@" in text and "RRULE:FREQ=MONTHLY;COUNT=12;BYDAY=3WE" in text
    for n in range(3):
        services.create_series(
            session,
            spec(title=f"Series {n}", participants=[services.ParticipantSpec(una.email, una.name)]),
            actor=people.coordinator,
        )
    session.commit()
    client.get(path)
    with count_queries() as four:
        text = client.get(path).get_data(as_text=True)
    assert text.count("RRULE:") == 4
    assert one.count == four.count


def test_the_feed_takes_the_same_queries_for_few_and_many_meetings(session, client, people, count_queries):
    counts = []
    for weeks in (3, 260):
        series = services.create_series(
            session,
            spec(
                title=f"Weekly {weeks}",
                rrule=f"FREQ=WEEKLY;COUNT={weeks}",
                starts_at=datetime(2027, 1, 6, 9),
                participants=(),
            ),
            actor=people.coordinator,
        )
        for meeting in services.meetings_of(series)[:3]:
            services.place_meeting(
                session, series, meeting.key, location="Embassy", actor=people.coordinator, now=BEFORE_ALL
            )
        session.commit()
        client.get(f"/calendar/meetings/{series.slug}.ics")
        with count_queries() as counter:
            body = client.get(f"/calendar/meetings/{series.slug}.ics").get_data(as_text=True)
        assert body.count("RECURRENCE-ID") == 3
        counts.append(counter.count)
    assert counts[0] == counts[1]
