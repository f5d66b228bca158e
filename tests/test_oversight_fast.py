"""The fast paths of the early warnings and the dashboard: the same answers, cheaper.

The plain dumper (server/oversight/plain.py) must give what the marshmallow schemas give;
the repeat-finding groups name their newest records by a second, seeking query.
"""

import json
from datetime import UTC, date, datetime, timedelta

import pytest

from server.extensions import db
from server.log.signal_scope import load_scope
from server.measures.models import ImprovementMeasure
from server.oversight.dashboard import dashboard
from server.oversight.finding_warnings import repeat_findings
from server.oversight.plain import dumper
from server.oversight.schemas import DashboardSchema, EarlyWarningsSchema
from server.oversight.warnings import warnings_report
from server.providers.models import Provider
from tests.support.early_warnings import NOW, TODAY, at, make_entry, make_finding, make_walkaround

pytestmark = pytest.mark.db


def _busy(world) -> None:
    """Records that raise every kind of value the two answers carry."""
    for i in range(4):
        make_finding(world, received_at=at(i, hours_ago=1))
        make_finding(world, service=world.other, area="Kitchen", received_at=at(i))
    make_finding(
        world,
        kind="feedback",
        sentiment="negative",
        respondent_type="relative",
        area="Dining room",
        received_at=at(2),
    )
    make_finding(
        world,
        kind="feedback",
        sentiment="negative",
        respondent_type="relative",
        area="Dining room",
        received_at=at(3),
    )
    make_finding(world, risk="high", received_at=at(3))
    make_walkaround(world, started_at=at(2))
    make_entry(world, due_date=TODAY - timedelta(days=3), interim_controls="")
    make_entry(world, owner_id=None, status="open")
    make_entry(world, status="closed", closed_at=at(1))
    db.session.add(
        ImprovementMeasure(
            service_id=world.home.id,
            name="Escalations",
            metric="high_risk_audit_escalation",
            baseline=20.0,
            target=90.0,
            start_date=TODAY - timedelta(days=20),
            deadline=TODAY + timedelta(days=30),
            created_by=world.users["registered_manager"].id,
            created_at=datetime(2026, 2, 1, 9, 30, 15, 123456, tzinfo=UTC),
        )
    )
    db.session.flush()


def _same(fast, slow) -> None:
    # Compared as JSON text read back: what a client of either would receive.
    import orjson

    assert json.loads(orjson.dumps(fast)) == json.loads(json.dumps(slow))


@pytest.mark.parametrize("refs", [0, 1, 10, 50])
def test_warnings_plain_dump_equals_the_schema(world, refs):
    _busy(world)
    report = warnings_report(world.provider, today=TODAY, now=NOW, refs=refs)
    assert report["warnings"]
    _same(dumper(EarlyWarningsSchema)(report), EarlyWarningsSchema().dump(report))


def test_dashboard_plain_dump_equals_the_schema(world):
    _busy(world)
    board = dashboard(world.provider, None, today=TODAY, now=NOW)
    assert board["services"][0]["measures"], "a measure with its chart url is compared"
    _same(dumper(DashboardSchema)(board), DashboardSchema().dump(board))


def test_the_api_answers_with_the_schemas_json(world, login):
    _busy(world)
    client = login(world.users["nominated_individual"])
    body = client.get("/api/v1/early-warnings?refs=50").get_json()
    expected = EarlyWarningsSchema().dump(warnings_report(world.provider, refs=50))
    assert body["warnings"] == json.loads(json.dumps(expected))["warnings"]
    board = client.get("/api/v1/oversight/dashboard?per_page=50").get_json()
    assert [s["service_name"] for s in board["services"]] == sorted(
        s.name for s in db.session.get(Provider, world.provider.id).services
    )
    assert board["services"][0]["grip"]["reasons"]


def _repeat(world, refs):
    return repeat_findings(load_scope(world.provider, None, TODAY, NOW, refs))


def test_repeat_refs_are_the_newest_then_by_id_whatever_the_number(world):
    same_time = at(1)
    tied = [make_finding(world, received_at=same_time) for _ in range(3)]
    newest = make_finding(world, received_at=at(0, hours_ago=1))
    oldest = make_finding(world, received_at=at(20))
    order = [newest.id, *sorted(f.id for f in tied), oldest.id]
    for refs, named in ((0, []), (1, order[:1]), (3, order[:3]), (50, order)):
        [warning] = _repeat(world, refs)
        assert warning.count == 5
        assert [i for _, i in warning.refs] == named
        assert warning.reason.startswith("5 findings about Lounge from walkaround")


def test_repeat_refs_skip_deleted_and_other_groups(world):
    kept = [make_finding(world, received_at=at(i)) for i in range(3)]
    make_finding(world, received_at=at(0, hours_ago=2), deleted_at=at(0))
    make_finding(world, received_at=at(0, hours_ago=3), source="audit")
    make_finding(world, received_at=at(0, hours_ago=4), kind="positive_practice")
    make_finding(world, received_at=at(29))  # outside the window
    [warning] = _repeat(world, 50)
    assert warning.count == 3
    assert [i for _, i in warning.refs] == [f.id for f in kept]


def test_repeat_groups_of_two_services_are_kept_apart_in_key_order(world):
    for service in (world.home, world.other):
        for area in ("Lounge", "Kitchen"):
            for i in range(3):
                make_finding(world, service=service, area=area, received_at=at(i))
    found = _repeat(world, 2)
    assert len(found) == 4
    for w in found:
        assert w.count == 3 and len(w.refs) == 2
    areas = [(w.service_id, w.reason.split(" about ")[1].split(" from")[0]) for w in found]
    assert areas == sorted(areas, key=lambda a: (str(a[0]), a[1]))


def test_dump_keeps_none_and_leaves_out_missing_keys(world):
    board = {"as_of": date(2026, 3, 16), "services": [], "totals": {"open": 1}}
    assert dumper(DashboardSchema)(board) == DashboardSchema().dump(board)


def test_the_plain_dumper_reads_only_what_a_schema_declares():
    """No marshmallow internals: a warning's reshaping is the schema's declared ``prepare``."""
    import inspect

    from server.oversight import plain
    from server.oversight.schemas import EarlyWarningSchema, warning_answer

    assert "_hooks" not in inspect.getsource(plain)
    assert EarlyWarningSchema.prepare is warning_answer
