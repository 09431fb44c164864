"""session and credentials versions: a new password, a sign-out or "sign out everywhere" ends
the sessions and API tokens made before it

Revision ID: 0003
Revises: 0002
"""
from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_version', sa.Integer(), server_default='1', nullable=False))
        batch_op.add_column(sa.Column('credentials_version', sa.Integer(), server_default='1', nullable=False))
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.add_column(sa.Column('credentials_version', sa.Integer(), server_default='1', nullable=False))


def downgrade():
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.drop_column('credentials_version')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('credentials_version')
        batch_op.drop_column('session_version')
