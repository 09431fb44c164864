"""meetings: recurring meeting series, their participants and changed occurrences, action items,
and the hotline's contact points with their test log

Revision ID: 0009
Revises: 0007
"""
from alembic import op
import sqlalchemy as sa

import training.core.database


revision = '0009'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('contact_points',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('side', sa.String(length=2), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('organisation', sa.String(length=200), nullable=False),
    sa.Column('phone', sa.String(length=40), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('hours', sa.String(length=120), nullable=False),
    sa.Column('languages', sa.String(length=120), nullable=False),
    sa.Column('last_tested_at', training.core.database.UTCDateTime(), nullable=True),
    sa.Column('created_at', training.core.database.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_contact_points'))
    )
    with op.batch_alter_table('contact_points', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_contact_points_side'), ['side'], unique=False)

    op.create_table('meeting_series',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=80), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('title_zh', sa.String(length=200), nullable=False),
    sa.Column('side_a', sa.String(length=2), nullable=False),
    sa.Column('side_b', sa.String(length=2), nullable=False),
    sa.Column('timezone', sa.String(length=64), nullable=False),
    sa.Column('first_start', sa.DateTime(), nullable=False),
    sa.Column('starts_at', training.core.database.UTCDateTime(), nullable=False),
    sa.Column('duration_minutes', sa.Integer(), nullable=False),
    sa.Column('rrule', sa.String(length=300), nullable=False),
    sa.Column('location', sa.String(length=300), nullable=False),
    sa.Column('video_url', sa.String(length=500), nullable=False),
    sa.Column('organiser_name', sa.String(length=120), nullable=False),
    sa.Column('organiser_email', sa.String(length=254), nullable=False),
    sa.Column('status', sa.Enum('active', 'cancelled', name='meeting_series_status', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('sequence', sa.Integer(), nullable=False),
    sa.Column('continues_id', sa.Integer(), nullable=True),
    sa.Column('created_at', training.core.database.UTCDateTime(), nullable=False),
    sa.Column('updated_at', training.core.database.UTCDateTime(), nullable=False),
    sa.CheckConstraint('duration_minutes BETWEEN 1 AND 1440', name=op.f('ck_meeting_series_duration_range')),
    sa.CheckConstraint('side_a != side_b', name=op.f('ck_meeting_series_two_sides')),
    sa.ForeignKeyConstraint(['continues_id'], ['meeting_series.id'], name=op.f('fk_meeting_series_continues_id_meeting_series'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_meeting_series')),
    sa.UniqueConstraint('slug', name=op.f('uq_meeting_series_slug'))
    )
    with op.batch_alter_table('meeting_series', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_meeting_series_continues_id'), ['continues_id'], unique=False)

    op.create_table('contact_point_tests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('contact_point_id', sa.Integer(), nullable=False),
    sa.Column('tested_at', training.core.database.UTCDateTime(), nullable=False),
    sa.Column('tested_by_id', sa.Integer(), nullable=True),
    sa.Column('tested_by_name', sa.String(length=120), nullable=False),
    sa.Column('method', sa.String(length=40), nullable=False),
    sa.Column('result', sa.Enum('reached', 'late', 'unreached', name='contact_test_result', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['contact_point_id'], ['contact_points.id'], name=op.f('fk_contact_point_tests_contact_point_id_contact_points'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tested_by_id'], ['users.id'], name=op.f('fk_contact_point_tests_tested_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_contact_point_tests'))
    )
    with op.batch_alter_table('contact_point_tests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_contact_point_tests_contact_point_id'), ['contact_point_id'], unique=False)

    op.create_table('meeting_occurrences',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('series_id', sa.Integer(), nullable=False),
    sa.Column('recurrence_id', sa.DateTime(), nullable=False),
    sa.Column('status', sa.Enum('scheduled', 'moved', 'cancelled', name='meeting_occurrence_status', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('starts_at', training.core.database.UTCDateTime(), nullable=True),
    sa.Column('ends_at', training.core.database.UTCDateTime(), nullable=True),
    sa.Column('location', sa.String(length=300), nullable=False),
    sa.Column('agenda', sa.Text(), nullable=False),
    sa.Column('minutes_en', sa.Text(), nullable=False),
    sa.Column('minutes_zh', sa.Text(), nullable=False),
    sa.Column('updated_at', training.core.database.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['series_id'], ['meeting_series.id'], name=op.f('fk_meeting_occurrences_series_id_meeting_series'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_meeting_occurrences')),
    sa.UniqueConstraint('series_id', 'recurrence_id', name=op.f('uq_meeting_occurrences_series_id_recurrence_id'))
    )
    op.create_table('meeting_participants',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('series_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('language', sa.String(length=16), nullable=False),
    sa.ForeignKeyConstraint(['series_id'], ['meeting_series.id'], name=op.f('fk_meeting_participants_series_id_meeting_series'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_meeting_participants_user_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_meeting_participants')),
    sa.UniqueConstraint('series_id', 'email', name=op.f('uq_meeting_participants_series_id_email'))
    )
    with op.batch_alter_table('meeting_participants', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_meeting_participants_email'), ['email'], unique=False)
        batch_op.create_index(batch_op.f('ix_meeting_participants_user_id'), ['user_id'], unique=False)

    op.create_table('meeting_actions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('occurrence_id', sa.Integer(), nullable=False),
    sa.Column('series_id', sa.Integer(), nullable=False),
    sa.Column('what', sa.String(length=1000), nullable=False),
    sa.Column('side', sa.String(length=2), nullable=False),
    sa.Column('owner_name', sa.String(length=120), nullable=False),
    sa.Column('owner_email', sa.String(length=254), nullable=False),
    sa.Column('owner_user_id', sa.Integer(), nullable=True),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('status', sa.Enum('open', 'done', 'dropped', name='meeting_action_status', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('reminded_on', sa.Date(), nullable=True),
    sa.Column('created_at', training.core.database.UTCDateTime(), nullable=False),
    sa.Column('updated_at', training.core.database.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['occurrence_id'], ['meeting_occurrences.id'], name=op.f('fk_meeting_actions_occurrence_id_meeting_occurrences'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['owner_user_id'], ['users.id'], name=op.f('fk_meeting_actions_owner_user_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['series_id'], ['meeting_series.id'], name=op.f('fk_meeting_actions_series_id_meeting_series'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_meeting_actions'))
    )
    with op.batch_alter_table('meeting_actions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_meeting_actions_occurrence_id'), ['occurrence_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_meeting_actions_owner_user_id'), ['owner_user_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_meeting_actions_series_id'), ['series_id'], unique=False)



def downgrade():
    with op.batch_alter_table('meeting_actions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_meeting_actions_series_id'))
        batch_op.drop_index(batch_op.f('ix_meeting_actions_owner_user_id'))
        batch_op.drop_index(batch_op.f('ix_meeting_actions_occurrence_id'))

    op.drop_table('meeting_actions')
    with op.batch_alter_table('meeting_participants', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_meeting_participants_user_id'))
        batch_op.drop_index(batch_op.f('ix_meeting_participants_email'))

    op.drop_table('meeting_participants')
    op.drop_table('meeting_occurrences')
    with op.batch_alter_table('contact_point_tests', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_contact_point_tests_contact_point_id'))

    op.drop_table('contact_point_tests')
    with op.batch_alter_table('meeting_series', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_meeting_series_continues_id'))

    op.drop_table('meeting_series')
    with op.batch_alter_table('contact_points', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_contact_points_side'))

    op.drop_table('contact_points')
