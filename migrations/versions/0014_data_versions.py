"""data versions: one number per course, symposium, series, person's own feed and the catalogue,
raised by every change to what its pages and feeds show

Revision ID: 0014
Revises: 0013
"""
from alembic import op
import sqlalchemy as sa


revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade():
    # Empty at first: a scope without a row is at version 0, and every worker's kept pages
    # start empty too (they live in memory), so nothing drawn before the upgrade is reused.
    op.create_table('data_versions',
    sa.Column('scope', sa.String(length=16), nullable=False),
    sa.Column('key', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('version', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('scope', 'key', name=op.f('pk_data_versions'))
    )


def downgrade():
    op.drop_table('data_versions')
