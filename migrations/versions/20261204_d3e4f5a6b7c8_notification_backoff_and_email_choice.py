"""notification e-mails retried with backoff; each person chooses what reaches them by e-mail

Revision ID: d3e4f5a6b7c8
Revises: a2b3c4d5e6f8
Create Date: 2026-12-04 17:20:00

"""
import sqlalchemy as sa
from alembic import op

revision = 'd3e4f5a6b7c8'
down_revision = 'a2b3c4d5e6f8'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('email_next_at', sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('email_notifications', sa.String(length=16), nullable=False, server_default='all'))


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('email_notifications')
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_column('email_next_at')
