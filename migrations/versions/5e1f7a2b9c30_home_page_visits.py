"""Home page visits

When a user last looked at the home page, and when the visit before the current one was, so
the overview can say what happened since their last visit.

Revision ID: 5e1f7a2b9c30
Revises: 5e1d0c0a7d13
Create Date: 2026-12-06 13:20:00.000000

"""
from alembic import op
import sqlalchemy as sa

import journal.models


# revision identifiers, used by Alembic.
revision = '5e1f7a2b9c30'
down_revision = '5e1d0c0a7d13'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('app_user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('visited_at', journal.models.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(
            sa.Column('previous_visit_at', journal.models.UTCDateTime(timezone=True), nullable=True)
        )


def downgrade():
    with op.batch_alter_table('app_user', schema=None) as batch_op:
        batch_op.drop_column('previous_visit_at')
        batch_op.drop_column('visited_at')
