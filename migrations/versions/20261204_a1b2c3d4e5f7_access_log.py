"""access log: who opened which case, payload or export (append-only)

Revision ID: a1b2c3d4e5f7
Revises: f6a7b8c9d0e1
Create Date: 2026-12-04 16:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'a1b2c3d4e5f7'
down_revision = 'f6a7b8c9d0e1'
branch_labels = None
depends_on = None

APPEND_ONLY_SQLITE = """
CREATE TRIGGER access_log_append_only_{verb} BEFORE {verb} ON access_log
BEGIN SELECT RAISE(ABORT, 'the access log is append-only'); END
"""

APPEND_ONLY_POSTGRESQL = """
CREATE FUNCTION access_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN RAISE EXCEPTION 'the access log is append-only'; END $$;
CREATE TRIGGER access_log_append_only BEFORE UPDATE OR DELETE ON access_log
FOR EACH ROW EXECUTE FUNCTION access_log_append_only();
"""


def upgrade():
    op.create_table('access_log',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.Enum('case_view', 'payload_view', 'export', name='accesskind', native_enum=False, length=32), nullable=False),
    sa.Column('case_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('author_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('what', sa.String(length=200), nullable=False),
    sa.Column('address', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_access_log_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_access_log'))
    )
    with op.batch_alter_table('access_log', schema=None) as batch_op:
        batch_op.create_index('ix_access_log_author_at', ['author_id', 'at'], unique=False)
        batch_op.create_index('ix_access_log_case_at', ['case_id', 'at'], unique=False)
        batch_op.create_index('ix_access_log_user_at', ['user_id', 'at'], unique=False)
    if op.get_bind().dialect.name == "postgresql":
        op.execute(APPEND_ONLY_POSTGRESQL)
    else:
        for verb in ("UPDATE", "DELETE"):
            op.execute(APPEND_ONLY_SQLITE.format(verb=verb))


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER access_log_append_only ON access_log")
        op.execute("DROP FUNCTION access_log_append_only()")
    else:
        op.execute("DROP TRIGGER access_log_append_only_UPDATE")
        op.execute("DROP TRIGGER access_log_append_only_DELETE")
    op.drop_table('access_log')
