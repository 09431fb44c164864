"""clearance: requirements per course, each enrolment's state on them, documents, cleared_at,
and the lapsed status

Revision ID: 0006
Revises: 0005
"""
from alembic import op
import sqlalchemy as sa

import training.core.database


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

STATUSES_BEFORE = ('pending', 'confirmed', 'waitlisted', 'rejected', 'withdrawn', 'completed')
STATUSES_AFTER = STATUSES_BEFORE + ('lapsed',)


def _status_check(statuses):
    """The enrolments.status CHECK constraint admits exactly statuses (SQLite rebuilds the table)."""
    old = STATUSES_AFTER if statuses == STATUSES_BEFORE else STATUSES_BEFORE
    if op.get_bind().dialect.name == 'sqlite':
        with op.batch_alter_table('enrolments', schema=None, recreate='always') as batch_op:
            batch_op.alter_column(
                'status',
                existing_type=sa.Enum(*old, name='enrolment_status', native_enum=False, create_constraint=True),
                type_=sa.Enum(*statuses, name='enrolment_status', native_enum=False, create_constraint=True),
                existing_nullable=False)
        return
    op.drop_constraint(op.f('ck_enrolments_enrolment_status'), 'enrolments', type_='check')
    op.create_check_constraint(
        'enrolment_status', 'enrolments',
        sa.column('status').in_(statuses))


def upgrade():
    op.create_table('clearance_requirements',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=40), nullable=False),
    sa.Column('kind', sa.Enum('document', 'check', name='requirement_kind', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('title_zh', sa.String(length=200), nullable=False),
    sa.Column('instruction', sa.Text(), nullable=False),
    sa.Column('instruction_zh', sa.Text(), nullable=False),
    sa.Column('due_days_before_start', sa.Integer(), nullable=False),
    sa.Column('countries', sa.JSON(), nullable=True),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('created_at', training.core.database.UTCDateTime(), nullable=False),
    sa.CheckConstraint('due_days_before_start BETWEEN 0 AND 365', name=op.f('ck_clearance_requirements_due_days_range')),
    sa.ForeignKeyConstraint(['course_id'], ['courses.id'], name=op.f('fk_clearance_requirements_course_id_courses'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_clearance_requirements')),
    sa.UniqueConstraint('course_id', 'key', name=op.f('uq_clearance_requirements_course_id_key'))
    )
    op.create_table('clearance_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('enrolment_id', sa.Integer(), nullable=False),
    sa.Column('requirement_id', sa.Integer(), nullable=False),
    sa.Column('state', sa.Enum('missing', 'submitted', 'accepted', 'returned', name='clearance_item_state', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('decided_at', training.core.database.UTCDateTime(), nullable=True),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('due_at_override', training.core.database.UTCDateTime(), nullable=True),
    sa.Column('extension_reason', sa.Text(), nullable=True),
    sa.Column('reminded_for', training.core.database.UTCDateTime(), nullable=True),
    sa.Column('reminded_days', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_clearance_items_decided_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['enrolment_id'], ['enrolments.id'], name=op.f('fk_clearance_items_enrolment_id_enrolments'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['requirement_id'], ['clearance_requirements.id'], name=op.f('fk_clearance_items_requirement_id_clearance_requirements'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_clearance_items')),
    sa.UniqueConstraint('enrolment_id', 'requirement_id', name=op.f('uq_clearance_items_enrolment_id_requirement_id'))
    )
    with op.batch_alter_table('clearance_items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_clearance_items_requirement_id'), ['requirement_id'], unique=False)

    op.create_table('clearance_documents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('content_type', sa.String(length=40), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=True),
    sa.Column('uploaded_at', training.core.database.UTCDateTime(), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['item_id'], ['clearance_items.id'], name=op.f('fk_clearance_documents_item_id_clearance_items'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['users.id'], name=op.f('fk_clearance_documents_uploaded_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_clearance_documents'))
    )
    with op.batch_alter_table('clearance_documents', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_clearance_documents_item_id'), ['item_id'], unique=False)

    with op.batch_alter_table('enrolments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('cleared_at', training.core.database.UTCDateTime(), nullable=True))
    _status_check(STATUSES_AFTER)



def downgrade():
    op.execute("UPDATE enrolments SET status = 'withdrawn' WHERE status = 'lapsed'")
    _status_check(STATUSES_BEFORE)
    with op.batch_alter_table('enrolments', schema=None) as batch_op:
        batch_op.drop_column('cleared_at')

    with op.batch_alter_table('clearance_documents', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_clearance_documents_item_id'))

    op.drop_table('clearance_documents')
    with op.batch_alter_table('clearance_items', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_clearance_items_requirement_id'))

    op.drop_table('clearance_items')
    op.drop_table('clearance_requirements')
