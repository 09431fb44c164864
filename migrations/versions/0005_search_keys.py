"""search keys: a course's searchable text folded (case, accents, hyphens), filled for every course

Revision ID: 0005
Revises: 0004
"""
from alembic import op
import sqlalchemy as sa

from training.core.search import search_key


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

BATCH = 500


def upgrade():
    with op.batch_alter_table('courses', schema=None) as batch_op:
        batch_op.add_column(sa.Column('search_key', sa.Text(), server_default='', nullable=False))

    # The same folding the application applies on every save, so old and new courses match alike.
    courses = sa.table('courses', sa.column('id', sa.Integer), sa.column('title', sa.String),
                       sa.column('title_zh', sa.String), sa.column('description', sa.Text),
                       sa.column('description_zh', sa.Text), sa.column('city', sa.String),
                       sa.column('venue', sa.String), sa.column('search_key', sa.Text))
    connection = op.get_bind()
    rows = connection.execute(sa.select(courses.c.id, courses.c.title, courses.c.title_zh, courses.c.description,
                                        courses.c.description_zh, courses.c.city, courses.c.venue)
                              .order_by(courses.c.id)).all()
    keys = [{'key_id': row.id, 'key': search_key(row.title, row.title_zh, row.description, row.description_zh,
                                                 row.city, row.venue)} for row in rows]
    update = (courses.update().where(courses.c.id == sa.bindparam('key_id'))
              .values(search_key=sa.bindparam('key')))
    for start in range(0, len(keys), BATCH):
        connection.execute(update, keys[start:start + BATCH])


def downgrade():
    with op.batch_alter_table('courses', schema=None) as batch_op:
        batch_op.drop_column('search_key')
