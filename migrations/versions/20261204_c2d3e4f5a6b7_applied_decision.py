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


def upgrade():
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_constraint('fk_cases_latest_decision_id_case_decisions', type_='foreignkey')
        batch_op.alter_column('latest_decision_id', new_column_name='applied_decision_id')
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.create_foreign_key(
            'fk_cases_applied_decision_id_case_decisions', 'case_decisions', ['applied_decision_id'], ['id'], use_alter=True
        )
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
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_constraint('fk_cases_applied_decision_id_case_decisions', type_='foreignkey')
        batch_op.alter_column('applied_decision_id', new_column_name='latest_decision_id')
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.create_foreign_key(
            'fk_cases_latest_decision_id_case_decisions', 'case_decisions', ['latest_decision_id'], ['id'], use_alter=True
        )
