"""server-side sessions, second factors (TOTP) and recovery codes; provider sign-in settings

Revision ID: 0008_sessions
Revises: 0007
Create Date: 2026-12-07 17:30:00.000000

A session record per sign-in, whose id the signed cookie carries, so that logout and the
revocation of a tablet end a session at once on every node. Provider.settings holds the
sign-in settings a provider changed (idle timeout, lifetime, second factor required).
"""
import sqlalchemy as sa
from alembic import op

from server.common.types import UTCDateTime

# revision identifiers, used by Alembic.
revision = '0008_sessions'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    # Plain ALTER TABLE (no batch copy): copying provider would trip every foreign key
    # that points at it on SQLite.
    op.add_column('provider', sa.Column('settings', sa.JSON(), nullable=False,
                                        server_default=sa.text("'{}'")))
    op.create_table(
        'user_session',
        sa.Column('id', sa.Uuid(), nullable=False),
        sa.Column('user_id', sa.Uuid(), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('stage', sa.String(length=20), nullable=False),
        sa.Column('user_epoch', sa.Integer(), nullable=False),
        sa.Column('device_id', sa.Uuid(), nullable=True),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        sa.Column('last_seen_at', UTCDateTime(), nullable=False),
        sa.Column('idle_seconds', sa.Integer(), nullable=False),
        sa.Column('expires_at', UTCDateTime(), nullable=False),
        sa.Column('failed_codes', sa.Integer(), nullable=False),
        sa.Column('ended_at', UTCDateTime(), nullable=True),
        sa.Column('ended_reason', sa.String(length=30), nullable=True),
        sa.ForeignKeyConstraint(['device_id'], ['device.id']),
        sa.ForeignKeyConstraint(['user_id'], ['user_account.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_user_session_user_id', 'user_session', ['user_id'])
    op.create_index('ix_user_session_device', 'user_session', ['device_id'])
    op.create_table(
        'second_factor',
        sa.Column('user_id', sa.Uuid(), nullable=False),
        sa.Column('secret', sa.String(length=64), nullable=False),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        sa.Column('confirmed_at', UTCDateTime(), nullable=True),
        sa.Column('last_step', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['user_account.id']),
        sa.PrimaryKeyConstraint('user_id'),
    )
    op.create_table(
        'recovery_code',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Uuid(), nullable=False),
        sa.Column('code_hash', sa.String(length=64), nullable=False),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        sa.Column('used_at', UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['user_account.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('code_hash'),
    )
    op.create_index('ix_recovery_code_user_id', 'recovery_code', ['user_id'])


def downgrade():
    op.drop_index('ix_recovery_code_user_id', table_name='recovery_code')
    op.drop_table('recovery_code')
    op.drop_table('second_factor')
    op.drop_index('ix_user_session_device', table_name='user_session')
    op.drop_index('ix_user_session_user_id', table_name='user_session')
    op.drop_table('user_session')
    op.drop_column('provider', 'settings')  # SQLite 3.35+ drops a column in place
