"""Demo data in Chinese: Chinese titles and descriptions, and invitees who read Chinese."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Session

from training.courses.models import Course
from training.demo.courses import BEIJING_TITLE, DRAFT_TITLE, US_TITLE
from training.demo.symposia import DEMO_SLUG, demo_token
from training.symposia import services as symposia
from training.symposia.models import Invitation, Symposium

COURSES_IN_CHINESE = {
    BEIJING_TITLE: (
        "美国执法人员网络犯罪侦查培训班",
        "根据中美两国关于互相培训执法人员打击网络犯罪的协议，十五名美国执法人员在北京参加为期十天的"
        "培训。上午讲授，下午进行电子数据取证实操，并实地参观一个省级网络犯罪侦查实验室。"
        "英汉双语授课，配有翻译。",
    ),
    US_TITLE: (
        "中国执法人员网络诈骗及网络相关犯罪培训班",
        "对等培训班：中国执法人员在华盛顿附近参加为期十天的培训，内容涵盖网络诈骗、商业电子邮件诈骗和"
        "网络相关犯罪。培训期间纽约实行夏令时，以下所有时间均为场地当地时间。",
    ),
    "Joint workshop on cryptocurrency tracing": (
        "加密货币追踪联合研讨班",
        "为期五天的实操培训：两国侦查人员并肩追踪勒索软件赎金在各交易所之间的流转。",
    ),
    DRAFT_TITLE: (
        "打击网络恐怖主义工作层会晤筹备研讨",
        "筹备下一次工作层会晤；拟邀请相关企业出席研讨会。",
    ),
}
SYMPOSIUM_IN_CHINESE = (
    "中美打击网络恐怖主义研讨会",
    "执法机关与互联网企业共同探讨恐怖分子如何利用网络平台，以及双方如何在各自法律框架内开展合作。",
)
# Invitees who get their mails and RSVP page in Chinese.
CHINESE_INVITEES = frozenset({
    "security@baidu.example", "security@tencent.example", "security@alibaba.example",
    "cyber-bureau@mps.example", "incident@cncert.example",
})
# A second known RSVP link, to try the page in Chinese (development and testing only).
DEMO_RSVP_TOKEN_ZH = "demo-rsvp-cncert-cyber-symposium-zh-0000000"


def demo_token_zh() -> str | None:
    """The documented Chinese demo RSVP token, where the environment allows a known one."""
    return DEMO_RSVP_TOKEN_ZH if demo_token() else None


def load(session: Session, today: date) -> None:
    """Add the Chinese versions that are missing; never overwrite one a coordinator wrote."""
    for course in session.scalars(sa.select(Course).where(Course.title.in_(COURSES_IN_CHINESE))):
        if not course.title_zh:
            course.title_zh, course.description_zh = COURSES_IN_CHINESE[course.title]
            course.refresh_search_key()
    symposium = session.scalar(sa.select(Symposium).where(Symposium.slug == DEMO_SLUG))
    if symposium is None:
        return
    if not symposium.title_zh:
        symposium.title_zh, symposium.description_zh = SYMPOSIUM_IN_CHINESE
    invitations = session.scalars(sa.select(Invitation).where(
        Invitation.symposium_id == symposium.id, Invitation.email.in_(CHINESE_INVITEES)))
    token = demo_token_zh()
    for invitation in invitations:
        invitation.locale = "zh_Hans"
        if token and invitation.email == "incident@cncert.example":
            invitation.token_hash = symposia.hash_token(token)
    session.flush()
