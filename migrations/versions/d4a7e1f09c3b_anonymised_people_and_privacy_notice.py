"""Anonymised people and the privacy notice

When the coordinator anonymised a former member (issue 17): their name and email are replaced
by a label, and the account is marked so it is never offered for anonymising again. The
privacy notice (adatkezelési tájékoztató) the coordinator writes, one versioned row.

Revision ID: d4a7e1f09c3b
Revises: e83b481aa252
Create Date: 2026-12-06 15:45:00.000000

"""
from alembic import op
import sqlalchemy as sa

import journal.models


# revision identifiers, used by Alembic.
revision = 'd4a7e1f09c3b'
down_revision = 'e83b481aa252'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('app_user', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('anonymised_at', journal.models.UTCDateTime(timezone=True), nullable=True)
        )
    op.create_table('privacy_notice',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('updated_at', journal.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('body_html', sa.Text(), nullable=True),
    sa.Column('body_html_version', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['updated_by_id'], ['app_user.id'], name=op.f('fk_privacy_notice_updated_by_id_app_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_privacy_notice'))
    )


def downgrade():
    op.drop_table('privacy_notice')
    with op.batch_alter_table('app_user', schema=None) as batch_op:
        batch_op.drop_column('anonymised_at')
