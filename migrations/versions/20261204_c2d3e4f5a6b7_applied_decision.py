"""a case shows the decision that set its course, not merely the latest one

Revision ID: c2d3e4f5a6b7
Revises: b1c2d3e4f5a6
Create Date: 2026-12-04 17:00:00

"""
from alembic import op

revision = 'c2d3e4f5a6b7'
down_revision = 'b1c2d3e4f5a6'
branch_labels = None
depends_on = None


def _rename(old: str, new: str) -> None:
    # A plain rename on both engines: rebuilding the cases table on SQLite would reorder its indexes, and
    # SQLite, keeping no statistics, picks among equal indexes by their order.
    op.alter_column('cases', f'{old}_decision_id', new_column_name=f'{new}_decision_id')
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(
            f'ALTER TABLE cases RENAME CONSTRAINT fk_cases_{old}_decision_id_case_decisions '
            f'TO fk_cases_{new}_decision_id_case_decisions'
        )


def upgrade():
    _rename('latest', 'applied')
    # The course was set by the first decision or by a later one asking for more: the latest decision whose
    # action and priority are the case's own.
    op.execute(
        "UPDATE cases SET applied_decision_id = ("
        " SELECT MAX(d.id) FROM case_decisions d"
        " WHERE d.case_id = cases.id AND d.action = cases.action AND d.priority = cases.priority"
        ") WHERE applied_decision_id IS NOT NULL AND EXISTS ("
        " SELECT 1 FROM case_decisions d"
        " WHERE d.case_id = cases.id AND d.action = cases.action AND d.priority = cases.priority)"
    )


def downgrade():
    _rename('applied', 'latest')
