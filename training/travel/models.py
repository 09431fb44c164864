"""Travel: what the host needs to get each confirmed participant to the course and back.

One form per enrolment: the passport as printed (for the visa invitation letter), arrival and
departure, hotel nights, dietary and accessibility needs and an emergency contact. Passport
fields, the needs and the emergency contact are encrypted at rest (training/core/crypto.py);
travel dates stay in clear so that the host's lists can be sorted and grouped by the database.
"""

from __future__ import annotations

from datetime import date, datetime, time

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from training.accounts.models import User
from training.core.crypto import EncryptedDate, EncryptedText
from training.core.database import UTCDateTime, utcnow
from training.core.extensions import db
from training.enrolment.models import Enrolment

MAX_NAME = 200
MAX_PASSPORT_NUMBER = 30
MAX_PLACE = 200
MAX_CARRIER = 40  # a flight or train number: "UA 889", "G 1"
MAX_NEEDS = 1000
MAX_PHONE = 40

# The fields that hold what a passport says: shown to the person, their focal point and
# coordinators only, every reading audited, deleted when the retention period ends.
PASSPORT_FIELDS = (
    "passport_name",
    "passport_number",
    "nationality",
    "birth_date",
    "passport_issued_on",
    "passport_expires_on",
    "passport_issued_at",
)


class TravelForm(db.Model):
    """One confirmed participant's passport, travel, hotel nights and needs."""

    __tablename__ = "travel_forms"

    id: Mapped[int] = mapped_column(primary_key=True)
    enrolment_id: Mapped[int] = mapped_column(
        sa.ForeignKey("enrolments.id", ondelete="CASCADE"), unique=True
    )
    # The passport, as printed on it.
    passport_name: Mapped[str | None] = mapped_column(EncryptedText)
    passport_number: Mapped[str | None] = mapped_column(EncryptedText)
    nationality: Mapped[str | None] = mapped_column(EncryptedText)  # ISO 3166-1 alpha-2
    birth_date: Mapped[date | None] = mapped_column(EncryptedDate)
    passport_issued_on: Mapped[date | None] = mapped_column(EncryptedDate)
    passport_expires_on: Mapped[date | None] = mapped_column(EncryptedDate)
    passport_issued_at: Mapped[str | None] = mapped_column(EncryptedText)
    # Arrival and departure on the venue's clock (naive: readings of the venue's clock).
    arrival_on: Mapped[date | None] = mapped_column(sa.Date)
    arrival_time: Mapped[time | None] = mapped_column(sa.Time)
    arrival_carrier: Mapped[str] = mapped_column(sa.String(MAX_CARRIER), default="")
    arrival_place: Mapped[str] = mapped_column(sa.String(MAX_PLACE), default="")
    departure_on: Mapped[date | None] = mapped_column(sa.Date)
    departure_time: Mapped[time | None] = mapped_column(sa.Time)
    departure_carrier: Mapped[str] = mapped_column(sa.String(MAX_CARRIER), default="")
    departure_place: Mapped[str] = mapped_column(sa.String(MAX_PLACE), default="")
    # Hotel nights: none when the person stays elsewhere.
    hotel: Mapped[str] = mapped_column(sa.String(MAX_PLACE), default="")
    check_in_on: Mapped[date | None] = mapped_column(sa.Date)
    check_out_on: Mapped[date | None] = mapped_column(sa.Date)
    # Needs and the emergency contact say things about health and family: encrypted too.
    dietary_needs: Mapped[str | None] = mapped_column(EncryptedText)
    accessibility_needs: Mapped[str | None] = mapped_column(EncryptedText)
    emergency_name: Mapped[str | None] = mapped_column(EncryptedText)
    emergency_phone: Mapped[str | None] = mapped_column(EncryptedText)
    # Locked by a coordinator once letters are issued; a change afterwards raises the flag,
    # so that the coordinator knows a letter may need reissuing.
    locked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    locked_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    changed_after_lock: Mapped[bool] = mapped_column(default=False)
    passport_purged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))

    enrolment: Mapped[Enrolment] = relationship(lazy="raise")
    locked_by: Mapped[User | None] = relationship(foreign_keys=[locked_by_id], lazy="raise")

    @property
    def locked(self) -> bool:
        return self.locked_at is not None

    @property
    def nights(self) -> int:
        if self.check_in_on and self.check_out_on:
            return max((self.check_out_on - self.check_in_on).days, 0)
        return 0
