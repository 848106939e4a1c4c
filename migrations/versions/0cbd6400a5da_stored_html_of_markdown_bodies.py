"""Stored HTML of Markdown bodies

Texts keep their sanitized HTML beside them, rendered when written. Existing rows start
without it (rendered on reading) until `flask init-db`, which runs this migration, renders
them (journal/cli.py render_stale_markdown).

Revision ID: 0cbd6400a5da
Revises: 29ba881784f8
Create Date: 2026-12-06 11:10:12.462144

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0cbd6400a5da'
down_revision = '29ba881784f8'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('journal_section', schema=None) as batch_op:
        batch_op.add_column(sa.Column('body_html', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('body_html_version', sa.Integer(), nullable=True))

    with op.batch_alter_table('note', schema=None) as batch_op:
        batch_op.add_column(sa.Column('body_html', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('body_html_version', sa.Integer(), nullable=True))

    with op.batch_alter_table('reply', schema=None) as batch_op:
        batch_op.add_column(sa.Column('body_html', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('body_html_version', sa.Integer(), nullable=True))



def downgrade():
    with op.batch_alter_table('reply', schema=None) as batch_op:
        batch_op.drop_column('body_html_version')
        batch_op.drop_column('body_html')

    with op.batch_alter_table('note', schema=None) as batch_op:
        batch_op.drop_column('body_html_version')
        batch_op.drop_column('body_html')

    with op.batch_alter_table('journal_section', schema=None) as batch_op:
        batch_op.drop_column('body_html_version')
        batch_op.drop_column('body_html')

