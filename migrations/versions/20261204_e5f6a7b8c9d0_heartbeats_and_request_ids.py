"""heartbeats of the worker and scheduler; the request id that took a message in; cases by first response

Revision ID: e5f6a7b8c9d0
Revises: c2d3e4f5a6b7
Create Date: 2026-12-04 16:00:00

"""
import sqlalchemy as sa
from alembic import op



revision = 'e5f6a7b8c9d0'
down_revision = 'c2d3e4f5a6b7'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'heartbeats',
        sa.Column('process', sa.String(length=40), nullable=False),
        sa.Column('last_success_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('process', name=op.f('pk_heartbeats')),
    )
    with op.batch_alter_table('messages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('request_id', sa.String(length=64), nullable=True))
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.create_index('ix_cases_first_response_at', ['first_response_at'], unique=False)


def downgrade():
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_index('ix_cases_first_response_at')
    with op.batch_alter_table('messages', schema=None) as batch_op:
        batch_op.drop_column('request_id')
    op.drop_table('heartbeats')
