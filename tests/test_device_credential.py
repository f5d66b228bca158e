"""A tablet's device credential: issued at sign-in on a registered installation, sync only,
floor work only, rotated on use with a grace period, and ended by everything that ends a
person's access (docs/security.md, Device credentials)."""

import hashlib
import uuid
from datetime import timedelta

import pytest

from server.accounts.session_models import UserSession
from server.audit.models import AuditEvent
from server.common.types import clock_at, utcnow
from server.extensions import db
from server.findings.models import Finding
from server.log.models import LogEntry
from server.syncing.models import Device
from tests.support import sessions as helpers
from tests.support.admin import open_entry
from tests.support.sync_api import PROTOCOL, finding_create, mutation

pytestmark = pytest.mark.db

browser = helpers.browser
NEXT = "X-Careloop-Device-Credential"


def _sign_in_on_tablet(browser, user, installation="tablet-0001"):
    """Sign ``user`` in and register the tablet: (device id, credential)."""
    b = browser(user)
    r = b.post(
        "/api/v1/sync/devices",
        json={"installation_id": installation, "label": "Tablet", "protocol_version": PROTOCOL},
    )
    assert r.status_code == 200, r.get_json()
    return r.get_json()["device_id"], r.get_json()["credential"]


def _bearer(token):
    return {"Authorization": f"Bearer {token}"}


def _push(app, token, device_id, mutations):
    """A push from a tablet holding no cookie and no CSRF token: the credential alone."""
    with app.app_context(), app.test_client() as c:
        return c.post(
            "/api/v1/sync/push",
            json={"protocol_version": PROTOCOL, "device_id": device_id, "mutations": mutations},
            headers=_bearer(token),
        )


def _pull(app, token, device_id, query=""):
    with app.app_context(), app.test_client() as c:
        return c.get(
            f"/api/v1/sync/pull?device_id={device_id}&cursor=0&protocol_version=1{query}",
            headers=_bearer(token),
        )


def _refusal(r) -> str:
    assert r.status_code == 401, r.get_json()
    error = r.get_json()["error"]
    assert error["code"] == "credential_refused"
    return error["reason"]


def test_a_push_with_only_the_credential_lands_under_the_persons_name(app, world, browser):
    carer = world.users["care_worker"]
    device_id, token = _sign_in_on_tablet(browser, carer)
    m = finding_create(device_id, carer, world.home, 1)
    r = _push(app, token, device_id, [m])
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["results"][0]["status"] == "applied"
    db.session.rollback()
    finding = db.session.get(Finding, uuid.UUID(m["entity_id"]))
    assert finding.recorded_by == carer.id
    event = db.session.scalars(
        db.select(AuditEvent).where(AuditEvent.entity_id == m["entity_id"])
    ).one()
    assert (event.actor_id, event.channel, event.device_id) == (carer.id, "sync", device_id)
    # Only its SHA-256 is kept on the server.
    record = db.session.scalars(
        db.select(UserSession).where(UserSession.kind == "device_credential")
    ).one()
    assert record.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in str([getattr(record, c.key) for c in UserSession.__table__.c])


def test_the_credential_is_never_good_for_the_desk_api(app, world, browser):
    manager = world.users["registered_manager"]
    device_id, token = _sign_in_on_tablet(browser, manager)
    with app.app_context(), app.test_client() as c:
        for path in (
            "/api/v1/me",
            "/api/v1/services",
            "/api/v1/conflicts",
            "/api/v1/entries",
            "/api/v1/findings",
        ):
            r = c.get(path, headers=_bearer(token))
            assert r.status_code == 401, (path, r.get_json())
        r = c.post(
            "/api/v1/sync/devices",
            json={"installation_id": "another-one", "protocol_version": PROTOCOL},
            headers=_bearer(token),
        )
        assert r.status_code in (401, 403), r.get_json()
        assert _pull(app, token, device_id).status_code == 200


def test_only_floor_work_goes_through_under_the_credential(app, world, browser):
    senior, manager = world.users["senior_carer"], world.users["registered_manager"]
    entry = open_entry(world, senior)
    other = open_entry(world, world.users["care_worker"])
    device_id, token = _sign_in_on_tablet(browser, senior)
    start = mutation(device_id, senior, 1, "log_entry", "transition", {}, str(entry.id), 1)
    start |= {"transition": {"action": "start"}, "base_values": {"status": "open"}}
    note = mutation(
        device_id, senior, 2, "note", "append", {"entry_id": str(entry.id), "body": "Started"}
    )
    r = _push(app, token, device_id, [start, note])
    assert [x["status"] for x in r.get_json()["results"]] == ["merged", "applied"], r.get_json()
    db.session.rollback()
    assert db.session.get(LogEntry, entry.id).status == "in_progress"

    # A manager's credential: no new log entry, no closing, no triage from the tablet alone.
    m_device, m_token = _sign_in_on_tablet(browser, manager, "tablet-0002")
    draft = {
        "service_id": str(world.home.id),
        "concern": "Call bells out of reach",
        "source": "walkaround",
        "risk": "high",
    }
    create = mutation(m_device, manager, 1, "log_entry", "create", draft)
    r = _push(app, m_token, m_device, [create])
    (result,) = r.get_json()["results"]
    assert result["status"] == "rejected" and result["code"] == "forbidden", result
    assert "live sign-in at the desk" in result["reason"]
    # Someone else's action: not one's own to start or mark done.
    start = mutation(m_device, manager, 2, "log_entry", "transition", {}, str(other.id), 1)
    start |= {"transition": {"action": "start"}, "base_values": {"status": "open"}}
    (result,) = _push(app, m_token, m_device, [start]).get_json()["results"]
    assert result["code"] == "forbidden", result
    db.session.rollback()
    assert db.session.get(LogEntry, other.id).status == "open"


def _withdraw(device_id, user, seq, finding_id):
    m = mutation(device_id, user, seq, "finding", "transition", {}, finding_id, 1)
    return m | {
        "transition": {"action": "withdraw", "reason": "Wrong room"},
        "base_values": {"triage_state": "new"},
    }


def test_under_the_credential_a_recorder_withdraws_their_own_finding_only(app, world, browser):
    senior, carer = world.users["senior_carer"], world.users["care_worker"]
    device_id, token = _sign_in_on_tablet(browser, senior)
    own = finding_create(device_id, senior, world.home, 1)
    r = _push(app, token, device_id, [own, _withdraw(device_id, senior, 2, own["entity_id"])])
    assert [x["status"] for x in r.get_json()["results"]] == ["applied", "applied"], r.get_json()

    c_device, c_token = _sign_in_on_tablet(browser, carer, "tablet-0002")
    theirs = finding_create(c_device, carer, world.home, 1)
    assert _push(app, c_token, c_device, [theirs]).get_json()["results"][0]["status"] == "applied"
    # The senior's credential cannot withdraw the carer's finding: not floor work of hers.
    (result,) = _push(
        app, token, device_id, [_withdraw(device_id, senior, 3, theirs["entity_id"])]
    ).get_json()["results"]
    assert (result["status"], result["code"]) == ("rejected", "forbidden"), result
    assert "live sign-in at the desk" in result["reason"]
    db.session.rollback()
    states = {
        str(f.id): f.triage_state
        for f in db.session.scalars(db.select(Finding).where(Finding.service_id == world.home.id))
    }
    assert states[own["entity_id"]] == "withdrawn"
    assert states[theirs["entity_id"]] == "new"


def test_a_credential_syncs_its_own_binding_only(app, world, browser):
    carer = world.users["care_worker"]
    device_id, token = _sign_in_on_tablet(browser, carer)
    other_device, _ = _sign_in_on_tablet(browser, carer, "tablet-0002")
    r = _push(app, token, other_device, [finding_create(other_device, carer, world.home, 1)])
    assert r.status_code == 403 and r.get_json()["error"]["code"] == "device_not_registered"
    assert _pull(app, token, other_device).status_code == 403


def test_the_token_rotates_and_the_one_before_has_a_grace_period(app, world, browser):
    app.config["DEVICE_CREDENTIAL_ROTATE_SECONDS"] = 0
    carer = world.users["care_worker"]
    device_id, first = _sign_in_on_tablet(browser, carer)
    r = _pull(app, first, device_id)
    second = r.headers[NEXT]
    assert second and second != first
    # The reply carrying the second was lost: the first still works, and gives a third.
    r = _pull(app, first, device_id)
    assert r.status_code == 200
    third = r.headers[NEXT]
    assert _refusal(_pull(app, second, device_id)) == "unknown"  # never reached the tablet
    # The third arrives and is used: the first ends there and then.
    assert _pull(app, third, device_id).status_code == 200
    assert _refusal(_pull(app, first, device_id)) == "unknown"


def test_a_replaced_token_ends_after_the_grace_period(app, world, browser):
    app.config["DEVICE_CREDENTIAL_ROTATE_SECONDS"] = 0
    carer = world.users["care_worker"]
    device_id, first = _sign_in_on_tablet(browser, carer)
    assert _pull(app, first, device_id).headers[NEXT]
    with clock_at(utcnow() + timedelta(seconds=3601)):
        assert _refusal(_pull(app, first, device_id)) == "unknown"


def test_a_rotation_is_not_on_every_request(app, world, browser):
    carer = world.users["care_worker"]
    device_id, token = _sign_in_on_tablet(browser, carer)
    r = _pull(app, token, device_id)
    assert r.status_code == 200 and NEXT not in r.headers
    with clock_at(utcnow() + timedelta(seconds=61)):
        assert _pull(app, token, device_id).headers[NEXT]


def test_it_expires_after_the_providers_idle_days(app, world, browser):
    world.provider.settings = {"device_credential_idle_days": 3}
    db.session.commit()
    carer = world.users["care_worker"]
    device_id, token = _sign_in_on_tablet(browser, carer)
    with clock_at(utcnow() + timedelta(days=2, hours=23)):
        r = _pull(app, token, device_id)
        assert r.status_code == 200
        token = r.headers[NEXT]
    with clock_at(utcnow() + timedelta(days=5)):
        r = _pull(app, token, device_id)
        assert r.status_code == 200  # idle counts from its last use
        token = r.headers[NEXT]
    with clock_at(utcnow() + timedelta(days=8, minutes=1)):
        assert _refusal(_pull(app, token, device_id)) == "expired"


def test_signing_in_again_on_the_tablet_replaces_it(app, world, browser):
    carer = world.users["care_worker"]
    device_id, old = _sign_in_on_tablet(browser, carer)
    again, new = _sign_in_on_tablet(browser, carer)
    assert again == device_id and new != old
    assert _refusal(_pull(app, old, device_id)) == "replaced"
    assert _pull(app, new, device_id).status_code == 200


def _ends(app, world, browser, end) -> str:
    carer = world.users["care_worker"]
    device_id, token = _sign_in_on_tablet(browser, carer)
    assert _pull(app, token, device_id).status_code == 200
    end(carer, device_id, token)
    return _refusal(_push(app, token, device_id, [finding_create(device_id, carer, world.home, 1)]))


def test_revoking_the_tablet_ends_it_at_once(app, world, browser):
    manager = browser(world.users["registered_manager"])

    def revoke(carer, device_id, token):
        assert manager.post(f"/api/v1/admin/devices/{device_id}/revoke").status_code == 200

    assert _ends(app, world, browser, revoke) == "device_revoked"


def test_a_leaver_ends_it_at_once(app, world, browser):
    admin = browser(world.users["provider_admin"])

    def leave(carer, device_id, token):
        r = admin.post(f"/api/v1/admin/users/{carer.id}/deactivate", json={})
        assert r.status_code == 200, r.get_json()

    assert _ends(app, world, browser, leave) == "deactivated"


def test_a_password_change_ends_it_at_once(app, world, browser):
    def change(carer, device_id, token):
        r = browser(carer).post(
            "/api/v1/me/password",
            json={
                "current_password": helpers.PASSWORD,
                "new_password": "a brand new passphrase",
            },
        )
        assert r.status_code == 200, r.get_json()

    assert _ends(app, world, browser, change) == "password_changed"


def test_removal_from_the_service_ends_it_at_once(app, world, browser):
    admin = browser(world.users["provider_admin"])

    def remove(carer, device_id, token):
        r = admin.put(
            f"/api/v1/admin/users/{carer.id}/roles",
            json={"service_id": str(world.home.id), "roles": []},
        )
        assert r.status_code == 200, r.get_json()

    assert _ends(app, world, browser, remove) == "removed_from_service"


def test_signing_out_of_the_tablet_ends_it_with_the_credential_alone(app, world, browser):
    def sign_out(carer, device_id, token):
        with app.app_context(), app.test_client() as c:
            r = c.delete(f"/api/v1/sync/credential?device_id={device_id}", headers=_bearer(token))
            assert r.status_code == 200 and r.get_json() == {"ended": 1}

    assert _ends(app, world, browser, sign_out) == "signed_out"


def test_a_cookie_push_still_needs_its_csrf_token(app, world, browser):
    carer = world.users["care_worker"]
    b = browser(carer)
    device_id = helpers.register(b, "tablet-0003")
    b.csrf_token = None
    r = helpers.Browser.post(
        b,
        "/api/v1/sync/push",
        json={"protocol_version": PROTOCOL, "device_id": device_id, "mutations": []},
    )
    assert r.status_code == 403 and r.get_json()["error"]["code"] == "csrf"


def test_each_pull_reports_the_unsent_work_for_the_tablets_screen(app, world, browser):
    carer = world.users["care_worker"]
    device_id, token = _sign_in_on_tablet(browser, carer)
    since = "2026-12-01T03:00:00Z"
    r = _pull(app, token, device_id, f"&unsent=5&unsent_since={since}")
    assert r.status_code == 200, r.get_json()
    r = browser(world.users["registered_manager"]).get("/api/v1/admin/devices")
    (row,) = [d for d in r.get_json()["items"] if d["device_id"] == device_id]
    assert row["unsent_count"] == 5
    assert row["unsent_since"].startswith("2026-12-01T03:00:00")
    assert _pull(app, token, device_id, "&unsent=0").status_code == 200
    db.session.rollback()
    device = db.session.get(Device, uuid.UUID(device_id))
    assert (device.unsent_count, device.unsent_since) == (0, None)
    r = _pull(app, token, device_id, "&unsent=-1")
    assert r.status_code == 422


def test_the_openapi_document_describes_the_credential_header_and_the_unsent_report(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    schemes = spec["components"]["securitySchemes"]
    assert schemes["deviceCredential"] == schemes["deviceCredential"] | {
        "type": "http",
        "scheme": "bearer",
    }
    for path, method in (("/sync/push", "post"), ("/sync/pull", "get")):
        operation = spec["paths"][path][method]
        assert {"deviceCredential": []} in operation["security"]
        assert "credential_refused" in operation["responses"]["401"]["description"]
        assert NEXT in operation["responses"]["200"]["headers"]
    pull = {p["name"] for p in spec["paths"]["/sync/pull"]["get"]["parameters"]}
    assert {"unsent", "unsent_since"} <= pull
    # The desk's routes name no credential: the cookie alone.
    assert "security" not in spec["paths"]["/me"]["get"]


def test_no_route_but_push_pull_and_signing_out_takes_the_credential(app, world, browser):
    """Every API route that needs a sign-in, every method, with only the credential (and an
    anonymous CSRF token, so that a write reaches the sign-in check): 401."""
    device_id, token = _sign_in_on_tablet(browser, world.users["registered_manager"])
    taking = {"sync.push", "sync.pull", "sync.forget_credential"}
    anonymous = browser()
    checked = 0
    for rule in app.url_map.iter_rules():
        own = getattr(app.view_functions[rule.endpoint], "_apidoc", {}).get("careloop")
        if own is None or own["public"] or rule.endpoint in taking:
            continue
        path = rule.rule
        for name in rule.arguments:
            path = path.replace(f"<{name}>", str(uuid.uuid4()))
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            r = anonymous.open(path, method=method, json={}, headers=_bearer(token))
            assert r.status_code == 401, (method, path, r.get_json())
            checked += 1
    assert checked > 80
