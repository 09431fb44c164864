"""personal data care: when an account was erased, when a document's contents were purged, and
audit entries that name a clearance requirement by its id as well as its key

Revision ID: 0007
Revises: 0006
"""
from alembic import op
import sqlalchemy as sa

import training.core.database


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def _name_requirements_by_id():
    """Clearance audit entries named a requirement by its key only; add its id so that the trail
    shows the requirement's title (a key is unique within its course, the entry's topic)."""
    bind = op.get_bind()
    requirements = sa.table('clearance_requirements', sa.column('id', sa.Integer),
                            sa.column('course_id', sa.Integer), sa.column('key', sa.String))
    entries = sa.table('audit_entries', sa.column('id', sa.Integer), sa.column('action', sa.String),
                       sa.column('topic', sa.String), sa.column('after', sa.JSON))
    ids = {(f"course:{row.course_id}", row.key): row.id
           for row in bind.execute(sa.select(requirements.c.id, requirements.c.course_id, requirements.c.key))}
    rows = bind.execute(sa.select(entries.c.id, entries.c.topic, entries.c.after)
                        .where(entries.c.action.like('clearance.%'))).all()
    for row in rows:
        after = row.after
        if not isinstance(after, dict) or "requirement_id" in after:
            continue
        found = ids.get((row.topic, after.get("requirement")))
        if found is not None:
            bind.execute(sa.update(entries).where(entries.c.id == row.id)
                         .values(after={**after, "requirement_id": found}))


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('erased_at', training.core.database.UTCDateTime(), nullable=True))
    with op.batch_alter_table('clearance_documents', schema=None) as batch_op:
        batch_op.add_column(sa.Column('purged_at', training.core.database.UTCDateTime(), nullable=True))
    _name_requirements_by_id()


def downgrade():
    with op.batch_alter_table('clearance_documents', schema=None) as batch_op:
        batch_op.drop_column('purged_at')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('erased_at')
