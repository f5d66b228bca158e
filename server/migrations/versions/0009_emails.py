"""an email is unique per provider, not across the server

Revision ID: 0009_emails
Revises: 0008_sessions
Create Date: 2026-12-07 18:00:00.000000

One provider's admin could learn that an address was held somewhere, and take another
provider's staff address by creating it first. Each provider now has its own addresses;
sign-in looks the email up alone (a plain index) and checks the password against each
active account that has it (server/accounts/services.py).
"""
from contextlib import contextmanager

from alembic import op

# revision identifiers, used by Alembic.
revision = '0009_emails'
down_revision = '0008_sessions'
branch_labels = None
depends_on = None

# Migration 0001 made the email unique without naming the constraint: PostgreSQL named it
# user_account_email_key; on SQLite it has no name, so the batch copy gives it this one.
SQLITE_NAMES = {"uq": "uq_%(table_name)s_%(column_0_name)s"}


def _old_unique_name() -> str:
    if op.get_bind().dialect.name == "postgresql":
        return "user_account_email_key"
    return "uq_user_account_email"


@contextmanager
def _foreign_keys_off():
    """SQLite copies the table to change a constraint, and dropping the old copy breaks every
    reference to it while foreign keys are on. As SQLite's own recipe for such changes says:
    turn them off (only possible between transactions), do the copy in a transaction of its
    own, check every reference holds, and turn them on again."""
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        yield
        return
    raw = bind.connection.driver_connection  # isolation_level None: we say where BEGIN is
    if raw.in_transaction:
        raw.execute("COMMIT")
    raw.execute("PRAGMA foreign_keys = OFF")
    raw.execute("BEGIN IMMEDIATE")
    try:
        yield
        broken = raw.execute("PRAGMA foreign_key_check").fetchall()
        if broken:
            raise RuntimeError(f"References broken by the copy of user_account: {broken}")
        raw.execute("COMMIT")
    except BaseException:
        raw.execute("ROLLBACK")
        raise
    finally:
        raw.execute("PRAGMA foreign_keys = ON")
    raw.execute("BEGIN")  # alembic records the new revision in a transaction of its own


def upgrade():
    with _foreign_keys_off(), op.batch_alter_table(
            'user_account', naming_convention=SQLITE_NAMES) as batch:
        batch.drop_constraint(_old_unique_name(), type_='unique')
        batch.create_unique_constraint('uq_user_account_provider_email',
                                       ['provider_id', 'email'])
        batch.create_index('ix_user_account_email', ['email'], unique=False)


def downgrade():
    # Fails, as it should, while two providers hold the same address.
    with _foreign_keys_off(), op.batch_alter_table(
            'user_account', naming_convention=SQLITE_NAMES) as batch:
        batch.drop_index('ix_user_account_email')
        batch.drop_constraint('uq_user_account_provider_email', type_='unique')
        batch.create_unique_constraint(_old_unique_name(), ['email'])
