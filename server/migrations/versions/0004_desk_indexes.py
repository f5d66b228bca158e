"""desk indexes: early warnings, the dashboard and improvement measures at scale

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27 09:00:00.000000

Each new index extends one it replaces (same leading columns), so every query that used
the old one can use the new one; docs/performance.md ("Desk on the large provider") has
the plans.
"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_finding_service_triage_risk', 'finding',
                    ['service_id', 'triage_state', 'risk', 'received_at'], unique=False)
    op.drop_index('ix_finding_service_triage', table_name='finding')
    op.create_index('ix_entry_service_status_due', 'log_entry',
                    ['service_id', 'status', 'due_date'], unique=False)
    op.drop_index('ix_entry_service_status', table_name='log_entry')
    op.create_index('ix_entry_service_original_due', 'log_entry',
                    ['service_id', 'original_due_date'], unique=False)
    op.create_index('ix_entry_service_created', 'log_entry', ['service_id', 'created_at'],
                    unique=False)
    op.create_index('ix_evidence_ref_entry_live', 'evidence_ref',
                    ['entry_id', 'deleted_at', 'type', 'evidence_date'], unique=False)


def downgrade():
    op.drop_index('ix_evidence_ref_entry_live', table_name='evidence_ref')
    op.drop_index('ix_entry_service_created', table_name='log_entry')
    op.drop_index('ix_entry_service_original_due', table_name='log_entry')
    op.create_index('ix_entry_service_status', 'log_entry', ['service_id', 'status'],
                    unique=False)
    op.drop_index('ix_entry_service_status_due', table_name='log_entry')
    op.create_index('ix_finding_service_triage', 'finding', ['service_id', 'triage_state'],
                    unique=False)
    op.drop_index('ix_finding_service_triage_risk', table_name='finding')
