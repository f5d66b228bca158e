"""pytest-xdist workers on PostgreSQL: each worker gets a database of its own on the one
throwaway cluster (scripts/with-postgres.sh), so that two workers never clean each other's
tables. A run without xdist uses the database it was given."""

import os

from sqlalchemy.engine import make_url


def worker_database(url: str) -> str:
    """Return the URL of this worker's database, created empty (dropped first if left over)."""
    worker_id = os.environ.get("PYTEST_XDIST_WORKER")
    if not worker_id:
        return url
    import psycopg

    base = make_url(url)
    name = f"{base.database}_{worker_id}"
    conninfo = base.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    return base.set(database=name).render_as_string(hide_password=False)
