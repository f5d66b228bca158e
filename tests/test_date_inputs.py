"""Every date a person or a client types is refused outside 2000-2099 with the field named,
never a server error: a year-1 day once overflowed the working-day arithmetic (a 500 the
fuzz run found in the completion checks)."""

import uuid

import pytest

pytestmark = pytest.mark.db

OUT_OF_RANGE = "Must be a date from 2000 to 2099."


def test_completion_checks_refuse_a_year_one_day_by_name(world, login):
    client = login(world.users["registered_manager"])
    url = f"/api/v1/services/{world.home.id}/completion-checks"
    body = {"day": "0001-01-01", "results": [{"entry_id": str(uuid.uuid4()), "outcome": "done"}]}
    answer = client.post(url, json=body)
    assert answer.status_code == 422, answer.get_json()
    assert answer.get_json()["error"]["fields"] == {"day": OUT_OF_RANGE}
    answer = client.get(url + "?day=9999-12-31")
    assert answer.status_code == 422, answer.get_json()
    assert "day" in answer.get_json()["error"]["fields"]


def test_a_measure_outside_the_years_is_refused_by_name(world, login):
    client = login(world.users["registered_manager"])
    answer = client.post(
        "/api/v1/measures",
        json={
            "service_id": str(world.home.id),
            "name": "Follow-ups on time",
            "metric": "follow_ups_within_timescale",
            "baseline": 50,
            "target": 90,
            "start_date": "0001-01-01",
            "deadline": "2026-12-31",
        },
    )
    assert answer.status_code == 422, answer.get_json()
    assert "start_date" in answer.get_json()["error"]["fields"]


def test_an_evidence_pack_period_outside_the_years_is_refused_by_name(world, login):
    client = login(world.users["nominated_individual"])
    answer = client.get(
        f"/api/v1/reports/evidence-pack?service_id={world.home.id}&from=0001-01-01&to=2026-01-31"
    )
    assert answer.status_code == 422, answer.get_json()
    assert "from" in answer.get_json()["error"]["fields"]
