"""The provider admin downloads everything held about one member of staff (subject access)."""

import json

import pytest

from seed import factories as f
from server.accounts.permissions import ROLES
from server.audit.models import AuditEvent
from server.extensions import db
from tests.support.admin import open_entry

pytestmark = pytest.mark.db


def export_events(user_id) -> list[AuditEvent]:
    db.session.commit()  # end the read: the request wrote meanwhile
    return list(
        db.session.scalars(
            db.select(AuditEvent).where(
                AuditEvent.entity_id == str(user_id),
                AuditEvent.action == "subject_access_export",
            )
        )
    )


def test_the_admin_downloads_a_staff_members_data_and_the_export_is_audited(world, login, client):
    carer, admin = world.users["senior_carer"], world.users["provider_admin"]
    entry = open_entry(world, carer)
    login(admin)
    r = client.get(f"/api/v1/admin/users/{carer.id}/export")
    assert r.status_code == 200, r.get_json()
    assert r.mimetype == "application/json"
    name = carer.display_name.lower().replace(" ", "-")
    assert r.headers["Content-Disposition"] == (
        f'attachment; filename="careloop-subject-access-{name}.json"'
    )
    data = json.loads(r.data)
    assert data["account"]["email"] == carer.email
    assert "password_hash" not in data["account"]
    assert data["roles"] == [
        {"role": "senior_carer", "service_id": str(world.home.id), "service": "Ashdown House"}
    ]
    assert [e["id"] for e in data["log_entries"]] == [str(entry.id)]

    (event,) = export_events(carer.id)
    assert event.actor_id == admin.id
    assert event.changes["sections"]["log_entries"] == 1
    assert event.changes["sections"]["findings"] == 0


@pytest.mark.parametrize("role", [r for r in ROLES if r != "provider_admin"])
def test_only_the_provider_admin_may_export(world, login, client, role):
    carer = world.users["care_worker"]
    login(world.users[role])
    r = client.get(f"/api/v1/admin/users/{carer.id}/export")
    assert r.status_code == 403
    assert r.get_json()["error"]["message"] == "Your role does not allow this (staff.export)."
    assert export_events(carer.id) == []


def test_another_providers_person_or_a_bad_id_is_not_found(world, login, client):
    stranger = f.make_user(world.rival, "care_worker", world.rival_service)
    db.session.commit()
    login(world.users["provider_admin"])
    r = client.get(f"/api/v1/admin/users/{stranger.id}/export")
    assert r.status_code == 404
    assert r.get_json()["error"]["message"] == "There is no such person."
    assert client.get("/api/v1/admin/users/someone/export").status_code == 404
    assert export_events(stranger.id) == []
