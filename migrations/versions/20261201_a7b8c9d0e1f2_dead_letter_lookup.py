"""dead letters looked up by source and reference (a retried malformed webhook delivery)

Revision ID: a7b8c9d0e1f2
Revises: 9c1d2e3f4a5b
Create Date: 2026-12-01 22:00:00

"""
from alembic import op


revision = 'a7b8c9d0e1f2'
down_revision = '9c1d2e3f4a5b'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('dead_letters', schema=None) as batch_op:
        batch_op.create_index('ix_dead_letters_source_reference', ['source', 'reference'], unique=False)


def downgrade():
    with op.batch_alter_table('dead_letters', schema=None) as batch_op:
        batch_op.drop_index('ix_dead_letters_source_reference')
