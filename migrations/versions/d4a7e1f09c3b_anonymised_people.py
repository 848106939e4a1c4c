"""Anonymised people

When the coordinator anonymised a former member (issue 17): their name and email are replaced
by a label, and the account is marked so it is never offered for anonymising again.

Revision ID: d4a7e1f09c3b
Revises: 7a78852cd864
Create Date: 2026-12-06 15:45:00.000000

"""
from alembic import op
import sqlalchemy as sa

import journal.models


# revision identifiers, used by Alembic.
revision = 'd4a7e1f09c3b'
down_revision = '7a78852cd864'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('app_user', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('anonymised_at', journal.models.UTCDateTime(timezone=True), nullable=True)
        )


def downgrade():
    with op.batch_alter_table('app_user', schema=None) as batch_op:
        batch_op.drop_column('anonymised_at')
