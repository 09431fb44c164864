"""Demo travel forms: the Beijing course's US personnel on their way.

Most have sent a complete form (passport, flights into Beijing Capital or Daxing, one by
high-speed train from Shanghai, hotel nights and needs); the first few were locked when their
letters went out, and one of those was corrected afterwards, so the coordinator sees the flag.
Michael Brown has typed in his passport but not booked his flights yet, and Sarah Davis (whose
nomination letter is overdue) has not started hers.
"""

from __future__ import annotations

from datetime import date, time, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from training.accounts import services as accounts
from training.demo.enrolment import BEIJING_SLUGS, find_demo_course
from training.enrolment.models import SEAT_HOLDING_STATUSES, Enrolment
from training.enrolment.services import enrolment_for
from training.travel import services
from training.travel.models import TravelForm
from training.travel.services import TravelSpec

# (flight or train, where it lands, local time at the venue, days before the first day)
JOURNEYS = (
    ("CA 982", "Beijing Capital (PEK) Terminal 3", time(15, 35), 1),
    ("UA 889", "Beijing Capital (PEK) Terminal 3", time(16, 40), 1),
    ("CA 818", "Beijing Capital (PEK) Terminal 3", time(14, 50), 2),
    ("AA 187", "Beijing Daxing (PKX)", time(17, 55), 1),
    ("DL 389", "Beijing Daxing (PKX)", time(13, 20), 1),
    ("G 2", "Beijing South railway station", time(13, 28), 1),  # from a stop-over in Shanghai
)
HOTELS = ("Beijing Friendship Hotel", "Beijing Friendship Hotel", "Jianguo Hotel Beijing")
DIETS = ("", "Vegetarian", "", "No pork", "Shellfish allergy (severe)", "", "Halal", "")
ACCESS = {4: "A room near the lift; uses a cane on long walks (the field visit included)."}
PARTNERS = ("Laura", "Mark", "Anne", "Paul", "Karen", "Steven", "Julie", "Brian", "Diane", "Eric",
            "Susan", "Greg", "Linda", "Peter", "Carol", "Tom")
LOCKED = 5  # the first complete forms, whose letters went out
NOT_STARTED = "Sarah Davis"
PARTIAL = "Michael Brown"


def _spec(number: int, name: str, start: date, end: date, today: date) -> TravelSpec:
    given, _, surname = name.rpartition(" ")
    carrier, place, landing, early = JOURNEYS[number % len(JOURNEYS)]
    arrive, leave = start - timedelta(days=early), end + timedelta(days=1)
    issued = date(today.year - 1 - number % 7, 1 + number % 12, 1 + (number * 3) % 28)
    return TravelSpec(
        passport_name=f"{surname.upper()}, {given.upper()}",
        passport_number=f"{'ABCDEFGHJ'[number % 9]}{(53_120_417 + number * 7_919) % 10**8:08d}",
        nationality="US",
        birth_date=date(1972 + number % 21, 1 + (number * 5) % 12, 1 + (number * 7) % 28),
        passport_issued_on=issued,
        passport_expires_on=issued.replace(year=issued.year + 10),
        passport_issued_at="U.S. Department of State",
        arrival_on=arrive, arrival_time=landing, arrival_carrier=carrier, arrival_place=place,
        departure_on=leave, departure_time=time(13, 5) if "Capital" in place else time(10, 40),
        departure_carrier=carrier.replace("982", "981").replace("889", "888").replace("818", "817"),
        departure_place=place,
        hotel=HOTELS[number % len(HOTELS)], check_in_on=arrive, check_out_on=leave,
        dietary_needs=DIETS[number % len(DIETS)], accessibility_needs=ACCESS.get(number, ""),
        emergency_name=f"{PARTNERS[number % len(PARTNERS)]} {surname}",
        emergency_phone=f"+1 202 555 {143 + number:04d}",
    )


def load(session: Session, today: date) -> None:
    """Travel forms on the Beijing course; nothing is added twice."""
    coordinator = accounts.find_by_email(session, "coordinator@demo.training")
    beijing = find_demo_course(session, BEIJING_SLUGS, host_country="CN", city="Beijing")
    if coordinator is None or beijing is None:
        return
    ids = session.scalars(
        sa.select(Enrolment.id)
        .where(Enrolment.course_id == beijing.id, Enrolment.status.in_(SEAT_HOLDING_STATUSES),
               Enrolment.country == "US")
        .order_by(Enrolment.id)
    ).all()
    if not ids or session.scalar(sa.select(TravelForm.id).where(TravelForm.enrolment_id.in_(ids)).limit(1)):
        return
    us_focal = accounts.find_by_email(session, "us-focal@demo.training")
    locked = 0
    for number, enrolment_id in enumerate(ids):
        enrolment = enrolment_for(session, enrolment_id)
        person = enrolment.user
        if person.name == NOT_STARTED:
            continue
        spec = _spec(number, person.name, beijing.starts_on, beijing.ends_on, today)
        if person.name == PARTIAL:
            # The passport is in; the flights are not booked yet.
            spec = TravelSpec(**{name: getattr(spec, name) for name in (
                "passport_name", "passport_number", "nationality", "birth_date", "passport_issued_on",
                "passport_expires_on", "passport_issued_at", "dietary_needs")})
        # Every third form was typed in by the focal point for the person, as the programme allows.
        actor = us_focal if us_focal is not None and number % 3 == 2 else person
        services.save_travel_form(session, enrolment, spec, actor=actor, via="cli")
        if person.name != PARTIAL and locked < LOCKED:
            services.lock_travel_form(session, enrolment, actor=coordinator, via="cli")
            locked += 1
            if locked == 2:
                # A later flight after the letter went out: the coordinator sees the flag.
                later = TravelSpec(**{**vars(spec), "departure_carrier": "CA 983",
                                      "departure_time": time(17, 20)})
                services.save_travel_form(session, enrolment, later, actor=person, via="cli")
    session.flush()
