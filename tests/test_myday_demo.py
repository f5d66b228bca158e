"""My day on the demo (seed), the morning after a tablet pushes new findings: the registered
manager of Ashdown House counts the new high-risk finding at once, the entries waiting for
her check and her own entry waiting for sign-off; the nominated individual counts the
high-risk closure waiting for her sign-off. Each section lists exactly the records its
status and the person's roles say, and "nothing waiting" (a total of 0) is never false."""

from datetime import UTC, date, datetime, time, timedelta

import pytest

from seed import demo
from server.accounts.models import User
from server.common.dates import LONDON
from server.common.types import clock_at
from server.extensions import db
from server.log.models import LogEntry
from server.providers.models import Service
from tests.support.sync_api import finding_create, push, register

pytestmark = pytest.mark.db

DAY = date(2026, 3, 4)  # the demo's history ends at 18:00 that day
MORNING = datetime.combine(DAY + timedelta(days=1), time(8), LONDON).astimezone(UTC)
FLUIDS = "Thickened fluids served at the wrong consistency at breakfast"


def person(local: str) -> User:
    return db.session.scalars(db.select(User).where(User.email == f"{local}@{demo.DOMAIN}")).one()


def sign_in(client, user):
    r = client.post(
        "/api/v1/auth/login", json={"email": user.email, "password": demo.DEMO_PASSWORD}
    )
    assert r.status_code == 200, r.get_json()
    client.csrf_token = r.get_json()["csrf_token"]


def my_day(client, user) -> dict:
    sign_in(client, user)
    with clock_at(MORNING):
        r = client.get("/api/v1/my-day")
        counts = client.get("/api/v1/my-day/counts").get_json()
    assert r.status_code == 200, r.get_json()
    client.post("/api/v1/auth/logout")
    body = r.get_json()
    assert counts == body["counts"]
    return body


def entries(status: str, service=None) -> list[LogEntry]:
    query = db.select(LogEntry).where(LogEntry.status == status, LogEntry.deleted_at.is_(None))
    if service is not None:
        query = query.where(LogEntry.service_id == service.id)
    return list(db.session.scalars(query))


def ids(items, key="entry_id") -> list[str]:
    return sorted(item[key] for item in items)


def tablet_pushes_findings(client, carer, home) -> list[str]:
    """A care worker's tablet sends a high-risk and a low-risk finding ten minutes ago."""
    sign_in(client, carer)
    device = register(client)
    at = (MORNING - timedelta(minutes=15)).isoformat()
    mutations = [
        finding_create(
            device,
            carer,
            home,
            1,
            risk="high",
            area="Dining room",
            description=FLUIDS,
            recorded_at=at,
        ),
        finding_create(
            device, carer, home, 2, risk="low", description="Lounge clock stopped", recorded_at=at
        ),
    ]
    with clock_at(MORNING - timedelta(minutes=10)):
        r = push(client, device, mutations)
    assert r.status_code == 200, r.get_json()
    assert [x["status"] for x in r.get_json()["results"]] == ["applied", "applied"]
    client.post("/api/v1/auth/logout")
    return [m["entity_id"] for m in mutations]


def test_the_rm_and_the_ni_see_what_waits_for_them_after_a_tablet_syncs(app, client):
    demo.build(DAY)
    db.session.commit()
    home = db.session.scalars(db.select(Service).where(Service.name == "Ashdown House")).one()
    rm, ni, cw = person("rm"), person("ni"), person("cw")
    before = my_day(client, rm)["manager"]["findings_waiting"]

    high, low = tablet_pushes_findings(client, cw, home)
    day = my_day(client, rm)

    # The new high-risk finding counts at once (minutes old, far inside the 24 hours), and
    # every high-risk finding comes before any other.
    waiting = day["manager"]["findings_waiting"]
    assert ids(waiting, "finding_id") == sorted([f["finding_id"] for f in before] + [high, low])
    risks = [f["risk"] for f in waiting]
    assert risks == sorted(risks, key=["high", "medium", "low"].index)
    fluids = next(f for f in waiting if f["finding_id"] == high)
    assert fluids["reason"] == (
        "New high-risk finding in Ashdown House, waiting under an hour for triage: "
        "triage it within 24 hours."
    )
    # Waiting for her check: exactly Ashdown's entries marked done (not Beech Court's).
    checks = entries("awaiting_check", home)
    assert len(checks) >= 3
    assert ids(day["waiting_check"]) == sorted(str(e.id) for e in checks)
    # Her own high-risk entry waiting for the provider's sign-off; she cannot sign off.
    pending = [e for e in entries("awaiting_sign_off", home) if e.owner_id == rm.id]
    assert pending and ids(day["sign_off_pending"]) == sorted(str(e.id) for e in pending)
    assert "waiting_sign_off" not in day["counts"]["sections"]
    sections = day["counts"]["sections"]
    assert sections["findings_waiting"] == len(waiting)
    assert sections["waiting_check"] == len(checks)
    assert sections["sign_off_pending"] == len(pending)
    assert day["counts"]["total"] == sum(sections.values()) > 0

    # The NI: every high-risk closure waiting for sign-off across the provider.
    ni_day = my_day(client, ni)
    closures = entries("awaiting_sign_off")
    assert closures and ids(ni_day["waiting_sign_off"]) == sorted(str(e.id) for e in closures)
    assert ni_day["counts"]["sections"]["waiting_sign_off"] == len(closures)
    assert ni_day["counts"]["total"] > 0
    # She does not triage: a new high-risk finding is the managers' until it is late.
    assert "findings_waiting" in ni_day["counts"]["sections"]
    assert high not in ids(ni_day["manager"]["findings_waiting"], "finding_id")

    # A care worker with nothing of theirs outstanding: nothing waiting, and no manager queues.
    carer_day = my_day(client, cw)
    assert carer_day["manager"] is None
    assert set(carer_day["counts"]["sections"]) <= {
        "overdue",
        "due_today",
        "challenges",
        "new_assignments",
        "sign_off_pending",
    }
