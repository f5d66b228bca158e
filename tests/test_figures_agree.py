"""Every screen gives the same figure: a provider with entries of every kind in two
services (tests/support/figures.py), and the oversight dashboard's counts, the log filter
behind each count, the early warnings and their records, My day, the review screen and the
entries' Overdue badges all agree, record for record."""

import pytest

from server.common.types import clock_at
from server.oversight.dashboard import COUNTS
from tests.support.figures import NOW, build_log, expected

pytestmark = pytest.mark.db

ENTRY_SIGNALS = ("carried_forward", "overdue_without_interim_controls", "no_owner")


def _get(client, url):
    with clock_at(NOW):
        response = client.get(url)
    assert response.status_code == 200, (url, response.get_json())
    return response.get_json()


def _log(client, **query) -> set[str]:
    """The ids the log lists for ``query`` (every page)."""
    params = "&".join(f"{k}={v}" for k, v in query.items())
    body = _get(client, f"/api/v1/entries?per_page=200&{params}")
    assert not body["has_more"]
    assert body["total"] == len(body["items"])
    return {item["id"] for item in body["items"]}


def _text(ids) -> set[str]:
    return {str(i) for i in ids}


@pytest.fixture
def log(world):
    return build_log(world)


@pytest.fixture
def ni(world, login):
    return login(world.users["nominated_individual"])


def test_each_count_on_the_dashboard_opens_exactly_its_records(world, log, ni):
    board = _get(ni, "/api/v1/oversight/dashboard")
    assert [f["name"] for f in board["figures"]] == list(COUNTS)
    services = {s["service_id"]: s for s in board["services"]}
    for service in (world.home, world.other):
        row = services[str(service.id)]
        for f in board["figures"]:
            want = _text(expected(log, f["name"], service))
            assert row["counts"][f["name"]] == len(want), (service.name, f["name"])
            # The link the screen builds: the service and the figure's log filter.
            assert _log(ni, service_id=service.id, **f["log_filter"]) == want, f["name"]
    # The totals open across every service (the log without a service): the same
    # records as the two services' lists above, so the number is enough here.
    for f in board["figures"]:
        want = len(expected(log, f["name"]))
        query = "&".join(f"{k}={v}" for k, v in f["log_filter"].items())
        assert board["totals"][f["name"]] == want
        assert _get(ni, f"/api/v1/entries?per_page=1&{query}")["total"] == want
    # Nothing counted twice, nothing past due left out.
    totals = board["totals"]
    assert totals["overdue"] + totals["past_due_waiting"] == len(
        [
            e
            for e in log.entries
            if e.deleted_at is None
            and e.status != "draft"
            and e.status != "closed"
            and e.due_date is not None
            and e.due_date < NOW.date()
        ]
    )


def test_warnings_agree_with_the_counts_and_open_their_records(world, log, ni):
    board = _get(ni, "/api/v1/oversight/dashboard")
    for row in board["services"]:
        warnings = {w["signal"]: w for w in row["warnings"]}
        # "0 overdue" and "1 overdue entry has no interim controls" cannot both be said.
        bare = warnings["overdue_without_interim_controls"]["count"]
        assert bare == row["counts"]["overdue_without_interim_controls"]
        assert 0 < bare <= row["counts"]["overdue"]
        for signal, group in warnings.items():
            answer = _get(
                ni, f"/api/v1/early-warnings/records?service_id={row['service_id']}&signal={signal}"
            )
            assert answer["count"] == group["count"], signal
            assert answer["reasons"] == group["reasons"]
            named = {r["id"] for r in answer["records"]}
            assert len(named) == min(group["count"], 50 * len(group["reasons"]))
            if signal in ENTRY_SIGNALS:
                listed = _log(ni, service_id=row["service_id"], **answer["log_filter"])
                assert listed == named and len(listed) == group["count"], signal
                assert all(r["type"] == "log_entry" for r in answer["records"])
            if signal == "high_risk_no_escalation":
                entries = {r["id"] for r in answer["records"] if r["type"] == "log_entry"}
                assert _log(ni, service_id=row["service_id"], **answer["log_filter"]) == entries


def test_my_day_reviews_and_badges_say_overdue_of_the_same_entries(world, log, login):
    carer = world.users["senior_carer"]
    overdue = expected(log, "overdue", world.home)
    mine = _text(e.id for e in log.of(world.home) if e.id in overdue and e.owner_id == carer.id)
    assert mine and mine == _text(overdue)  # the carer owns every Ashdown entry
    day = _get(login(carer), "/api/v1/my-day")
    assert {item["entry_id"] for item in day["overdue"]} == mine
    rm = login(world.users["registered_manager"])
    scope = _get(
        rm,
        f"/api/v1/reviews/scope?service_id={world.home.id}&kind=rm_weekly&show=overdue&per_page=200",
    )
    assert scope["counts"]["overdue"] == len(overdue)
    assert {i["entry"]["id"] for i in scope["items"] if i["overdue"]} == _text(overdue)
    assert {i["entry"]["id"] for i in scope["items"]} == _text(overdue)
    listed = _get(rm, f"/api/v1/entries?service_id={world.home.id}&per_page=200")["items"]
    badged = {e["id"] for e in listed if any(f["code"] == "overdue" for f in e["flags"])}
    assert badged == _text(overdue)
    # "Past due, waiting for check or sign-off" is its own figure, never an Overdue badge.
    waiting = _text(expected(log, "past_due_waiting", world.home))
    assert waiting and not waiting & badged
