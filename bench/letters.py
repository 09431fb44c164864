"""How long visa invitation letters take: a batch for 15 people, and drawing their 15 PDFs.

    .venv/bin/python bench/letters.py [--people 15]

A Beijing course with its letter settings, 15 confirmed US officers with complete travel forms;
then, timed apart: issuing the batch (one service call and its commit, as the page's button does)
and drawing every letter's PDF (Chinese and English side by side, with its QR code), as 15
downloads would. Prints the figures; not a test.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time as clock
from datetime import date, time, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from training import create_app  # noqa: E402
from training.accounts import services as accounts  # noqa: E402
from training.accounts.models import Role  # noqa: E402
from training.core.extensions import db  # noqa: E402
from training.courses import services as courses  # noqa: E402
from training.demo.letters import BEIJING_SETTINGS  # noqa: E402
from training.enrolment import services as enrolment  # noqa: E402
from training.travel.letters import services  # noqa: E402
from training.travel.letters.document import letter_pdf  # noqa: E402
from training.travel.models import TravelForm  # noqa: E402

SECRET_KEY = "benchmark-only-secret-key-of-32-bytes"


def build(people: int):
    """The coordinator, the course and its confirmed people with complete forms (committed)."""
    coordinator = accounts.create_user(db.session, email="chen@bench.example", name="Chen Jing",
                                       role=Role.COORDINATOR, country="CN", password=None)
    start = date.today() + timedelta(days=60)
    course = courses.create_course(db.session, courses.CourseDetails(
        title="Cybercrime investigation course", title_zh="网络犯罪侦查培训班", host_country="CN",
        city="Beijing", timezone="Asia/Shanghai", starts_on=start, ends_on=start + timedelta(days=9),
        capacity=people, venue="People's Public Security University"), actor=coordinator)
    courses.publish_course(db.session, course, actor=coordinator)
    enrolment.set_quotas(db.session, course, {"US": people}, actor=coordinator)
    courses.update_letter_settings(db.session, course, BEIJING_SETTINGS, actor=coordinator)
    for n in range(people):
        person = accounts.create_user(db.session, email=f"officer{n}@bench.example", name=f"Officer {n}",
                                      role=Role.PERSONNEL, country="US", password=None)
        made = enrolment.enrol(db.session, course, person, actor=person)
        fill_form(made, n)
    db.session.commit()
    return coordinator, course


def fill_form(made, n: int) -> None:
    """A complete travel form, as the officer would type it (passport fields encrypted on the way in)."""
    start = date.today() + timedelta(days=60)
    db.session.add(TravelForm(
        enrolment_id=made.id, passport_name=f"OFFICER, NUMBER {n}", passport_number=f"5{n:08d}",
        nationality="US", birth_date=date(1975, 1, 1) + timedelta(days=211 * n),
        passport_issued_on=date(2021, 3, 1), passport_expires_on=date(2031, 2, 28),
        passport_issued_at="U.S. Department of State", arrival_on=start - timedelta(days=1),
        departure_on=start + timedelta(days=10), arrival_time=time(15, 40), arrival_carrier="UA 889",
        arrival_place="PEK", departure_time=time(13, 5), departure_carrier="UA 888", departure_place="PEK",
        emergency_name="Pat Doe", emergency_phone="+1 202 555 0100"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--people", type=int, default=15)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        url = f"sqlite:///{Path(directory) / 'letters.sqlite'}"
        app = create_app("development", {"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": SECRET_KEY,
                                         "BASE_URL": "https://training.example.org"})
        with app.test_request_context():
            db.create_all()
            coordinator, course = build(args.people)
            started = clock.perf_counter()
            result = services.issue_course_letters(db.session, course, actor=coordinator)
            db.session.commit()
            issued = clock.perf_counter() - started
            letters = result.issued
            assert len(letters) == args.people, (len(letters), result.skipped)
            started = clock.perf_counter()
            sizes = [len(letter_pdf(db.session, letter, actor=coordinator)) for letter in letters]
            db.session.commit()
            drawn = clock.perf_counter() - started
    print(f"Issued {len(letters)} letters in one batch: {issued:.3f} s")
    print(f"Drew their {len(sizes)} PDFs (zh+en, QR): {drawn:.2f} s, {drawn / len(sizes):.2f} s each, "
          f"{sum(sizes) / len(sizes) / 1024:.0f} KiB each")
    print(f"Batch and every PDF together: {issued + drawn:.2f} s")


if __name__ == "__main__":
    main()
