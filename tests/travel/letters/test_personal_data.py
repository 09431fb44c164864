"""A person's letters in their export; their erasure revokes every letter and removes their name,
so that the public verification page confirms nothing about them."""

from __future__ import annotations

from training.accounts.models import Role, User
from training.accounts.personal_data import erase_person, export_person
from training.travel.letters import services
from training.travel.letters.models import VisaLetter


def test_an_export_lists_the_persons_letters_and_an_erasure_revokes_them_without_their_name(
    client, session, beijing, coordinator, confirmed, make_user
):
    enrolment = confirmed(beijing)
    person = session.get(User, enrolment.user_id)
    letter = services.issue_letter(session, enrolment, actor=coordinator)
    session.commit()
    (exported,) = export_person(session, person, actor=person)["letters"]
    assert exported["code"] == letter.code and exported["revoked_at"] is None
    name = letter.person_name
    assert name in client.get(f"/letters/{letter.code}").get_data(as_text=True)

    erase_person(session, person, actor=make_user(Role.ADMIN, None))
    session.commit()
    session.expire_all()
    erased = session.get(VisaLetter, letter.id)
    assert erased.revoked_at is not None and erased.person_name == f"erased person #{person.id}"
    page = client.get(f"/letters/{letter.code}").get_data(as_text=True)
    assert name not in page and "revoked" in page.lower()
    assert name not in client.get(f"/api/v1/letters/{letter.code}").get_data(as_text=True)
