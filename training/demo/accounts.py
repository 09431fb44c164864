"""Demo accounts: one per role, with known passwords (for local use only)."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from training.accounts import services
from training.accounts.models import Role, User

DEMO_PASSWORD = "training-demo"

# (email, name, role, country, organisation, timezone)
PEOPLE = (
    ("admin@demo.training", "Alex Admin", Role.ADMIN, None, "Programme secretariat", "UTC"),
    ("coordinator@demo.training", "Chen Jing", Role.COORDINATOR, "CN",
     "Ministry of Public Security", "Asia/Shanghai"),
    ("us-focal@demo.training", "Maria Lopez", Role.FOCAL_POINT, "US",
     "Department of Justice", "America/New_York"),
    ("cn-focal@demo.training", "Wang Lei", Role.FOCAL_POINT, "CN",
     "Ministry of Public Security", "Asia/Shanghai"),
    ("instructor@demo.training", "Li Na", Role.INSTRUCTOR, "CN",
     "People's Public Security University", "Asia/Shanghai"),
    ("personnel@demo.training", "John Carter", Role.PERSONNEL, "US",
     "Federal Bureau of Investigation", "America/New_York"),
)

DEMO_LOGINS = tuple((email, role.value, DEMO_PASSWORD) for email, _, role, *_ in PEOPLE)


def load(session: Session, today: date) -> dict[str, User]:
    """Create the demo accounts that do not exist yet; return them by email."""
    users: dict[str, User] = {}
    for email, name, role, country, organisation, timezone in PEOPLE:
        user = services.find_by_email(session, email)
        if user is None:
            user = services.create_user(
                session, email=email, name=name, role=role, country=country,
                organisation=organisation, timezone=timezone, password=DEMO_PASSWORD, via="cli",
            )
        users[email] = user
    return users
