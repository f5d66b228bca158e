"""Every screen gives the same figure: a provider with entries of every kind in two
services (tests/support/figures.py), and the oversight dashboard's counts, the log filter
behind each count, the early warnings and their records, My day, the review screen and the
entries' Overdue badges all agree, record for record."""

from datetime import timedelta

import pytest

from server.common.types import clock_at
from server.oversight.dashboard import COUNTS
from server.oversight.records import warning_records
from tests.support.early_warnings import NOW as AT
from tests.support.early_warnings import TODAY as DAY
from tests.support.early_warnings import at, make_finding, make_walkaround
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
    # "Past due, waiting for check or sign-off" is its own figure, with its own flag,
    # never an Overdue badge.
    waiting = _text(expected(log, "past_due_waiting", world.home))
    flagged = {e["id"] for e in listed if any(f["code"] == "past_due_waiting" for f in e["flags"])}
    assert waiting and flagged == waiting and not waiting & badged


def test_a_warnings_records_are_for_those_who_may_oversee_the_service(world, log, login):
    rm = login(world.users["registered_manager"])  # Ashdown House only
    url = "/api/v1/early-warnings/records?service_id={}&signal=no_owner"
    with clock_at(NOW):
        assert rm.get(url.format(world.home.id)).status_code == 200
        assert rm.get(url.format(world.other.id)).status_code == 403
        assert rm.get(url.format(world.rival_service.id)).status_code == 404
        bad = rm.get(f"/api/v1/early-warnings/records?service_id={world.home.id}&signal=gloom")
    assert bad.status_code == 422 and "signal" in bad.get_json()["error"]["fields"]
    with clock_at(NOW):
        quiet = login(world.users["registered_manager"]).get(
            f"/api/v1/early-warnings/records?service_id={world.home.id}&signal=families_chasing"
        )
    assert quiet.get_json()["count"] == 0 and quiet.get_json()["records"] == []
    assert quiet.get_json()["log_filter"] is None


def test_records_of_a_warning_about_findings_and_walkarounds_in_words(world):
    said = [
        make_finding(
            world,
            kind="feedback",
            source="feedback",
            description=words,
            respondent_type="relative",
            sentiment="negative",
            question_id="care-1",
            received_at=at(days),
        )
        for days, words in ((2, "Nobody rang back"), (1, "Still no call"))
    ]
    rounds = make_walkaround(world, areas=["Lounge", "Garden"])
    chasing = warning_records(world.provider, world.home.id, "families_chasing", DAY, AT)
    assert chasing["count"] == 2 and chasing["log_filter"] is None
    assert [
        (r["type"], r["id"], r["title"], r["state"], r["by"], r["area"]) for r in chasing["records"]
    ] == [
        ("finding", said[1].id, "Still no call", "new", "relative", "Lounge"),
        ("finding", said[0].id, "Nobody rang back", "new", "relative", "Lounge"),
    ]
    lone = warning_records(world.provider, world.home.id, "walkaround_no_follow_up", DAY, AT)
    [record] = lone["records"]
    assert (record["type"], record["id"], record["title"], record["at"]) == (
        "walkaround",
        rounds.id,
        "Lounge, Garden",
        DAY - timedelta(days=1),
    )
    assert record["by"] == world.users["deputy_manager"].display_name
