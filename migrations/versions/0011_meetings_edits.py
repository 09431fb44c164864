"""meetings edits: a contact point is retired, not deleted, so that its test log stays

Revision ID: 0011
Revises: 0009
"""
from alembic import op
import sqlalchemy as sa

import training.core.database


revision = '0011'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('contact_points', schema=None) as batch_op:
        batch_op.add_column(sa.Column('retired_at', training.core.database.UTCDateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table('contact_points', schema=None) as batch_op:
        batch_op.drop_column('retired_at')
