"""The log search: entries whose concern or decision contains the words, served by an index.

The meaning is a case-insensitive substring of the concern or the decision. A B-tree index
cannot serve ``LIKE '%…%'``, so migration 0005 adds a trigram index: on SQLite an FTS5
table with the ``trigram`` tokenizer over log_entry (external content, kept in step by
triggers), on PostgreSQL pg_trgm GIN indexes on lower(concern) and lower(decision), which
serve the LIKE itself. A trigram index needs three characters: shorter searches read the
entries (``LIKE``), as before.
"""

from sqlalchemy import column, func, literal_column, or_, table, text

from server.extensions import db
from server.log.models import LogEntry

FTS_TABLE = "log_entry_fts"
TRIGRAM_INDEXES = ("ix_entry_concern_trgm", "ix_entry_decision_trgm")
MIN_INDEXED = 3  # characters: a trigram index finds nothing shorter
_FTS = table(FTS_TABLE, column("rowid"))


def search(stmt, q: str):
    """Return ``stmt`` (a select of LogEntry) keeping entries with ``q`` in concern or decision.

    Any case; ``q`` is a plain substring (``%``, ``_`` and quotes are literal).
    """
    needle = q.lower()
    escaped = needle.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    pattern = f"%{escaped}%"
    like = or_(
        func.lower(LogEntry.concern).like(pattern, escape="\\"),
        func.lower(LogEntry.decision).like(pattern, escape="\\"),
    )
    if len(needle) < MIN_INDEXED or db.session.get_bind().dialect.name != "sqlite":
        return stmt.where(like)
    # A join, not "rowid IN (…)": with no statistics SQLite would otherwise read every
    # entry through a service index and test each; joined, it starts from the matches.
    # The FTS5 match (a quoted phrase: every character literal) finds the candidates; its
    # case folding is wider than SQLite's lower() (ASCII only), so the LIKE still decides,
    # on the matches only, and the meaning stays exactly what it was.
    phrase = '"' + needle.replace('"', '""') + '"'
    return stmt.join(_FTS, _FTS.c.rowid == literal_column("log_entry.rowid")).where(
        text(f"{FTS_TABLE} MATCH :log_search").bindparams(log_search=phrase), like
    )


def include_object(obj, name, type_, reflected, compare_to) -> bool:
    """Alembic's filter: leave the search index to migration 0005 (not in the models)."""
    if type_ == "table" and name and (name == FTS_TABLE or name.startswith(FTS_TABLE + "_")):
        return False
    return not (type_ == "index" and name in TRIGRAM_INDEXES)
