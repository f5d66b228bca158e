"""The log search: a case-insensitive substring of concern or decision, served by an index.

On SQLite an FTS5 trigram table kept in step by triggers, on PostgreSQL pg_trgm indexes
(migration 0005); a search of fewer than three characters reads the entries instead.
"""

import pytest
from sqlalchemy import text

from server.extensions import db
from server.log import services
from server.log.models import LogEntry
from server.log.search import search
from tests.support.early_warnings import make_entry

pytestmark = pytest.mark.db


def found(world, q: str) -> set[str]:
    """The concerns of the entries the nominated individual finds by searching ``q``."""
    user = world.users["nominated_individual"]
    return {e.concern for e in db.session.scalars(services.list_entries(user, {"q": q}))}


@pytest.fixture
def log(world):
    make_entry(
        world, concern="Handrail loose on the main stairs", decision="Maintenance to refit it today"
    )
    make_entry(
        world,
        concern="Call bell out of reach in room 4",
        decision="Move the HANDRAIL bracket and check every room",
    )
    make_entry(
        world,
        service=world.other,
        concern="Fridge at 100%_ of its rated load",
        decision='Kitchen lead to write "no overfilling" on the door (see c:\\temp)',
    )
    make_entry(world, concern="Lounge carpet lifting", decision="Tape it down")
    db.session.commit()


def test_search_finds_a_substring_of_concern_or_decision_in_any_case(world, log):
    both = {"Handrail loose on the main stairs", "Call bell out of reach in room 4"}
    assert found(world, "handrail") == both
    assert found(world, "HandRail") == both
    assert found(world, "rail loose on the m") == {"Handrail loose on the main stairs"}
    assert found(world, "bracket and") == {"Call bell out of reach in room 4"}
    assert found(world, "stairwell") == set()


def test_short_searches_still_find_substrings(world, log):
    assert found(world, "4") == {"Call bell out of reach in room 4"}
    assert found(world, "LO") == {
        "Handrail loose on the main stairs",
        "Lounge carpet lifting",
        "Fridge at 100%_ of its rated load",
    }


def test_search_takes_every_character_literally(world, log):
    fridge = {"Fridge at 100%_ of its rated load"}
    assert found(world, "100%_") == fridge
    assert found(world, "100%x") == set()
    assert found(world, "0_") == set()
    assert found(world, '"no overfilling"') == fridge
    assert found(world, "c:\\temp") == fridge
    # Words the full-text syntax would read as operators are plain text here.
    assert found(world, "fridge OR lounge") == set()
    assert found(world, "NEAR(fridge") == set()
    assert found(world, "lounge*") == set()


def test_search_follows_edits_and_deletions(world, log):
    entry = db.session.scalar(db.select(LogEntry).where(LogEntry.concern.like("Lounge%")))
    entry.concern = "Hallway rug curling at the edge"
    entry.decision = "Replace the rug"
    db.session.commit()
    assert found(world, "carpet") == set()
    assert found(world, "tape it") == set()
    assert found(world, "rug curling") == {"Hallway rug curling at the edge"}
    entry.status = "in_progress"  # a change that leaves the text alone
    db.session.commit()
    assert found(world, "rug curling") == {"Hallway rug curling at the edge"}
    db.session.execute(db.delete(LogEntry).where(LogEntry.id == entry.id))
    db.session.commit()
    assert found(world, "rug") == set()


def test_search_through_the_api_counts_every_match(world, log, client, login):
    login(world.users["nominated_individual"])
    body = client.get("/api/v1/entries?q=handrail&per_page=1").get_json()
    assert body["total"] == 2
    assert len(body["items"]) == 1
    assert body["has_more"] is True
    login(world.users["registered_manager"])
    body = client.get("/api/v1/entries?q=fridge").get_json()
    assert body["total"] == 0  # the fridge is in the other service


def _plan(query) -> str:
    explain = "EXPLAIN QUERY PLAN " if db.engine.dialect.name == "sqlite" else "EXPLAIN "
    sql = query.compile(db.engine)
    params = tuple(sql.params[k] for k in sql.positiontup) if sql.positional else sql.params
    rows = db.session.connection().exec_driver_sql(explain + str(sql), params)
    return "\n".join(str(row[-1]) for row in rows)


def test_search_is_served_by_the_index(world, log):
    query = search(db.select(LogEntry.id), "handrail")
    if db.engine.dialect.name == "postgresql":
        # Four rows are cheaper to read in full; forbid that to see the index serve LIKE.
        db.session.execute(text("SET LOCAL enable_seqscan = off"))
    plan = _plan(query)
    if db.engine.dialect.name == "sqlite":
        assert "SCAN log_entry_fts VIRTUAL TABLE" in plan
        assert "SEARCH log_entry USING INTEGER PRIMARY KEY" in plan
    else:
        assert "ix_entry_concern_trgm" in plan and "ix_entry_decision_trgm" in plan
    db.session.rollback()


def test_the_migration_indexes_the_entries_already_there(app, world):
    from flask_migrate import downgrade, upgrade

    db.session.commit()
    # Load the service and people now, at head (refreshed after the downgrade, they would
    # ask for columns that later migrations add), then hold no transaction while the
    # migration runs: close() keeps them loaded.
    assert world.home.id and all(u.id for u in world.users.values())
    db.session.close()
    downgrade(revision="0004")
    try:
        # Only the columns the table had then: later migrations add others to log_entry.
        db.session.execute(
            LogEntry.__table__.insert().values(
                service_id=world.home.id,
                concern="Bed rail gap found before the index existed",
                source="audit",
                created_by=world.users["registered_manager"].id,
            )
        )
        db.session.commit()
    finally:
        upgrade()
    assert found(world, "rail gap") == {"Bed rail gap found before the index existed"}
