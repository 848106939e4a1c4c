"""Program settings (association, grant, journal due days) and each user's last reminder day

Revision ID: 5e1d0c0a7d13
Revises: 0cbd6400a5da
Create Date: 2026-12-06 13:10:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5e1d0c0a7d13'
down_revision = '0cbd6400a5da'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('program', schema=None) as batch_op:
        batch_op.add_column(sa.Column('association', sa.String(length=300), server_default='', nullable=False))
        batch_op.add_column(sa.Column('grant_id', sa.String(length=100), server_default='', nullable=False))
        batch_op.add_column(sa.Column('journal_due_days', sa.Integer(), server_default='7', nullable=False))

    with op.batch_alter_table('app_user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reminded_on', sa.Date(), nullable=True))


def downgrade():
    with op.batch_alter_table('app_user', schema=None) as batch_op:
        batch_op.drop_column('reminded_on')

    with op.batch_alter_table('program', schema=None) as batch_op:
        batch_op.drop_column('journal_due_days')
        batch_op.drop_column('grant_id')
        batch_op.drop_column('association')
