"""The raw-database baseline: plain sqlite3 on a fresh copy of the same migrated database.

The same finding rows the API receives are written with ``executemany`` in one transaction,
with the server's own pragmas (WAL, synchronous=NORMAL, foreign keys on). This is about the
fastest this machine can put those rows into that table, so it is the limit Careloop is
measured against. Reads fetch the same rows ordered by ``change_seq``, as a pull does.
"""

import sqlite3
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path


def _uuid(value: str | None) -> str | None:
    # SQLAlchemy's Uuid type stores 32 hex characters on SQLite.
    return uuid.UUID(value).hex if value else None


def _stamp(value: str) -> str:
    moment = datetime.fromisoformat(value).astimezone(UTC).replace(tzinfo=None)
    return moment.isoformat(sep=" ", timespec="microseconds")


def finding_rows(creates: list[dict], recorded_by: str, first_seq: int = 1) -> list[dict]:
    """Return the finding rows that ``creates`` make, in the columns' stored forms."""
    now = datetime.now(UTC).replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")
    rows = []
    for n, m in enumerate(creates):
        c = m["changes"]
        rows.append(
            {
                "id": _uuid(m["entity_id"]),
                "service_id": _uuid(c["service_id"]),
                "kind": c["kind"],
                "area": c["area"],
                "source": c["source"],
                "description": c["description"],
                "action_taken": "",
                "risk": c["risk"],
                "follow_up_needed": int(c["follow_up_needed"]),
                "people_involved": "",
                "recorded_by": _uuid(recorded_by),
                "recorded_at": _stamp(c["recorded_at"]),
                "received_at": now,
                "triage_state": "new",
                "version": 1,
                "change_seq": first_seq + n,
            }
        )
    return rows


class Baseline:
    """One connection to a fresh copy of the template database.

    PgBaseline (bench/pg_baseline.py) is the same work on PostgreSQL: it changes only the
    connection, the placeholder, how a transaction is opened and the retry clause.
    """

    MARK = "?"

    def __init__(self, path: Path):
        self.db = sqlite3.connect(path, isolation_level=None)
        for pragma in ("foreign_keys=ON", "journal_mode=WAL", "synchronous=NORMAL"):
            self.db.execute(f"PRAGMA {pragma}")

    def _write(self, sql: str, params: list) -> float:
        started = time.perf_counter()
        self.db.execute("BEGIN IMMEDIATE")
        self.db.executemany(sql, params)
        self.db.execute("COMMIT")
        return time.perf_counter() - started

    def _insert_sql(self, names: list[str], ignore: bool) -> str:
        verb = "INSERT OR IGNORE" if ignore else "INSERT"
        marks = ", ".join(self.MARK for _ in names)
        return f"{verb} INTO finding ({', '.join(names)}) VALUES ({marks})"

    def _page(self, cursor: int, limit: int) -> tuple[list, int]:
        """One page of rows after ``cursor``, and the position of change_seq in a row."""
        found = self.db.execute(
            f"SELECT * FROM finding WHERE change_seq > {self.MARK} "
            f"ORDER BY change_seq LIMIT {self.MARK}",
            (cursor, limit),
        )
        return found.fetchall(), [d[0] for d in found.description].index("change_seq")

    def insert(self, rows: list[dict], *, ignore: bool = False) -> float:
        """Insert ``rows`` in one transaction (ignoring ids already there on the retry
        pass); return seconds."""
        names = list(rows[0])
        return self._write(
            self._insert_sql(names, ignore), [tuple(r[c] for c in names) for r in rows]
        )

    def update(self, rows: list[dict]) -> float:
        """Change every row's description and bump its version; return seconds."""
        m = self.MARK
        sql = (
            f"UPDATE finding SET description = {m}, version = version + 1, "
            f"change_seq = change_seq + {m} WHERE id = {m} AND version = 1"
        )
        return self._write(
            sql, [(r["description"] + " (checked again)", len(rows), r["id"]) for r in rows]
        )

    def read(self, cursor: int, limit: int) -> tuple[int, float]:
        """Fetch every row after ``cursor`` in pages of ``limit``; return (rows, seconds)."""
        started, got = time.perf_counter(), 0
        while True:
            page, seq = self._page(cursor, limit)
            got += len(page)
            if len(page) < limit:
                break
            cursor = page[-1][seq]
        return got, time.perf_counter() - started

    def count(self) -> int:
        return self.db.execute("SELECT count(*) FROM finding").fetchone()[0]

    def max_seq(self) -> int:
        return self.db.execute("SELECT coalesce(max(change_seq), 0) FROM finding").fetchone()[0]

    def close(self) -> None:
        self.db.close()


def count_findings(path: Path) -> int:
    """Count the finding rows of a server's database file (a WAL reader beside the server)."""
    db = sqlite3.connect(path)
    try:
        return db.execute("SELECT count(*) FROM finding").fetchone()[0]
    finally:
        db.close()
