"""the framework in force: which CQC framework version a provider works to

Revision ID: 0012_framework_in_force
Revises: 0011_device_credentials
Create Date: 2026-12-08 02:10:00.000000

``provider.framework_id`` names the version its evidence pack, statement pickers and
suggestions default to. Empty means the default, the 2023 single assessment framework's
quality statements (server.framework.services.DEFAULT_FRAMEWORK), so existing providers
keep today's behaviour.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0012_framework_in_force'
down_revision = '0011_device_credentials'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('provider', sa.Column('framework_id', sa.String(length=40), nullable=True))


def downgrade():
    # In place (SQLite 3.35+): a batch copy would drop the provider table every other
    # table refers to, which foreign keys refuse.
    op.drop_column('provider', 'framework_id')
