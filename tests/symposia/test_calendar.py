"""The calendar invitations as a calendar client gets them: valid iTIP (libical), delivered as iMIP."""

from __future__ import annotations

import json
import subprocess
import textwrap
from pathlib import Path

import pytest
import sqlalchemy as sa
from icalendar import Calendar

from tests.symposia.conftest import fields
from training.outbox.models import OutboxMessage
from training.outbox.services import deliver_pending
from training.symposia import services

DEBIAN_PYTHON = "/usr/bin/python3"
# Runs under Debian's own Python, which has libical's GObject bindings (gir1.2-ical-3.0).
LIBICAL_CHECK = textwrap.dedent("""
    import json, sys
    import gi
    gi.require_version("ICalGLib", "3.0")
    from gi.repository import ICalGLib
    results = []
    for text in json.load(sys.stdin):
        component = ICalGLib.Component.new_from_string(text)
        ok = bool(component.check_restrictions())
        errors = [line for line in component.as_ical_string().splitlines() if line.startswith("X-LIC-ERROR")]
        results.append({"ok": ok and component.count_errors() == 0, "errors": errors})
    print(json.dumps(results))
""")


def libical_check(calendars: list[str]) -> list[dict]:
    """libical's RFC 5546 restriction check of each calendar, run by Debian's python3."""
    if not Path(DEBIAN_PYTHON).exists():
        pytest.fail("/usr/bin/python3 is missing: `make system-packages` installs python3-gi")
    done = subprocess.run([DEBIAN_PYTHON, "-c", LIBICAL_CHECK], input=json.dumps(calendars),
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, f"libical unavailable (make system-packages): {done.stderr}"
    return json.loads(done.stdout)


def _calendars(session):
    return session.scalars(sa.select(OutboxMessage).where(OutboxMessage.calendar_body.is_not(None))
                           .order_by(OutboxMessage.id)).all()


def test_libical_finds_the_invitation_update_and_cancellation_valid_itip(
        session, make_symposium, invite, coordinator):
    # New York, so that the VTIMEZONE carries both daylight-saving rules.
    symposium = make_symposium(timezone="America/New_York", city="New York")
    invite(symposium, "policy@google.example")
    accepted, _ = invite(symposium, "policy@facebook.example", organisation="Facebook")
    services.answer_invitation(session, accepted, answer="accepted", delegates=["David Chen"])
    services.update_symposium(session, symposium, fields(timezone="America/New_York", city="Washington"),
                              actor=coordinator)
    services.revoke_invitation(session, symposium, accepted, actor=coordinator)
    services.cancel_symposium(session, symposium, actor=coordinator)
    session.commit()
    messages = _calendars(session)
    assert [m.calendar_method for m in messages] == ["REQUEST"] * 4 + ["CANCEL"] * 2
    assert libical_check([m.calendar_body for m in messages]) == [{"ok": True, "errors": []}] * 6


def test_libical_rejects_a_request_without_organizer_so_the_check_is_real(session, symposium, invite):
    invite(symposium)
    [message] = _calendars(session)
    lines = message.calendar_body.splitlines()
    broken = "\r\n".join(line for line in lines if not line.startswith("ORGANIZER"))
    [result] = libical_check([broken])
    assert result["ok"] is False and "INVALID-ITIP" in result["errors"][0]


def test_every_tzid_has_its_vtimezone_and_the_event_is_in_local_time(session, symposium, invite):
    invite(symposium)
    [message] = _calendars(session)
    calendar = Calendar.from_ical(message.calendar_body)
    assert calendar.get_missing_tzids() == set()
    assert [tz.tz_name for tz in calendar.timezones] == ["Asia/Shanghai"]
    [event] = calendar.events
    assert event.start.tzinfo is not None and event.start.hour == 9
    assert str(event["UID"]) == f"symposium-{symposium.id}@training.test"
    assert "DTSTART;TZID=Asia/Shanghai:" in message.calendar_body


def test_the_invitation_arrives_as_imip_with_the_calendar_buttons_part(
        session, symposium, invite, mailbox, artifacts_dir):
    invitation, token = invite(symposium, "policy@google.example", name="Sarah Mitchell")
    assert deliver_pending(session).sent == 1
    [message] = mailbox.to("policy@google.example")
    raw = message.as_string()
    (artifacts_dir / "invitation-email.eml").write_text(raw)
    print("\n----- invitation as delivered to the test SMTP server -----")
    print(raw)
    print("----- its calendar part, decoded -----")
    calendar_part = next(p for p in message.walk() if p.get_content_type() == "text/calendar")
    ics = calendar_part.get_content()
    print(ics)

    assert message.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in message.iter_parts()] == ["text/plain", "text/calendar"]
    assert "Content-Type: text/calendar; method=REQUEST; charset=UTF-8" in raw.splitlines()
    assert message["Subject"] == "Invitation: Cyber Counter-Terrorism Symposium"
    assert message["Reply-To"] == "organiser@mps.example"
    body = message.get_body(("plain",)).get_content()
    assert f"http://training.test/rsvp/{token}" in body
    unfolded = ics.replace("\r\n ", "")
    assert "METHOD:REQUEST" in unfolded
    assert 'ORGANIZER;CN="Chen Jing":mailto:organiser@mps.example' in unfolded
    assert "RSVP=TRUE" in unfolded and "PARTSTAT=NEEDS-ACTION" in unfolded
    assert unfolded.count("ATTENDEE") == 1 and ":mailto:policy@google.example" in unfolded
    assert token not in ics  # the secret link stays out of calendars, which get shared and synced
