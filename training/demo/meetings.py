"""Demo meetings: the monthly China–US working-level meeting on cybercrime cases, alternating between
Beijing and Washington, with minutes in both languages, action items, one meeting moved and one
cancelled; and the hotline's contact points on both sides, one overdue for a test and one retired."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from training.accounts import services as accounts
from training.core.database import utcnow
from training.meetings import services
from training.meetings.models import ContactPoint, MeetingSeries
from training.meetings.services.recurrence import nth_weekday
from training.outbox.models import OutboxMessage

TITLE = "China–US working-level meeting on cybercrime cases"
TITLE_ZH = "中美打击网络犯罪案件工作层会晤"
ZONE = "America/New_York"
BEIJING = "Ministry of Public Security, 14 Dongchang'an Street, Beijing"
WASHINGTON = "FBI Headquarters, 935 Pennsylvania Avenue NW, Washington"

PARTICIPANTS = (
    services.ParticipantSpec("coordinator@demo.training", "Chen Jing", "zh_Hans"),
    services.ParticipantSpec("cn-focal@demo.training", "Wang Lei", "zh_Hans"),
    services.ParticipantSpec("us-focal@demo.training", "Maria Lopez", "en"),
    services.ParticipantSpec("cyber-division@fbi.example", "Michael Grant", "en"),
    services.ParticipantSpec("cyber-bureau@mps.example", "Wang Jun", "zh_Hans"),
)

# The minutes of the meetings held so far: (agenda, English, Chinese), oldest first.
MINUTES = (
    (
        "- 工作组职责范围 / Terms of reference of the working group\n"
        "- 紧急请求渠道 / Channels for urgent requests",
        "Both sides adopted the terms of reference.\n\n- Urgent requests go through the hotline, "
        "confirmed in writing within 24 hours.\n- Each side names two contact points.",
        "双方通过了工作组职责范围。\n\n- 紧急请求通过热线提出，24小时内书面确认。\n- 双方各指定两名联络人。",
    ),
    (
        "- 案件交流：商业电子邮件诈骗 / Case exchange: business e-mail compromise\n"
        "- 服务器日志保全 / Preservation of server logs",
        "The US side presented a **business e-mail compromise** case with victims in both countries. "
        "The Chinese side agreed to ask the providers concerned to preserve the server logs.",
        "美方通报了一起受害人分布于两国的**商业电子邮件诈骗**案件。中方同意要求相关服务商保全服务器日志。",
    ),
    (
        "- 日志保全结果 / Results of the log preservation\n"
        "- 经交易所追踪的勒索软件赎金 / Ransomware payments traced through exchanges",
        "Logs for three of the four accounts were preserved. Both sides will compare the wallet addresses "
        "of the ransomware case before the next meeting.",
        "四个账户中三个账户的日志已保全。双方将在下次会晤前比对勒索软件案件的钱包地址。",
    ),
)


def _first_meeting(today: date) -> date:
    """The third Wednesday of the month four months ago: three meetings held, nine to come."""
    month = date(today.year, today.month, 1)
    for _ in range(4):
        month = (month - timedelta(days=1)).replace(day=1)
    wednesday = month + timedelta(days=(2 - month.weekday()) % 7)
    return wednesday + timedelta(weeks=2)


def _contact_points(session: Session, coordinator: object, today: date) -> None:
    if session.scalar(sa.select(sa.func.count()).select_from(ContactPoint)):
        return
    now = utcnow()
    points = (
        (
            services.ContactSpec(
                "CN",
                "Cybersecurity Bureau duty desk",
                "Ministry of Public Security",
                "+86 10 6620 4110",
                "duty@mps.example",
                "24/7",
                "中文, English",
            ),
            9,
        ),
        (
            services.ContactSpec(
                "CN",
                "CNCERT/CC incident desk",
                "CNCERT/CC",
                "+86 10 8299 1000",
                "incident@cncert.example",
                "24/7",
                "中文, English",
            ),
            75,
        ),
        (
            services.ContactSpec(
                "US",
                "CyWatch",
                "Federal Bureau of Investigation",
                "+1 855 292 3937",
                "cywatch@fbi.example",
                "24/7",
                "English",
            ),
            4,
        ),
        (
            services.ContactSpec(
                "US",
                "CCIPS duty attorney",
                "Department of Justice",
                "+1 202 514 1026",
                "ccips-duty@usdoj.example",
                "24/7",
                "English, 中文 (interpreter)",
            ),
            21,
        ),
    )
    for spec, days_ago in points:
        point = services.add_contact_point(session, spec, actor=coordinator, via="cli")  # type: ignore[arg-type]
        tested = now - timedelta(days=days_ago, hours=3)
        services.record_test(
            session,
            point,
            method="phone",
            result="reached",
            tested_at=tested,
            note="Answered within five minutes.",
            actor=coordinator,
            via="cli",
            now=tested,
        )  # type: ignore[arg-type]
        if days_ago > 30:
            later = now - timedelta(days=2)
            services.record_test(
                session,
                point,
                method="phone",
                result="unreached",
                tested_at=later,
                note="No answer after twelve rings.",
                actor=coordinator,
                via="cli",
                now=now,
            )  # type: ignore[arg-type]
    _retired_point(session, coordinator, now)


def _retired_point(session: Session, coordinator: object, now: datetime) -> None:
    """A contact point replaced by CyWatch: retired, its test log kept as evidence."""
    point = services.add_contact_point(
        session,
        services.ContactSpec(
            "US", "Cyber Division night line", "Federal Bureau of Investigation", "+1 202 324 0000", "",
            "24/7", "English",
        ),
        actor=coordinator,  # type: ignore[arg-type]
        via="cli",
    )
    for days_ago, result, note in ((120, "reached", "Answered at once."),
                                   (95, "late", "Answered after 40 minutes.")):
        tested = now - timedelta(days=days_ago, hours=2)
        services.record_test(session, point, method="phone", result=result, tested_at=tested, note=note,
                             actor=coordinator, via="cli", now=tested)  # type: ignore[arg-type]
    services.retire_contact_point(session, point, actor=coordinator, via="cli",  # type: ignore[arg-type]
                                  now=now - timedelta(days=60))


def load(session: Session, today: date) -> MeetingSeries | None:
    """Create the demo series and contact points unless they exist. The invitations the services
    queue are dropped: the demo's participants are fictional."""
    coordinator = accounts.find_by_email(session, "coordinator@demo.training")
    if coordinator is None:
        return None
    last_mail = session.scalar(sa.select(sa.func.max(OutboxMessage.id))) or 0
    _contact_points(session, coordinator, today)
    existing = session.scalar(sa.select(MeetingSeries).where(MeetingSeries.title == TITLE))
    if existing is not None:
        return existing
    first = _first_meeting(today)
    series = services.create_series(
        session,
        services.SeriesSpec(
            title=TITLE,
            title_zh=TITLE_ZH,
            side_a="CN",
            side_b="US",
            timezone=ZONE,
            starts_at=datetime.combine(first, time(8, 0)),
            duration_minutes=120,
            rrule=f"FREQ=MONTHLY;BYDAY={nth_weekday(first)};COUNT=12",
            location=WASHINGTON,
            video_url="https://video.example/cybercrime-working-group",
            participants=PARTICIPANTS,
        ),
        actor=coordinator,
        via="cli",
    )
    then = datetime.combine(first - timedelta(days=30), time(0), UTC)
    meetings = services.meetings_of(series)
    for meeting in meetings[1::2]:
        services.place_meeting(
            session, series, meeting.key, location=BEIJING, actor=coordinator, via="cli", now=then
        )
    for meeting, (agenda, english, chinese) in zip(meetings, MINUTES, strict=False):
        services.write_minutes(
            session,
            series,
            meeting.key,
            agenda=agenda,
            minutes_en=english,
            minutes_zh=chinese,
            actor=coordinator,
            via="cli",
        )
    items = (
        (
            0,
            "指定两名热线全天候联络人 / Name two 24/7 contact points for the hotline",
            "CN",
            "Wang Lei",
            "cn-focal@demo.training",
            20,
            "done",
        ),
        (
            0,
            "Test the hotline mechanism end to end",
            "US",
            "Maria Lopez",
            "us-focal@demo.training",
            150,
            None,
        ),
        (
            1,
            "要求服务商保全四个账户的服务器日志 / Ask the providers to preserve the logs of four accounts",
            "CN",
            "Wang Jun",
            "cyber-bureau@mps.example",
            14,
            "done",
        ),
        (
            2,
            "比对勒索软件案件的钱包地址 / Compare the wallet addresses of the ransomware case",
            "CN",
            "Wang Lei",
            "cn-focal@demo.training",
            10,
            None,
        ),
        (
            2,
            "Send the victims' statements, translated",
            "US",
            "Michael Grant",
            "cyber-division@fbi.example",
            45,
            None,
        ),
    )
    for index, what, side, owner, email, days, status in items:
        meeting = meetings[index]
        action = services.add_action(
            session,
            series,
            meeting.key,
            services.ActionSpec(
                what=what,
                side=side,
                owner_name=owner,
                owner_email=email,
                due_on=meeting.starts_at.date() + timedelta(days=days),
            ),
            actor=coordinator,
            via="cli",
        )
        if status:
            services.update_action(session, action, series, status=status, actor=coordinator, via="cli")
    upcoming = [m for m in meetings if m.starts_at > utcnow() + timedelta(days=1)]
    if len(upcoming) >= 3:
        moved = upcoming[0]
        services.move_meeting(
            session,
            series,
            moved.key,
            starts_at=datetime.combine(moved.recurrence_id.date() + timedelta(days=1), time(9, 0)),
            actor=coordinator,
            via="cli",
        )
        services.cancel_meeting(session, series, upcoming[2].key, actor=coordinator, via="cli")
    session.execute(sa.delete(OutboxMessage).where(OutboxMessage.id > last_mail))
    session.flush()
    return series
