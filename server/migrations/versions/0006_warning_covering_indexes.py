"""covering finding indexes for the early warnings

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-27 12:00:00.000000

Two finding indexes gain columns after the ones they had, so every query that used them
still can, and no index is added (each costs the push path's inserts):
ix_finding_received_at (received_at, then what the warnings' windows test and group by)
answers the repeat-finding, families-chasing and walkaround counts from the index alone;
ix_finding_service_area_source (service, area, source, then time and the repeat test)
names each repeat group's newest findings by a short seek.
"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

RECEIVED = ['received_at', 'service_id', 'deleted_at', 'kind', 'sentiment', 'area', 'source',
            'respondent_type', 'question_id', 'walkaround_id', 'follow_up_needed',
            'log_entry_id', 'id']
AREA = ['service_id', 'area', 'source', 'received_at', 'deleted_at', 'kind', 'sentiment', 'id']


def _swap(name: str, columns: list[str]) -> None:
    op.drop_index(name, table_name='finding')
    op.create_index(name, 'finding', columns, unique=False)


def upgrade():
    _swap('ix_finding_received_at', RECEIVED)
    _swap('ix_finding_service_area_source', AREA)


def downgrade():
    _swap('ix_finding_service_area_source', ['service_id', 'area', 'source'])
    _swap('ix_finding_received_at', ['received_at'])
