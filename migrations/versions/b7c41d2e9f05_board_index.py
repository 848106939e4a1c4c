"""The board's covering index on note, on SQLite

Counting a group's visible notes for the board's token (and the list's visibility rule) reads
ix_note_board alone instead of every note row of the group. Not on PostgreSQL (see the model).

Revision ID: b7c41d2e9f05
Revises: c2fa802e8f2a
Create Date: 2026-12-07 04:35:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'b7c41d2e9f05'
down_revision = 'c2fa802e8f2a'
branch_labels = None
depends_on = None

COLUMNS = ['group_id', 'deleted_at', 'mentor_only', 'hidden_at', 'author_id', 'updated_at']


def upgrade():
    if op.get_bind().dialect.name != 'sqlite':
        return
    with op.batch_alter_table('note', schema=None) as batch_op:
        batch_op.create_index('ix_note_board', COLUMNS, unique=False)


def downgrade():
    if op.get_bind().dialect.name != 'sqlite':
        return
    with op.batch_alter_table('note', schema=None) as batch_op:
        batch_op.drop_index('ix_note_board')
