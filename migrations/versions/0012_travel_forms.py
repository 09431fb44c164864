"""travel forms: passport, journey, hotel nights and needs per confirmed enrolment

Passport fields, needs and the emergency contact hold Fernet tokens (text): the application
encrypts and decrypts them (training/core/crypto.py); the database never sees them in clear.

Revision ID: 0012
Revises: 0011
"""
from alembic import op
import sqlalchemy as sa

import training.core.database


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('travel_forms',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('enrolment_id', sa.Integer(), nullable=False),
    sa.Column('passport_name', sa.Text(), nullable=True),
    sa.Column('passport_number', sa.Text(), nullable=True),
    sa.Column('nationality', sa.Text(), nullable=True),
    sa.Column('birth_date', sa.Text(), nullable=True),
    sa.Column('passport_issued_on', sa.Text(), nullable=True),
    sa.Column('passport_expires_on', sa.Text(), nullable=True),
    sa.Column('passport_issued_at', sa.Text(), nullable=True),
    sa.Column('arrival_on', sa.Date(), nullable=True),
    sa.Column('arrival_time', sa.Time(), nullable=True),
    sa.Column('arrival_carrier', sa.String(length=40), nullable=False),
    sa.Column('arrival_place', sa.String(length=200), nullable=False),
    sa.Column('departure_on', sa.Date(), nullable=True),
    sa.Column('departure_time', sa.Time(), nullable=True),
    sa.Column('departure_carrier', sa.String(length=40), nullable=False),
    sa.Column('departure_place', sa.String(length=200), nullable=False),
    sa.Column('hotel', sa.String(length=200), nullable=False),
    sa.Column('check_in_on', sa.Date(), nullable=True),
    sa.Column('check_out_on', sa.Date(), nullable=True),
    sa.Column('dietary_needs', sa.Text(), nullable=True),
    sa.Column('accessibility_needs', sa.Text(), nullable=True),
    sa.Column('emergency_name', sa.Text(), nullable=True),
    sa.Column('emergency_phone', sa.Text(), nullable=True),
    sa.Column('locked_at', training.core.database.UTCDateTime(), nullable=True),
    sa.Column('locked_by_id', sa.Integer(), nullable=True),
    sa.Column('changed_after_lock', sa.Boolean(), nullable=False),
    sa.Column('passport_purged_at', training.core.database.UTCDateTime(), nullable=True),
    sa.Column('updated_at', training.core.database.UTCDateTime(), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['enrolment_id'], ['enrolments.id'], name=op.f('fk_travel_forms_enrolment_id_enrolments'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['locked_by_id'], ['users.id'], name=op.f('fk_travel_forms_locked_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_travel_forms_updated_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_travel_forms')),
    sa.UniqueConstraint('enrolment_id', name=op.f('uq_travel_forms_enrolment_id'))
    )


def downgrade():
    op.drop_table('travel_forms')
