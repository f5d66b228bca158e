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


class PgBaseline:
    """One autocommit psycopg connection; each write is one explicit transaction."""

    def __init__(self, database_url: str):
        import psycopg

        self.db = psycopg.connect(conninfo(database_url), autocommit=True)

    def _write(self, sql: str, params: list) -> float:
        started = time.perf_counter()
        with self.db.transaction(), self.db.cursor() as cur:
            cur.executemany(sql, params)
        return time.perf_counter() - started

    def insert(self, rows: list[dict], *, ignore: bool = False) -> float:
        """Insert ``rows`` in one transaction (ON CONFLICT DO NOTHING on retry); return seconds."""
        names = list(rows[0])
        sql = (
            f"INSERT INTO finding ({', '.join(names)}) "
            f"VALUES ({', '.join('%s' for _ in names)})"
            + (" ON CONFLICT DO NOTHING" if ignore else "")
        )
        return self._write(sql, [tuple(r[c] for c in names) for r in rows])

    def update(self, rows: list[dict]) -> float:
        """Change every row's description and bump its version; return seconds."""
        sql = (
            "UPDATE finding SET description = %s, version = version + 1, "
            "change_seq = change_seq + %s WHERE id = %s AND version = 1"
        )
        return self._write(
            sql, [(r["description"] + " (checked again)", len(rows), r["id"]) for r in rows]
        )

    def read(self, cursor: int, limit: int) -> tuple[int, float]:
        """Fetch every row after ``cursor`` in pages of ``limit``; return (rows, seconds)."""
        started, got = time.perf_counter(), 0
        with self.db.cursor() as cur:
            while True:
                cur.execute(
                    "SELECT * FROM finding WHERE change_seq > %s ORDER BY change_seq LIMIT %s",
                    (cursor, limit),
                )
                page = cur.fetchall()
                got += len(page)
                if len(page) < limit:
                    break
                seq = [d.name for d in cur.description].index("change_seq")
                cursor = page[-1][seq]
        return got, time.perf_counter() - started

    def count(self) -> int:
        return self.db.execute("SELECT count(*) FROM finding").fetchone()[0]

    def max_seq(self) -> int:
        return self.db.execute("SELECT coalesce(max(change_seq), 0) FROM finding").fetchone()[0]

    def close(self) -> None:
        self.db.close()


def count_findings(database_url: str) -> int:
    """Count the finding rows of a server's database (its own short connection)."""
    import psycopg

    with psycopg.connect(conninfo(database_url)) as db:
        return db.execute("SELECT count(*) FROM finding").fetchone()[0]
