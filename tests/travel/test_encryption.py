"""Passport fields encrypted at rest: the database, its file and its dump never hold them in clear;
keys rotate without a form becoming unreadable; a wrong key is a clear error, never garbage."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from tests.travel.conftest import complete_spec
from training.core import crypto
from training.core.crypto import EncryptionKeyError, generate_key
from training.core.extensions import db
from training.travel import services
from training.travel.models import TravelForm

CLEAR = ("X12345678", "CARTER, JOHN MICHAEL", "1984-05-17", "No pork", "Mary Carter", "+1 202 555 0143")


def _raw_row(session):
    return session.execute(
        sa.text(
            "SELECT passport_number, passport_name, birth_date, dietary_needs, emergency_name, "
            "emergency_phone, hotel FROM travel_forms"
        )
    ).one()


def _database_bytes(database_url: str) -> bytes:
    """What an attacker holding the database would read: the SQLite files, or a pg_dump."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        path = Path(url.database)
        return b"".join(p.read_bytes() for p in (path, Path(f"{path}-wal")) if p.exists())
    return subprocess.run(
        ["pg_dump", "--data-only", "-h", "127.0.0.1", "-U", "postgres", url.database],
        capture_output=True,
        check=True,
        timeout=60,
    ).stdout


@pytest.mark.commits
def test_no_passport_value_is_in_the_database_file_or_its_dump(session, trip, database_url):
    services.save_travel_form(session, trip.traveller, complete_spec(trip.course), actor=trip.person)
    session.commit()
    row = _raw_row(session)
    assert all(str(value).startswith("gAAAA") for value in row[:6]), row  # Fernet tokens
    dumped = _database_bytes(database_url)
    assert b"Beijing Friendship Hotel" in dumped  # the clear columns are there: the search can find things
    for value in CLEAR:
        assert value.encode() not in dumped, value


def test_rotating_the_key_keeps_every_form_readable(app, session, trip, monkeypatch):
    services.save_travel_form(session, trip.traveller, complete_spec(trip.course), actor=trip.person)
    session.flush()
    old_key = app.config["DATA_ENCRYPTION_KEYS"]
    before = _raw_row(session)[0]
    new_key = generate_key()
    monkeypatch.setitem(app.config, "DATA_ENCRYPTION_KEYS", f"{new_key},{old_key}")
    result = app.test_cli_runner().invoke(args=["data", "rotate-key"])
    assert result.exit_code == 0, result.output
    assert "travel_forms: 1 rows re-encrypted with the first key" in result.output
    after = _raw_row(session)[0]
    assert after != before
    # The old key can go now: the new one alone reads every value.
    monkeypatch.setitem(app.config, "DATA_ENCRYPTION_KEYS", new_key)
    session.expire_all()
    form = session.scalars(sa.select(TravelForm)).one()
    assert (form.passport_number, form.birth_date.isoformat()) == ("X12345678", "1984-05-17")


def test_a_wrong_key_is_a_clear_error_and_rotating_with_it_changes_nothing(app, session, trip, monkeypatch):
    services.save_travel_form(session, trip.traveller, complete_spec(trip.course), actor=trip.person)
    session.commit()
    before = _raw_row(session)
    monkeypatch.setitem(app.config, "DATA_ENCRYPTION_KEYS", generate_key())
    session.expire_all()
    with pytest.raises(EncryptionKeyError, match="could not be read with any key in DATA_ENCRYPTION_KEYS"):
        session.scalars(sa.select(TravelForm)).one().passport_number  # noqa: B018
    session.rollback()
    result = app.test_cli_runner().invoke(args=["data", "rotate-key"])
    assert result.exit_code == 1 and "nothing was re-encrypted" in result.output
    assert _raw_row(db.session) == before


def test_a_key_that_is_not_a_fernet_key_is_refused_by_name(app, monkeypatch):
    monkeypatch.setitem(app.config, "DATA_ENCRYPTION_KEYS", "hunter2")
    with pytest.raises(EncryptionKeyError, match="not a Fernet key"):
        crypto.encrypt("X12345678")
