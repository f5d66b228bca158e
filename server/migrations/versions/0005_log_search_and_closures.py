"""log search index and the weak-closure window: desk screens on a large provider

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-27 11:00:00.000000

The log search (a case-insensitive substring of concern or decision, server/log/search.py)
gets a trigram index. SQLite: an FTS5 table with the trigram tokenizer whose content is
log_entry itself (external content: the text is not stored twice), kept in step by three
triggers, and built for the entries already there ('rebuild'). PostgreSQL: pg_trgm GIN
indexes on lower(concern) and lower(decision), which serve ``LIKE '%…%'`` directly.
Neither is in the models; server.log.search.include_object keeps autogenerate off them.

Two indexes on log_entry answer the desk's signals from the index alone (the table rows,
with their text, are not read): ix_entry_service_status_closed (new) for weak closure
evidence's window of closures, and ix_entry_service_status_due, rebuilt with more columns
after the same three (every query that used it still can) for the counts and the
signals over entries not yet closed. ix_entry_service_escalation finds a month's
escalation decisions for the governance report without reading the whole log.

A later batch migration that rebuilds log_entry on SQLite (copy, drop, rename) drops the
triggers and may renumber rowids: it must recreate the triggers and 'rebuild' the index.
"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

FTS = "log_entry_fts"
SQLITE_UP = [
    f"CREATE VIRTUAL TABLE {FTS} USING fts5(concern, decision, content='log_entry', "
    "content_rowid='rowid', tokenize='trigram')",
    f"CREATE TRIGGER {FTS}_insert AFTER INSERT ON log_entry BEGIN "
    f"INSERT INTO {FTS}(rowid, concern, decision) "
    "VALUES (new.rowid, new.concern, new.decision); END",
    f"CREATE TRIGGER {FTS}_delete AFTER DELETE ON log_entry BEGIN "
    f"INSERT INTO {FTS}({FTS}, rowid, concern, decision) "
    "VALUES ('delete', old.rowid, old.concern, old.decision); END",
    # Only when the text changes: a status change leaves the index alone.
    f"CREATE TRIGGER {FTS}_update AFTER UPDATE OF concern, decision ON log_entry BEGIN "
    f"INSERT INTO {FTS}({FTS}, rowid, concern, decision) "
    "VALUES ('delete', old.rowid, old.concern, old.decision); "
    f"INSERT INTO {FTS}(rowid, concern, decision) "
    "VALUES (new.rowid, new.concern, new.decision); END",
    f"INSERT INTO {FTS}({FTS}) VALUES ('rebuild')",
]
SQLITE_DOWN = [
    f"DROP TRIGGER IF EXISTS {FTS}_update",
    f"DROP TRIGGER IF EXISTS {FTS}_delete",
    f"DROP TRIGGER IF EXISTS {FTS}_insert",
    f"DROP TABLE IF EXISTS {FTS}",
]
POSTGRESQL_UP = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX ix_entry_concern_trgm ON log_entry USING gin (lower(concern) gin_trgm_ops)",
    "CREATE INDEX ix_entry_decision_trgm ON log_entry USING gin "
    "(lower(decision) gin_trgm_ops)",
]
# The extension stays: other objects may use it, and it costs nothing unused.
POSTGRESQL_DOWN = [
    "DROP INDEX IF EXISTS ix_entry_decision_trgm",
    "DROP INDEX IF EXISTS ix_entry_concern_trgm",
]


def _run(statements: list[str]) -> None:
    for statement in statements:
        op.execute(statement)


OPEN_SIGNALS = ['service_id', 'status', 'due_date', 'deleted_at', 'escalation_decision',
                'risk', 'created_at', 'id']
CLOSURES = ['service_id', 'status', 'closed_at', 'deleted_at', 'opened_at', 'created_at', 'id']


def upgrade():
    # Same name, same leading columns, more after them (see the docstring).
    op.drop_index('ix_entry_service_status_due', table_name='log_entry')
    op.create_index('ix_entry_service_status_due', 'log_entry', OPEN_SIGNALS, unique=False)
    op.create_index('ix_entry_service_status_closed', 'log_entry', CLOSURES, unique=False)
    op.create_index('ix_entry_service_escalation', 'log_entry', ['service_id', 'escalation_at'],
                    unique=False)
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        _run(SQLITE_UP)
    elif dialect == "postgresql":
        _run(POSTGRESQL_UP)


def downgrade():
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        _run(SQLITE_DOWN)
    elif dialect == "postgresql":
        _run(POSTGRESQL_DOWN)
    op.drop_index('ix_entry_service_escalation', table_name='log_entry')
    op.drop_index('ix_entry_service_status_closed', table_name='log_entry')
    op.drop_index('ix_entry_service_status_due', table_name='log_entry')
    op.create_index('ix_entry_service_status_due', 'log_entry',
                    ['service_id', 'status', 'due_date'], unique=False)
