"""the job runner: jobs, the files they made, the periodic schedule, the workers

Revision ID: 0014_jobs
Revises: 0013_sign_off
Create Date: 2026-12-08 02:10:00.000000

One job runner for the server (server/jobs, docs/deployment.md): ``flask worker`` claims
queued jobs from ``job`` (FOR UPDATE SKIP LOCKED on PostgreSQL, a conditional UPDATE on
SQLite), keeps what a report job made in ``job_file`` under a key of what it shows, takes
its turn at each periodic job through ``job_schedule`` and says it is alive in
``job_worker``.
"""
import sqlalchemy as sa
from alembic import op

from server.common.types import UTCDateTime

# revision identifiers, used by Alembic.
revision = '0014_jobs'
down_revision = '0013_sign_off'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'job',
        sa.Column('id', sa.Uuid(), nullable=False),
        sa.Column('kind', sa.String(length=60), nullable=False),
        sa.Column('params', sa.JSON(), nullable=False),
        sa.Column('status', sa.String(length=10), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('max_attempts', sa.Integer(), nullable=False),
        sa.Column('run_after', UTCDateTime(), nullable=False),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        sa.Column('started_at', UTCDateTime(), nullable=True),
        sa.Column('finished_at', UTCDateTime(), nullable=True),
        sa.Column('worker', sa.String(length=120), nullable=True),
        sa.Column('user_id', sa.Uuid(), nullable=True),
        sa.Column('result_key', sa.String(length=64), nullable=True),
        sa.Column('error', sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_job_queue', 'job', ['status', 'run_after'])
    op.create_index('ix_job_user_id', 'job', ['user_id'])
    op.create_table(
        'job_file',
        sa.Column('key', sa.String(length=64), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('content_type', sa.String(length=60), nullable=False),
        sa.Column('content', sa.LargeBinary(), nullable=False),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint('key'),
    )
    op.create_index('ix_job_file_created_at', 'job_file', ['created_at'])
    op.create_table(
        'job_schedule',
        sa.Column('name', sa.String(length=60), nullable=False),
        sa.Column('next_run_at', UTCDateTime(), nullable=False),
        sa.Column('last_run_at', UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint('name'),
    )
    op.create_table(
        'job_worker',
        sa.Column('name', sa.String(length=120), nullable=False),
        sa.Column('seen_at', UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint('name'),
    )


def downgrade():
    op.drop_table('job_worker')
    op.drop_table('job_schedule')
    op.drop_index('ix_job_file_created_at', table_name='job_file')
    op.drop_table('job_file')
    op.drop_index('ix_job_user_id', table_name='job')
    op.drop_index('ix_job_queue', table_name='job')
    op.drop_table('job')
