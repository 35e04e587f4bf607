"""channel settings, delivery log, delivery statuses, webform receipts

Revision ID: 278dc3eba9a8
Revises: 48a2db82c9f8
Create Date: 2026-11-25 10:42:07.409618

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '278dc3eba9a8'
down_revision = '48a2db82c9f8'
branch_labels = None
depends_on = None

CHANNEL = sa.Enum('x', 'facebook', 'instagram', 'whatsapp', 'email', 'webform', name='channel', native_enum=False,
                  length=32)
BIG_ID = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')


def upgrade():
    op.create_table('channel_deliveries',
    sa.Column('id', BIG_ID, nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('channel', CHANNEL, nullable=True),
    sa.Column('account_id', sa.Integer(), nullable=True),
    sa.Column('source', sa.String(length=200), nullable=False),
    sa.Column('outcome', sa.Enum('accepted', 'duplicate', 'bad_signature', 'malformed', 'poll_failed', name='deliveryoutcome', native_enum=False, length=32), nullable=False),
    sa.Column('records', sa.Integer(), nullable=False),
    sa.Column('accepted', sa.Integer(), nullable=False),
    sa.Column('duplicates', sa.Integer(), nullable=False),
    sa.Column('rejected', sa.Integer(), nullable=False),
    sa.Column('status_updates', sa.Integer(), nullable=False),
    sa.Column('bytes', sa.Integer(), nullable=False),
    sa.Column('detail', sa.Text(), nullable=True),
    sa.Column('dead_letter_id', BIG_ID, nullable=True),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_channel_deliveries_account_id_accounts')),
    sa.ForeignKeyConstraint(['dead_letter_id'], ['dead_letters.id'], name=op.f('fk_channel_deliveries_dead_letter_id_dead_letters')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_channel_deliveries'))
    )
    with op.batch_alter_table('channel_deliveries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_channel_deliveries_account_id'), ['account_id'], unique=False)
        batch_op.create_index('ix_channel_deliveries_received', ['received_at'], unique=False)

    op.create_table('channel_settings',
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('platform_id', sa.String(length=200), nullable=True),
    sa.Column('options', sa.JSON(), nullable=False),
    sa.Column('imap_uid_validity', sa.BigInteger(), nullable=True),
    sa.Column('imap_last_uid', sa.BigInteger(), nullable=True),
    sa.Column('imap_polled_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('imap_error', sa.Text(), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_channel_settings_account_id_accounts')),
    sa.PrimaryKeyConstraint('account_id', name=op.f('pk_channel_settings'))
    )
    with op.batch_alter_table('channel_settings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_channel_settings_platform_id'), ['platform_id'], unique=False)

    op.create_table('message_delivery_statuses',
    sa.Column('id', BIG_ID, nullable=False),
    sa.Column('channel', CHANNEL, nullable=False),
    sa.Column('external_id', sa.String(length=255), nullable=False),
    sa.Column('message_id', BIG_ID, nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('error', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['message_id'], ['messages.id'], name=op.f('fk_message_delivery_statuses_message_id_messages')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_message_delivery_statuses')),
    sa.UniqueConstraint('channel', 'external_id', 'status', name=op.f('uq_message_delivery_statuses_channel_external_id_status'))
    )
    with op.batch_alter_table('message_delivery_statuses', schema=None) as batch_op:
        batch_op.create_index('ix_message_delivery_statuses_message', ['message_id', 'at'], unique=False)

    op.create_table('webform_receipts',
    sa.Column('id', BIG_ID, nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('external_id', sa.String(length=255), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=True),
    sa.Column('address_key', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_webform_receipts_account_id_accounts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_webform_receipts'))
    )
    with op.batch_alter_table('webform_receipts', schema=None) as batch_op:
        batch_op.create_index('ix_webform_receipts_address', ['address_key', 'created_at'], unique=False)
        batch_op.create_index('ix_webform_receipts_pending', ['sent_at', 'id'], unique=False)


def downgrade():
    with op.batch_alter_table('webform_receipts', schema=None) as batch_op:
        batch_op.drop_index('ix_webform_receipts_pending')
        batch_op.drop_index('ix_webform_receipts_address')
    op.drop_table('webform_receipts')
    with op.batch_alter_table('message_delivery_statuses', schema=None) as batch_op:
        batch_op.drop_index('ix_message_delivery_statuses_message')
    op.drop_table('message_delivery_statuses')
    with op.batch_alter_table('channel_settings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_channel_settings_platform_id'))
    op.drop_table('channel_settings')
    with op.batch_alter_table('channel_deliveries', schema=None) as batch_op:
        batch_op.drop_index('ix_channel_deliveries_received')
        batch_op.drop_index(batch_op.f('ix_channel_deliveries_account_id'))
    op.drop_table('channel_deliveries')
