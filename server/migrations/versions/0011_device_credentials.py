"""a tablet's device credential, and the unsent work each tablet reports

Revision ID: 0011_device_credentials
Revises: 0010_feedback
Create Date: 2026-12-07 23:40:00.000000

A device credential is a server-side session of its own kind (``device_credential``) held
by a device binding: only the SHA-256 of its token is kept, with the token it replaced for
a short grace period (server/accounts/credentials.py). Each pull reports how many changes
the tablet still holds unsent and the age of the oldest; the device row keeps them for the
desk's Tablets screen.
"""
import sqlalchemy as sa
from alembic import op

from server.common.types import UTCDateTime

# revision identifiers, used by Alembic.
revision = '0011_device_credentials'
down_revision = '0010_feedback'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('user_session') as batch:
        batch.add_column(sa.Column('token_hash', sa.String(length=64), nullable=True))
        batch.add_column(sa.Column('previous_hash', sa.String(length=64), nullable=True))
        batch.add_column(sa.Column('previous_until', UTCDateTime(), nullable=True))
        batch.add_column(sa.Column('rotated_at', UTCDateTime(), nullable=True))
        batch.create_index('ix_user_session_token', ['token_hash'])
        batch.create_index('ix_user_session_previous_token', ['previous_hash'])
    with op.batch_alter_table('device') as batch:
        batch.add_column(
            sa.Column('unsent_count', sa.Integer(), nullable=False, server_default='0')
        )
        batch.add_column(sa.Column('unsent_since', UTCDateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table('device') as batch:
        batch.drop_column('unsent_since')
        batch.drop_column('unsent_count')
    with op.batch_alter_table('user_session') as batch:
        batch.drop_index('ix_user_session_previous_token')
        batch.drop_index('ix_user_session_token')
        batch.drop_column('rotated_at')
        batch.drop_column('previous_until')
        batch.drop_column('previous_hash')
        batch.drop_column('token_hash')
