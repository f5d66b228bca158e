"""`python -m bench.explain [DATABASE_URL]`: the incremental pull's query plans and timing.

By default it reads the cached large provider of bench.large (1,000,000 findings; build it
with `python -m bench` desk figures or `flask seed --scale large`), without writing to it.
For each of a floor user and a provider-wide user it prints the EXPLAIN of every query a
pull runs from a cursor 100 changes below the high-water mark, and the median time of that
pull (server.syncing.pull.pull, in-process: the queries and the serialiser, no HTTP).
"""

import os
import statistics
import sys
import time

from sqlalchemy import text

from bench.server import SECRET

ROLES = ("senior_carer", "provider_quality_lead")


def _plan(query) -> list[str]:
    from server.extensions import db

    sql = str(query.compile(db.engine, compile_kwargs={"literal_binds": True}))
    if db.engine.dialect.name == "sqlite":
        rows = db.session.execute(text(f"EXPLAIN QUERY PLAN {sql}")).all()
        return [f"{'  ' * (row[1] > 0)}{row[3]}" for row in rows]
    return [row[0] for row in db.session.execute(text(f"EXPLAIN (ANALYZE, COSTS OFF) {sql}"))]


def _user(role: str):
    from server.accounts.models import Membership, User
    from server.extensions import db

    return db.session.scalars(
        db.select(User)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.role == role)
        .order_by(User.email)
        .limit(1)
    ).one()


def report(changes_back: int = 100, runs: int = 7) -> str:
    """Return the plans and timings as markdown."""
    from server.common.changes import committed_high_water
    from server.common.types import utcnow
    from server.extensions import db
    from server.syncing import pull as pulling

    high = committed_high_water(db.session)
    cursor = high - changes_back
    out = [f"database: {db.engine.dialect.name}, high-water mark {high:,}, cursor {cursor:,}"]
    for role in ROLES:
        user = _user(role)
        queries = pulling.page_queries(user, cursor, high, 1000, utcnow())
        out.append(f"\n{role}: {len(queries)} of 6 tables have changes after the cursor")
        for entity_type, page in queries.items():
            out += ["", f"{role}, {entity_type}:", "```", *_plan(page), "```"]
        times, cpu, got = [], [], 0
        for _ in range(runs):
            db.session.rollback()
            started, started_cpu = time.perf_counter(), time.process_time()
            got = len(pulling.pull(user, cursor, 1000)["changes"])
            times.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - started_cpu) * 1000)
        out.append(
            f"\n{role}: pull of {got} changes, median {statistics.median(times):.1f} ms "
            f"(CPU {statistics.median(cpu):.1f} ms) over {runs} runs"
        )
    return "\n".join(out)


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv:
        url = argv[0]
    else:
        from bench.large import cached_path

        path = cached_path()
        if not path.exists():
            raise SystemExit(f"no cached large provider at {path}; build it first")
        url = f"sqlite:///{path}"
    os.environ.update({"DATABASE_URL": url, "SECRET_KEY": SECRET})
    from server import create_app

    app = create_app()
    with app.app_context():
        print(report())
    return 0


if __name__ == "__main__":
    sys.exit(main())
