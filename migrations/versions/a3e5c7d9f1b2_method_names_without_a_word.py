"""Method names without a word

A method whose name has no word ("🙂") had an empty name key, so any second such name was
refused as the same. Its key is now the name itself, case aside (methods/operations.name_key).
At most one row can hold the empty key (the column is unique).

Revision ID: a3e5c7d9f1b2
Revises: b7c41d2e9f05
Create Date: 2026-12-08 04:10:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a3e5c7d9f1b2'
down_revision = 'b7c41d2e9f05'
branch_labels = None
depends_on = None

method = sa.table('method', sa.column('id', sa.Integer), sa.column('name', sa.String),
                  sa.column('name_key', sa.String))


def upgrade():
    bind = op.get_bind()
    for id_, name in bind.execute(sa.select(method.c.id, method.c.name).where(method.c.name_key == '')):
        bind.execute(method.update().where(method.c.id == id_).values(name_key=name.strip().casefold()))


def downgrade():
    pass  # the old key is recomputed by nobody: an emptied key would only refuse names again
