"""an author's earlier cases by arrival (the case page's author panel)

Revision ID: 9c1d2e3f4a5b
Revises: 65e7ec67bff5
Create Date: 2026-12-01 20:10:00

"""
from alembic import op


revision = '9c1d2e3f4a5b'
down_revision = '65e7ec67bff5'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.create_index('ix_cases_author_first_inbound', ['author_id', 'first_inbound_at'], unique=False)


def downgrade():
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_index('ix_cases_author_first_inbound')
