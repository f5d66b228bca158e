"""One definition per figure (server.log.figures): what each counts, in SQL and in Python,
and the places that used to keep their own copy (flags, the log's overdue filter, the
early-warning signal, the review groups) now give the same entries."""

import pytest

from server.common.types import clock_at
from server.extensions import db
from server.log import flags
from server.log.figures import FIGURES, NAMES
from server.log.models import LogEntry
from server.log.signals import entry_signal_clause
from server.reviews.scope import _groups
from tests.support.figures import NOW, TODAY, build_log, expected

pytestmark = pytest.mark.db

OPEN = {"open", "in_progress", "awaiting_check", "awaiting_sign_off"}
OWNER = {"open", "in_progress"}
WAITING = {"awaiting_check", "awaiting_sign_off"}
# The meaning of each figure, written out once more by hand: changing one is a decision.
MEANINGS = {
    "open": (OPEN, False, False, False),
    "overdue": (OWNER, True, False, False),
    "past_due_waiting": (WAITING, True, False, False),
    "high_risk_open": (OPEN, False, True, False),
    "high_risk_overdue": (OWNER, True, True, False),
    "awaiting_check": ({"awaiting_check"}, False, False, False),
    "awaiting_sign_off": ({"awaiting_sign_off"}, False, False, False),
    "overdue_without_interim_controls": (OWNER, True, False, True),
    "high_risk_without_interim_controls": (OPEN, False, True, True),
}


def test_every_figure_means_what_it_says():
    assert set(NAMES) == set(MEANINGS)
    for name, (statuses, past_due, high, bare) in MEANINGS.items():
        f = FIGURES[name]
        assert (set(f.statuses), f.past_due, f.high_risk, f.no_interim_controls) == (
            statuses,
            past_due,
            high,
            bare,
        ), name
        assert f.label and f.meaning.endswith(".")
        assert f.log_filter == {"figure": name}
    # Overdue and past due waiting never count the same entry; together they are every
    # open entry past its due date.
    assert not OWNER & WAITING and OWNER | WAITING == OPEN


def _ids(condition) -> set:
    return set(db.session.scalars(db.select(LogEntry.id).where(condition)))


def test_sql_and_python_agree_on_every_entry(world):
    log = build_log(world)
    for name in NAMES:
        want = expected(log, name)
        assert want, f"the fixture has no entry for {name}"
        assert _ids(FIGURES[name].clause(TODAY)) == want, name
        assert {e.id for e in log.entries if FIGURES[name].holds(e, TODAY)} == want, name


def test_flags_reviews_and_the_signal_use_the_figures(world):
    log = build_log(world)
    overdue = expected(log, "overdue")
    assert {e.id for e in log.entries if flags.is_entry_overdue(e, TODAY)} == overdue
    assert flags.OVERDUE_STATUSES == ("open", "in_progress")
    badges = {
        e.id
        for e in log.entries
        if any(f["code"] == "overdue" for f in flags.entry_flags(e, TODAY))
    }
    assert badges == overdue - {e.id for e in log.entries if e.deleted_at}
    # Missing interim controls: overdue ones and high-risk open ones, nothing past due
    # and waiting for a check (the owner's part is done).
    bare = expected(log, "overdue_without_interim_controls") | expected(
        log, "high_risk_without_interim_controls"
    )
    flagged = {e.id for e in log.entries if flags.interim_control_flags(e, TODAY)}
    assert flagged == bare
    assert _ids(_groups(TODAY)["overdue"]) == overdue
    with clock_at(NOW):
        signal = entry_signal_clause(world.provider, "overdue_without_interim_controls", TODAY, NOW)
    assert _ids(signal) == expected(log, "overdue_without_interim_controls")


def test_the_log_filters_by_figure_and_overdue(world, login):
    # Every figure, service by service: tests/test_figures_agree.py.
    log = build_log(world)
    client = login(world.users["nominated_individual"])
    home = world.home.id
    with clock_at(NOW):
        late = client.get(f"/api/v1/entries?overdue=true&service_id={home}&per_page=200")
        rest = client.get(f"/api/v1/entries?overdue=false&service_id={home}&per_page=200")
        waiting = client.get(f"/api/v1/entries?figure=past_due_waiting&service_id={home}")
    overdue = {str(i) for i in expected(log, "overdue", world.home)}
    assert {item["id"] for item in late.get_json()["items"]} == overdue
    live = {str(e.id) for e in log.of(world.home) if e.deleted_at is None}
    assert {item["id"] for item in rest.get_json()["items"]} == live - overdue
    assert {item["id"] for item in waiting.get_json()["items"]} == {
        str(i) for i in expected(log, "past_due_waiting", world.home)
    }
    bad = client.get("/api/v1/entries?figure=late")
    assert bad.status_code == 422
    assert "figure" in bad.get_json()["error"]["fields"]


def test_a_figure_reads_other_columns_the_same_way(world):
    # A report reads the log as it stood at a month's end: the same figure on a subquery.
    log = build_log(world)
    rows = db.select(LogEntry).where(LogEntry.deleted_at.is_(None)).subquery()
    for name in NAMES:
        got = set(
            db.session.scalars(db.select(rows.c.id).where(FIGURES[name].clause_on(rows.c, TODAY)))
        )
        assert got == expected(log, name), name
