"""Replies from calendar clients: `flask rsvp import-replies` applies the sender's own answer only."""

from __future__ import annotations

import base64
import mailbox
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime as mail_date

import sqlalchemy as sa
import vobject

from tests.symposia.conftest import fields
from training.audit.models import AuditEntry
from training.core.database import utcnow
from training.symposia import services
from training.symposia.calendar import symposium_uid
from training.symposia.models import Answer, AnswerChannel, Invitation


def vobject_reply(uid: str, attendee: str, partstat: str, sequence: int = 0,
                  stamp: datetime | None = None) -> str:
    """A REPLY written by another library (vobject), with ORGANIZER, as Thunderbird-like clients send."""
    calendar = vobject.iCalendar()
    calendar.add("method").value = "REPLY"
    calendar.add("prodid").value = "-//Another Client//vobject//EN"
    event = calendar.add("vevent")
    event.add("uid").value = uid
    # vobject knows UTC only as its own (dateutil's) tzinfo.
    event.add("dtstamp").value = (stamp or datetime.now(UTC)).astimezone(vobject.icalendar.utc)
    event.add("sequence").value = str(sequence)
    event.add("dtstart").value = datetime(2030, 1, 10, 1, 0, tzinfo=vobject.icalendar.utc)
    event.add("summary").value = "Cyber Counter-Terrorism Symposium"
    organizer = event.add("organizer")
    organizer.value = "mailto:organiser@mps.example"
    person = event.add("attendee")
    person.value = f"mailto:{attendee}"
    person.params["PARTSTAT"] = [partstat]
    person.params["CN"] = ["Someone"]
    return calendar.serialize()


def outlook_reply(uid: str, attendee: str, partstat: str, sequence: int = 0) -> str:
    """A REPLY as outlook.com writes it: no ORGANIZER, upper-case MAILTO, CRLF lines."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    return "\r\n".join([
        "BEGIN:VCALENDAR", "METHOD:REPLY", "PRODID:Microsoft Exchange Server 2010", "VERSION:2.0",
        "BEGIN:VEVENT",
        f'ATTENDEE;PARTSTAT={partstat};CN="Laura Bennett":MAILTO:{attendee.upper()}',
        "SUMMARY;LANGUAGE=en-US:Accepted: Cyber Counter-Terrorism Symposium",
        "DTSTART:20300110T010000Z", "DTEND:20300111T090000Z",
        f"UID:{uid}", "CLASS:PUBLIC", "PRIORITY:5", f"DTSTAMP:{stamp}", "TRANSP:OPAQUE",
        "STATUS:CONFIRMED", f"SEQUENCE:{sequence}", "END:VEVENT", "END:VCALENDAR", "",
    ])


def mail(sender: str, ics: str | None, subject: str = "Accepted: Cyber Counter-Terrorism Symposium",
         encode: bool = False) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = "organiser@mps.example"
    message["Subject"] = subject
    message["Date"] = mail_date(datetime.now(UTC))
    message.set_content("This is my answer.")
    if ics is not None:
        if encode:  # base64 with a quoted charset, as Exchange sends it
            message.add_alternative(base64.b64encode(ics.encode()).decode(), subtype="calendar",
                                    cte="7bit")
            part = message.get_payload()[1]
            part.replace_header("Content-Type", 'text/calendar; charset="utf-8"; method=REPLY')
            part.replace_header("Content-Transfer-Encoding", "base64")
        else:
            message.add_alternative(ics, subtype="calendar", params={"method": "REPLY"})
    return message


def _import(app, path):
    result = app.test_cli_runner().invoke(args=["rsvp", "import-replies", str(path)])
    assert result.exit_code == 0, result.output
    return result.output


def _invitation(session, email):
    session.expire_all()
    return session.scalar(sa.select(Invitation).where(Invitation.email == email))


def test_a_reply_written_by_vobject_is_imported_from_an_eml_file(app, session, symposium, invite, tmp_path):
    invite(symposium, "policy@google.example")
    path = tmp_path / "reply.eml"
    ics = vobject_reply(symposium_uid(symposium), "policy@google.example", "ACCEPTED")
    path.write_bytes(bytes(mail("Sarah Mitchell <policy@google.example>", ics)))
    output = _import(app, path)
    assert "reply.eml: applied: Sarah Mitchell (Google) accepted" in output
    invitation = _invitation(session, "policy@google.example")
    assert invitation.answer is Answer.ACCEPTED and invitation.answered_via is AnswerChannel.CALENDAR
    delegates = services.dashboard(session, symposium).invitations[0].delegates
    assert [d.name for d in delegates] == ["Sarah Mitchell"]  # the invitee comes when nobody is named
    entry = session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "invitation.answered")).one()
    assert entry.via == "calendar"


def test_an_outlook_reply_without_organizer_counts(app, session, symposium, invite, tmp_path):
    invite(symposium, "crimes@microsoft.example", name="Laura Bennett", organisation="Microsoft")
    path = tmp_path / "outlook.eml"
    ics = outlook_reply(symposium_uid(symposium), "crimes@microsoft.example", "TENTATIVE")
    path.write_bytes(bytes(mail("Laura Bennett <Crimes@Microsoft.example>", ics, encode=True)))
    assert "applied" in _import(app, path)
    assert _invitation(session, "crimes@microsoft.example").answer is Answer.TENTATIVE


def test_a_mix_of_good_and_spoofed_replies_in_an_mbox_is_reported_message_by_message(
        app, session, make_symposium, invite, coordinator, tmp_path, artifacts_dir):
    symposium = make_symposium(capacity=2)
    uid = symposium_uid(symposium)
    invite(symposium, "policy@google.example", name="Sarah Mitchell")
    invite(symposium, "policy@facebook.example", name="David Chen", organisation="Facebook")
    invite(symposium, "crimes@microsoft.example", name="Laura Bennett", organisation="Microsoft")
    baidu, _ = invite(symposium, "security@baidu.example", name="Zhang Wei", organisation="Baidu")
    tencent, _ = invite(symposium, "security@tencent.example", name="Liu Yang", organisation="Tencent")
    services.answer_invitation(session, baidu, answer="accepted", delegates=["Zhang Wei"])
    session.commit()
    services.update_symposium(session, symposium, fields(capacity=2, city="Shanghai"), actor=coordinator)
    session.commit()  # SEQUENCE is now 1
    old_stamp = utcnow() - timedelta(days=1)

    box = mailbox.mbox(tmp_path / "replies.mbox")
    for message in [
        mail("policy@google.example", vobject_reply(uid, "policy@google.example", "ACCEPTED", 1)),
        mail("attacker@evil.example", vobject_reply(uid, "policy@facebook.example", "DECLINED", 1)),
        mail("policy@google.example", vobject_reply(uid, "policy@facebook.example", "DECLINED", 1)),
        mail("crimes@microsoft.example", outlook_reply(uid, "crimes@microsoft.example", "ACCEPTED", 0)),
        mail("policy@facebook.example", vobject_reply("event-17@elsewhere.example", "policy@facebook.example",
                                                      "ACCEPTED", 1)),
        mail("security@baidu.example",
             vobject_reply(uid, "security@baidu.example", "DECLINED", 1, old_stamp)),
        mail("security@tencent.example", outlook_reply(uid, "security@tencent.example", "ACCEPTED", 1)),
        mail("policy@facebook.example", vobject_reply(uid, "policy@facebook.example", "DELEGATED", 1)),
        mail("policy@facebook.example", None, subject="Out of office"),
        mail("crimes@microsoft.example", outlook_reply(uid, "crimes@microsoft.example", "DECLINED", 1)),
    ]:
        box.add(message)
    box.close()
    output = _import(app, tmp_path / "replies.mbox")
    (artifacts_dir / "import-replies-report.txt").write_text(output)
    print("\n----- flask rsvp import-replies replies.mbox -----\n" + output)

    lines = output.strip().splitlines()
    assert lines[0].startswith("replies.mbox#1: applied: Sarah Mitchell (Google) accepted")
    assert lines[1] == ("replies.mbox#2: refused: ATTENDEE (policy@facebook.example) is not the sender; "
                        "reply ignored as spoofed (from attacker@evil.example)")
    assert lines[2].startswith(
        "replies.mbox#3: refused: ATTENDEE (policy@facebook.example) is not the sender")
    assert lines[3].startswith("replies.mbox#4: ignored: stale reply: SEQUENCE 0 is older than the current 1")
    assert lines[4].startswith("replies.mbox#5: refused: unknown UID 'event-17@elsewhere.example'")
    assert lines[5].startswith("replies.mbox#6: ignored: written ")
    assert lines[6].startswith("replies.mbox#7: refused: The symposium is full: 0 of 2 places are left")
    assert lines[7].startswith("replies.mbox#8: refused: PARTSTAT DELEGATED is not an answer")
    assert lines[8].startswith("replies.mbox#9: ignored: no calendar REPLY in this message")
    assert lines[9].startswith("replies.mbox#10: applied: Laura Bennett (Microsoft) declined")
    assert lines[10] == "applied 2, unchanged 0, ignored 3, refused 5"

    answers = dict(session.execute(sa.select(Invitation.email, Invitation.answer)).all())
    assert answers == {
        "policy@google.example": Answer.ACCEPTED,
        "policy@facebook.example": None,  # the spoofed declines changed nothing
        "crimes@microsoft.example": Answer.DECLINED,
        "security@baidu.example": Answer.ACCEPTED,  # the older reply did not undo the newer answer
        "security@tencent.example": None,  # no place was left
    }


def test_replies_are_read_from_a_maildir_and_importing_twice_changes_nothing(
        app, session, symposium, invite, tmp_path):
    invite(symposium, "policy@google.example")
    box = mailbox.Maildir(tmp_path / "Maildir")
    box.add(mail("policy@google.example",
                 vobject_reply(symposium_uid(symposium), "policy@google.example", "DECLINED")))
    first = _import(app, tmp_path / "Maildir")
    assert "applied 1" in first
    second = _import(app, tmp_path / "Maildir")
    assert "unchanged: already declined" in second and "applied 0, unchanged 1" in second
    assert session.scalar(sa.select(sa.func.count()).select_from(AuditEntry)
                          .where(AuditEntry.action == "invitation.answered")) == 1


def test_a_broken_calendar_part_is_reported_not_a_crash(app, session, symposium, invite, tmp_path):
    invite(symposium, "policy@google.example")
    path = tmp_path / "broken.eml"
    path.write_bytes(bytes(mail("policy@google.example", "BEGIN:VCALENDAR\r\nMETHOD:REPLY\r\nBEGIN:VEVENT\r\n"
                                "SEQUENCE:soon\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")))
    output = _import(app, path)
    assert "broken.eml: refused:" in output and "applied 0" in output
    assert _invitation(session, "policy@google.example").answer is None
