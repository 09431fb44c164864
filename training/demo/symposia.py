"""Demo symposium: cyber counter-terrorism in Beijing, with companies and agencies invited, some answered."""

from __future__ import annotations

import secrets
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import Session

from training.accounts import services as accounts
from training.core.database import utcnow
from training.symposia import services
from training.symposia.models import Answer, AnswerChannel, Invitation, Symposium, SymposiumStatus

DEMO_SLUG = "cyber-counter-terrorism-symposium-beijing"
# The one RSVP link anyone may know, so the RSVP page can be tried out. It is set only in
# development and testing; elsewhere the demo invitation gets a random link like all others.
DEMO_RSVP_TOKEN = "demo-rsvp-google-cyber-symposium-0000000000"
DEMO_TOKEN_CONFIGS = frozenset({"development", "testing"})
ZONE = "Asia/Shanghai"

# (name, email, organisation, delegates allowed, answer, delegates, note, channel, days ago)
INVITEES = (
    ("Sarah Mitchell", "public-policy@google.example", "Google", 3, None, (), "", None, 0),
    ("David Chen", "global-affairs@facebook.example", "Facebook", 2, Answer.ACCEPTED,
     ("David Chen", "Priya Raman"), "One vegetarian meal, please.", AnswerChannel.LINK, 6),
    ("Laura Bennett", "digital-crimes@microsoft.example", "Microsoft", 3, Answer.ACCEPTED,
     ("Laura Bennett", "Tom Eriksen", "Hana Sato"), "Tom Eriksen uses a wheelchair.", AnswerChannel.LINK, 4),
    ("James Porter", "trust-safety@twitter.example", "Twitter", 2, Answer.DECLINED, (), "",
     AnswerChannel.CALENDAR, 5),
    ("Emily Ross", "security@apple.example", "Apple", 2, None, (), "", None, 0),
    ("Zhang Wei", "security@baidu.example", "Baidu", 2, Answer.TENTATIVE, ("Zhang Wei",),
     "Waiting for travel approval.", AnswerChannel.LINK, 3),
    ("Liu Yang", "security@tencent.example", "Tencent", 2, Answer.ACCEPTED, (), "",
     AnswerChannel.CALENDAR, 2),
    ("Chen Hui", "security@alibaba.example", "Alibaba Group", 2, Answer.DECLINED, (), "",
     AnswerChannel.LINK, 7),
    ("Michael Grant", "cyber-division@fbi.example", "Federal Bureau of Investigation", 3, Answer.ACCEPTED,
     ("Michael Grant", "Angela Ruiz"), "Halal meals for one delegate.", AnswerChannel.LINK, 8),
    ("Karen Holt", "cybersecurity@dhs.example", "Department of Homeland Security", 2, None, (), "", None, 0),
    ("Wang Jun", "cyber-bureau@mps.example", "Ministry of Public Security", 4, Answer.ACCEPTED,
     ("Wang Jun", "Zhao Min", "Sun Li", "Ma Tao"), "", AnswerChannel.LINK, 9),
    ("Huang Mei", "incident@cncert.example", "CNCERT/CC", 2, None, (), "", None, 0),
)

PROGRAMME = (
    (0, time(9, 0), time(9, 45), "Opening: China–US cooperation against cyber-enabled terrorism",
     "Plenary hall", "Ministry of Public Security; US Department of Justice"),
    (0, time(10, 0), time(12, 0), "Panel: terrorist use of online platforms", "Plenary hall",
     "Platform trust-and-safety leads"),
    (0, time(14, 0), time(17, 0), "Workshop: lawful requests for evidence across borders", "Room 3",
     "Prosecutors and platform legal teams"),
    (1, time(9, 0), time(12, 0), "Exercise: coordinated takedown of extremist content", "Room 3",
     "CNCERT/CC; FBI Cyber Division"),
    (1, time(14, 0), time(16, 30), "Closing: working-level contacts and next steps", "Plenary hall", ""),
)


def _at(day: date, clock: time) -> datetime:
    return datetime.combine(day, clock, tzinfo=ZoneInfo(ZONE))


def demo_token() -> str | None:
    """The documented demo RSVP token, where the environment allows a known one."""
    return DEMO_RSVP_TOKEN if current_app.config.get("NAME") in DEMO_TOKEN_CONFIGS else None


def load(session: Session, today: date) -> Symposium:
    """Create the demo symposium unless it exists. No mail is queued for it."""
    existing = session.scalar(sa.select(Symposium).where(Symposium.slug == DEMO_SLUG))
    if existing is not None:
        return existing
    coordinator = accounts.find_by_email(session, "coordinator@demo.training")
    first_day = today + timedelta(days=45)
    symposium = services.create_symposium(
        session,
        services.SymposiumFields(
            title="China–US Symposium on Cyber Counter-Terrorism",
            description=("Law-enforcement agencies and internet companies discuss how terrorists use "
                         "online platforms and how to cooperate against it, within the law of each side."),
            venue="Beijing International Convention Center",
            city="Beijing",
            timezone=ZONE,
            starts_at=_at(first_day, time(9, 0)),
            ends_at=_at(first_day + timedelta(days=1), time(16, 30)),
            capacity=30,
            rsvp_deadline=_at(today + timedelta(days=30), time(18, 0)),
            organiser_name=coordinator.name if coordinator else "Chen Jing",
            organiser_email=coordinator.email if coordinator else "coordinator@demo.training",
        ),
        actor=coordinator,
        via="cli",
    )
    symposium.slug = DEMO_SLUG
    for day, start, end, title, room, speakers in PROGRAMME:
        on = first_day + timedelta(days=day)
        services.add_programme_session(session, symposium, actor=coordinator, title=title, room=room,
                                       speakers=speakers, starts_at=_at(on, start), ends_at=_at(on, end))
    symposium.status = SymposiumStatus.PUBLISHED
    sent_at = utcnow() - timedelta(days=10)
    known = demo_token()
    for name, email, organisation, allowed, answer, delegates, note, channel, days_ago in INVITEES:
        invitation = Invitation(
            symposium=symposium, name=name, email=email, organisation=organisation,
            delegates_allowed=allowed, sent_at=sent_at, delegates=[],
            token_hash=services.hash_token(
                known if known and organisation == "Google" else secrets.token_urlsafe(services.TOKEN_BYTES)
            ),
        )
        session.add(invitation)
        session.flush()
        if answer is not None and channel is not None:
            services.answer_invitation(
                session, invitation, answer=answer, delegates=delegates, note=note, via=channel,
                now=utcnow() - timedelta(days=days_ago, hours=3),
            )
    session.flush()
    return symposium
