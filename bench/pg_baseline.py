"""The raw-database baseline on PostgreSQL: plain psycopg 3 on a freshly migrated database.

The PostgreSQL counterpart of bench/baseline.py: the same finding rows the API receives,
written with ``executemany`` in one transaction into the same migrated ``finding`` table
(psycopg pipelines the statements, so this is about the fastest a client can put them
there); retries are ``INSERT ... ON CONFLICT DO NOTHING``; reads fetch pages ordered by
``change_seq``, as a pull does.
"""

import time
import uuid
from datetime import UTC, datetime

from bench.baseline import Baseline
from bench.baseline import finding_rows as sqlite_rows


def conninfo(database_url: str) -> str:
    """Return a libpq URL for ``database_url`` (SQLAlchemy's +psycopg driver name dropped)."""
    return database_url.replace("postgresql+psycopg://", "postgresql://", 1)


def finding_rows(creates: list[dict], recorded_by: str, first_seq: int = 1) -> list[dict]:
    """Return the finding rows that ``creates`` make, as PostgreSQL's column types take them."""
    rows = sqlite_rows(creates, recorded_by, first_seq)
    for row in rows:
        for name in ("id", "service_id", "recorded_by"):
            row[name] = uuid.UUID(row[name])
        for name in ("recorded_at", "received_at"):
            row[name] = datetime.fromisoformat(row[name]).replace(tzinfo=UTC)
        row["follow_up_needed"] = bool(row["follow_up_needed"])
    return rows


class PgBaseline(Baseline):
    """One autocommit psycopg connection; each write is one explicit transaction."""

    MARK = "%s"

    def __init__(self, database_url: str):
        import psycopg

        self.db = psycopg.connect(conninfo(database_url), autocommit=True)

    def _write(self, sql: str, params: list) -> float:
        started = time.perf_counter()
        with self.db.transaction(), self.db.cursor() as cur:
            cur.executemany(sql, params)
        return time.perf_counter() - started

    def _insert_sql(self, names: list[str], ignore: bool) -> str:
        sql = super()._insert_sql(names, ignore=False)
        return sql + (" ON CONFLICT DO NOTHING" if ignore else "")


def count_findings(database_url: str) -> int:
    """Count the finding rows of a server's database (its own short connection)."""
    import psycopg

    with psycopg.connect(conninfo(database_url)) as db:
        return db.execute("SELECT count(*) FROM finding").fetchone()[0]
