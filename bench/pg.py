"""PostgreSQL for the benchmarks: the throwaway cluster of scripts/with-postgres.sh, emptied per run.

`make bench` runs the benchmark inside scripts/with-postgres.sh, which sets
CARELOOP_TEST_DATABASE_URL to an empty database on a cluster of its own; without it the
PostgreSQL figures are left out and the table says so.
"""

import os

ENV = "CARELOOP_TEST_DATABASE_URL"


def url() -> str | None:
    """The PostgreSQL URL to benchmark on, or None when there is none."""
    value = os.environ.get(ENV, "")
    return value if value.startswith("postgresql") else None


def reset(database_url: str) -> None:
    """Drop everything in the database so that the next run starts from an empty schema."""
    import psycopg

    conninfo = database_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute("DROP SCHEMA public CASCADE")
        conn.execute("CREATE SCHEMA public")
