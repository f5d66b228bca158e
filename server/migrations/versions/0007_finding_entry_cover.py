"""an entry's findings with their risk: the high-risk warning from the index alone

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-27 12:05:00.000000

ix_finding_log_entry_id gains, after log_entry_id, the columns the high-risk-without-
escalation warning tests of an entry's linked findings (risk, deleted_at, received_at,
service_id). It replaces the one-column index of the same name, so the push path keeps
the same number of finding indexes.
"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def _swap(columns: list[str]) -> None:
    op.drop_index('ix_finding_log_entry_id', table_name='finding')
    op.create_index('ix_finding_log_entry_id', 'finding', columns, unique=False)


def upgrade():
    _swap(['log_entry_id', 'risk', 'deleted_at', 'received_at', 'service_id'])


def downgrade():
    _swap(['log_entry_id'])
