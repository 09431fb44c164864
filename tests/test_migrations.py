"""Upgrading an empty database to head gives exactly the models, on both backends."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import upgrade

from tests.databases import BACKENDS, fresh_database
from training import create_app
from training.core.extensions import db


@pytest.mark.parametrize("backend", BACKENDS)
def test_upgrade_from_empty_equals_the_models(backend, tmp_path):
    with fresh_database(backend, tmp_path) as url:
        app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": url})
        with app.app_context():
            upgrade()
            with db.engine.connect() as connection:
                context = MigrationContext.configure(connection, opts={"compare_type": True})
                differences = compare_metadata(context, db.metadata)
            db.engine.dispose()
    assert differences == []


@pytest.mark.parametrize("backend", BACKENDS)
def test_upgrading_to_search_keys_fills_them_for_the_courses_already_there(backend, tmp_path):
    with fresh_database(backend, tmp_path) as url:
        app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": url})
        with app.app_context():
            upgrade(revision="0004")
            with db.engine.begin() as connection:
                connection.execute(sa.text(
                    "INSERT INTO courses (slug, title, description, title_zh, description_zh, host_country,"
                    " city, venue, timezone, language, starts_on, ends_on, capacity, requires_approval,"
                    " completion_percent, status, sequence, created_at, updated_at) VALUES ('dark-web-2031',"
                    " 'Dark-web marketplaces', '', '暗网市场', '', 'FR', 'Paris', 'Café de la Paix',"
                    " 'Europe/Paris', 'en', '2031-03-03', '2031-03-07', 10, false, 80, 'published', 0,"
                    " '2030-01-01 00:00:00', '2030-01-01 00:00:00')"))
            upgrade()
            with db.engine.connect() as connection:
                key = connection.execute(sa.text("SELECT search_key FROM courses")).scalar_one()
            db.engine.dispose()
    assert key == "dark web marketplaces 暗网市场 paris cafe de la paix"


@pytest.mark.parametrize("backend", BACKENDS)
def test_upgraded_enrolments_admit_the_lapsed_status_and_keep_their_indexes(backend, tmp_path):
    with fresh_database(backend, tmp_path) as url:
        app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": url})
        with app.app_context():
            upgrade()
            with db.engine.connect() as connection:
                inspector = sa.inspect(connection)
                checks = {c["name"]: c["sqltext"] for c in inspector.get_check_constraints("enrolments")}
                indexes = {i["name"] for i in inspector.get_indexes("enrolments")}
            db.engine.dispose()
    assert "'lapsed'" in checks["ck_enrolments_enrolment_status"]
    assert {"uq_enrolments_active_person", "ix_enrolments_course_country_status"} <= indexes
