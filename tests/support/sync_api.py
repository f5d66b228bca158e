"""Sync over HTTP from a test client: register a tablet, build a finding create, push."""

import uuid

PROTOCOL = 1


def register(client, installation="tablet-0001"):
    r = client.post(
        "/api/v1/sync/devices",
        json={
            "installation_id": installation,
            "label": "Lounge tablet",
            "protocol_version": PROTOCOL,
        },
    )
    assert r.status_code == 200, r.get_json()
    return r.get_json()["device_id"]


def finding_create(device_id, user, service, seq, **changes):
    entity_id = str(uuid.uuid4())
    return {
        "mutation_id": f"m-{seq}-{entity_id[:8]}",
        "device_id": device_id,
        "seq": seq,
        "entity_type": "finding",
        "entity_id": entity_id,
        "op": "create",
        "author_id": str(user.id),
        "base_version": None,
        "changes": {
            "service_id": str(service.id),
            "kind": "walkaround_issue",
            "area": "Lounge",
            "source": "walkaround",
            "description": "Call bell out of reach in the lounge",
            "risk": "medium",
            "follow_up_needed": True,
            "recorded_at": "2026-11-27T09:00:00+00:00",
            **changes,
        },
        "base_values": {},
        "device_time": "2026-11-27T09:00:00+00:00",
        "transition": None,
    }


def push(client, device_id, mutations):
    return client.post(
        "/api/v1/sync/push",
        json={"protocol_version": PROTOCOL, "device_id": device_id, "mutations": mutations},
    )


# The audit event fields that two write paths must fill alike.
COMPARED_EVENT = (
    "actor_id",
    "channel",
    "device_id",
    "mutation_id",
    "entity_type",
    "action",
    "service_id",
    "changes",
)


def mutation(device_id, user, seq, entity_type, op, changes, entity_id=None, base_version=None):
    """Any mutation of a push: ``op`` on ``entity_type`` with these changes."""
    entity_id = entity_id or str(uuid.uuid4())
    return {
        "mutation_id": f"m-{seq}-{entity_id[:8]}",
        "device_id": device_id,
        "seq": seq,
        "entity_type": entity_type,
        "entity_id": entity_id,
        "op": op,
        "author_id": str(user.id),
        "base_version": base_version,
        "changes": changes,
        "base_values": {},
        "device_time": "2026-11-27T09:00:00+00:00",
        "transition": None,
    }
