"""the case has one owner: spaced waits for replies, one collecting bundle per wave, log-sending accounts

Revision ID: b1c2d3e4f5a6
Revises: a7b8c9d0e1f2
Create Date: 2026-12-04 16:30:00

"""
import sqlalchemy as sa
from alembic import op

revision = 'b1c2d3e4f5a6'
down_revision = 'a7b8c9d0e1f2'
branch_labels = None
depends_on = None

# The demo municipality's accounts sent through the log connector by name; now by their own setting.
DEMO_ACCOUNTS = [
    ("x", "gemeentelindeburg"), ("x", "lindeburgnoord"), ("facebook", "gemeentelindeburg"),
    ("facebook", "lindeburgbuiten"), ("instagram", "gemeentelindeburg"), ("whatsapp", "+31600000123"),
    ("email", "info@lindeburg.example"), ("webform", "contact"),
]


def upgrade():
    with op.batch_alter_table('accounts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sends_to_log', sa.Boolean(), nullable=False, server_default=sa.false()))
    accounts = sa.table('accounts', sa.column('channel', sa.String), sa.column('handle', sa.String), sa.column('sends_to_log', sa.Boolean))
    for channel, handle in DEMO_ACCOUNTS:
        op.execute(accounts.update().where(accounts.c.channel == channel, accounts.c.handle == handle).values(sends_to_log=True))

    with op.batch_alter_table('messages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('deferrals', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('available_at', sa.DateTime(timezone=True), nullable=True))
    op.create_index(
        'ix_messages_waiting_for_parent', 'messages', ['channel', 'in_reply_to'], unique=False,
        sqlite_where=sa.text('available_at IS NOT NULL'), postgresql_where=sa.text('available_at IS NOT NULL'),
    )

    # Two workers could open two bundles for one wave; keep the first collecting, the others apart.
    op.execute(
        "UPDATE bundles SET cluster_key = cluster_key || ':' || CAST(id AS VARCHAR) "
        "WHERE status = 'collecting' AND id NOT IN "
        "(SELECT MIN(id) FROM bundles WHERE status = 'collecting' GROUP BY cluster_key)"
    )
    op.create_index(
        'uq_bundles_collecting_key', 'bundles', ['cluster_key'], unique=True,
        sqlite_where=sa.text("status = 'collecting'"), postgresql_where=sa.text("status = 'collecting'"),
    )


def downgrade():
    op.drop_index('uq_bundles_collecting_key', table_name='bundles')
    op.drop_index('ix_messages_waiting_for_parent', table_name='messages')
    with op.batch_alter_table('messages', schema=None) as batch_op:
        batch_op.drop_column('available_at')
        batch_op.drop_column('deferrals')
    with op.batch_alter_table('accounts', schema=None) as batch_op:
        batch_op.drop_column('sends_to_log')
