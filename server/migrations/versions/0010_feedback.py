"""feedback as people give it: a safeguarding flag on findings, safeguarding steps on services

Revision ID: 0010_feedback
Revises: 0009_emails
Create Date: 2026-12-07 23:30:00.000000

A finding may be marked "this may be a safeguarding concern" (it is then high risk), and
each service holds the provider's own safeguarding steps that the tablet shows beside that
flag. Both columns start empty for existing rows: no finding was flagged before.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0010_feedback'
down_revision = '0009_emails'
branch_labels = None
depends_on = None


def upgrade():
    # Plain ALTER TABLE (no batch copy): copying either table would trip the foreign keys
    # that point at it on SQLite.
    op.add_column('finding', sa.Column('safeguarding_concern', sa.Boolean(), nullable=False,
                                       server_default=sa.false()))
    op.add_column('service', sa.Column('safeguarding_steps', sa.Text(), nullable=False,
                                       server_default=''))


def downgrade():
    op.drop_column('service', 'safeguarding_steps')  # SQLite 3.35+ drops a column in place
    op.drop_column('finding', 'safeguarding_concern')
