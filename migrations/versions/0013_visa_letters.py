"""visa letters: issued invitation letters with their verification codes, and what a course's letters say

Revision ID: 0013
Revises: 0012
"""
from alembic import op
import sqlalchemy as sa

import training.core.database


revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('courses', schema=None) as batch_op:
        batch_op.add_column(sa.Column('letter_issuer', sa.String(length=200), server_default='', nullable=False))
        batch_op.add_column(sa.Column('letter_issuer_zh', sa.String(length=200), server_default='', nullable=False))
        batch_op.add_column(sa.Column('letter_letterhead', sa.Text(), server_default='', nullable=False))
        batch_op.add_column(sa.Column('letter_signatory_name', sa.String(length=120), server_default='', nullable=False))
        batch_op.add_column(sa.Column('letter_signatory_title', sa.String(length=200), server_default='', nullable=False))
        batch_op.add_column(sa.Column('letter_signatory_title_zh', sa.String(length=200), server_default='', nullable=False))
        batch_op.add_column(sa.Column('letter_costs', sa.Text(), server_default='', nullable=False))
        batch_op.add_column(sa.Column('letter_costs_zh', sa.Text(), server_default='', nullable=False))

    op.create_table(
        'visa_letters',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('code', sa.String(length=32), nullable=False),
        sa.Column('enrolment_id', sa.Integer(), nullable=False),
        sa.Column('issued_at', training.core.database.UTCDateTime(), nullable=False),
        sa.Column('issued_by_id', sa.Integer(), nullable=True),
        sa.Column('revoked_at', training.core.database.UTCDateTime(), nullable=True),
        sa.Column('revoked_by_id', sa.Integer(), nullable=True),
        sa.Column('revoked_reason', sa.String(length=500), nullable=False),
        sa.Column('form_changed_at', training.core.database.UTCDateTime(), nullable=True),
        sa.Column('person_name', sa.String(length=120), nullable=False),
        sa.Column('course_title', sa.String(length=200), nullable=False),
        sa.Column('course_title_zh', sa.String(length=200), nullable=False),
        sa.Column('starts_on', sa.Date(), nullable=False),
        sa.Column('ends_on', sa.Date(), nullable=False),
        sa.Column('issuer', sa.String(length=200), nullable=False),
        sa.Column('issuer_zh', sa.String(length=200), nullable=False),
        sa.Column('city', sa.String(length=200), nullable=False),
        sa.Column('venue', sa.String(length=200), nullable=False),
        sa.Column('host_country', sa.String(length=2), nullable=False),
        sa.Column('languages', sa.String(length=32), nullable=False),
        sa.Column('letterhead', sa.Text(), nullable=False),
        sa.Column('signatory_name', sa.String(length=120), nullable=False),
        sa.Column('signatory_title', sa.String(length=200), nullable=False),
        sa.Column('signatory_title_zh', sa.String(length=200), nullable=False),
        sa.Column('costs', sa.Text(), nullable=False),
        sa.Column('costs_zh', sa.Text(), nullable=False),
        sa.CheckConstraint('ends_on >= starts_on', name=op.f('ck_visa_letters_ends_after_start')),
        sa.ForeignKeyConstraint(['enrolment_id'], ['enrolments.id'], name=op.f('fk_visa_letters_enrolment_id_enrolments'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['issued_by_id'], ['users.id'], name=op.f('fk_visa_letters_issued_by_id_users'), ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['revoked_by_id'], ['users.id'], name=op.f('fk_visa_letters_revoked_by_id_users'), ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_visa_letters')),
        sa.UniqueConstraint('code', name=op.f('uq_visa_letters_code')),
    )
    with op.batch_alter_table('visa_letters', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_visa_letters_enrolment_id'), ['enrolment_id'], unique=False)
        batch_op.create_index('uq_visa_letters_current', ['enrolment_id'], unique=True,
                              sqlite_where=sa.text('revoked_at IS NULL'),
                              postgresql_where=sa.text('revoked_at IS NULL'))


def downgrade():
    with op.batch_alter_table('visa_letters', schema=None) as batch_op:
        batch_op.drop_index('uq_visa_letters_current')
        batch_op.drop_index(batch_op.f('ix_visa_letters_enrolment_id'))
    op.drop_table('visa_letters')
    with op.batch_alter_table('courses', schema=None) as batch_op:
        for column in ('letter_costs_zh', 'letter_costs', 'letter_signatory_title_zh', 'letter_signatory_title',
                       'letter_signatory_name', 'letter_letterhead', 'letter_issuer_zh', 'letter_issuer'):
            batch_op.drop_column(column)
