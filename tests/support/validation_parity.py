"""The validation-parity tests' matrix and machinery: the bad values, and each one sent
through REST and through sync."""

import uuid

from server.common.fields import CONTROL_MESSAGE, ONE_LINE_MESSAGE
from server.findings.models import Finding, Walkaround
from server.log.models import EvidenceRef, LogEntry, Note

LONG = "x" * 4500
RANGE = "Must be a date from 2000 to 2099."
TOO_LONG = "Longer than maximum length 4000."
ENTRY_TOO_LONG = "Must be between 1 and 4000 characters."
OPTIONAL_TOO_LONG = "Must be between 0 and 4000 characters."
MODELS = {
    "finding": Finding,
    "walkaround": Walkaround,
    "log_entry": LogEntry,
    "note": Note,
    "evidence": EvidenceRef,
}


def sync_device(client) -> str:
    r = client.post(
        "/api/v1/sync/devices",
        json={"installation_id": "tablet-parity", "label": "Tablet", "protocol_version": 1},
    )
    assert r.status_code == 200, r.get_json()
    return r.get_json()["device_id"]


def sync_push(client, device: str, mutations: list):
    return client.post(
        "/api/v1/sync/push",
        json={"protocol_version": 1, "device_id": device, "mutations": mutations},
    )


def sync_mutation(
    device, user, seq, entity_type, op, changes, entity_id=None, base=None, base_values=None
) -> dict:
    return {
        "mutation_id": f"parity-{seq}",
        "device_id": device,
        "seq": seq,
        "entity_type": entity_type,
        "entity_id": str(entity_id or uuid.uuid4()),
        "op": op,
        "author_id": str(user.id),
        "base_version": base,
        "changes": changes,
        "base_values": base_values or {},
        "device_time": None,
        "transition": None,
    }


def finding_body(world) -> dict:
    return {
        "service_id": str(world.home.id),
        "kind": "walkaround_issue",
        "area": "Lounge",
        "source": "walkaround",
        "description": "Call bell out of reach",
        "risk": "medium",
        "recorded_at": "2026-11-27T09:00:00+00:00",
    }


def entry_body(world) -> dict:
    return {
        "service_id": str(world.home.id),
        "concern": "Mats not checked at night",
        "source": "walkaround",
    }


def evidence_body(manager) -> dict:
    return {
        "type": "audit",
        "location": "Night audit folder",
        "evidence_date": "2026-11-20",
        "checked_by": str(manager.id),
    }


# (record type, op, field, bad value, the refusal both paths give)
CASES = [
    ("finding", "create", "description", LONG, TOO_LONG),
    ("finding", "create", "description", "Bell\x00 out of reach", CONTROL_MESSAGE),
    ("finding", "create", "area", "Lounge\tEast", ONE_LINE_MESSAGE),
    ("finding", "create", "recorded_at", "0001-01-01T00:00:00+00:00", RANGE),
    ("finding", "create", "recorded_at", "9999-12-31T23:00:00+00:00", RANGE),
    ("finding", "update", "action_taken", LONG, TOO_LONG),
    ("finding", "update", "description", "Bell\x1b[31m", CONTROL_MESSAGE),
    ("walkaround", "create", "notes", LONG, TOO_LONG),
    ("walkaround", "create", "started_at", "0001-01-01T00:00:00+00:00", RANGE),
    ("log_entry", "create", "concern", LONG, ENTRY_TOO_LONG),
    ("log_entry", "update", "interim_controls", LONG, OPTIONAL_TOO_LONG),
    ("log_entry", "update", "due_date", "0001-01-01", RANGE),
    ("log_entry", "update", "due_date", "9999-12-31", RANGE),
    ("log_entry", "update", "decision", "Check\x00 mats", CONTROL_MESSAGE),
    ("note", "append", "body", LONG, ENTRY_TOO_LONG),
    ("evidence", "append", "evidence_date", "0001-01-01", RANGE),
    ("evidence", "append", "location", "Folder\x07", ONE_LINE_MESSAGE),
]


def existing_record(client, world, entity_type: str):
    """Create, through REST, the record an update or append needs: its id and version."""
    if entity_type == "finding":
        body = client.post("/api/v1/findings", json=finding_body(world)).get_json()
    else:
        body = client.post("/api/v1/entries", json=entry_body(world)).get_json()
    return body["id"], body["version"]


def via_rest(client, world, manager, entity_type, op, field, value, record):
    if op == "create":
        base = finding_body(world) if entity_type == "finding" else entry_body(world)
        if entity_type == "walkaround":
            base = {"service_id": str(world.home.id), "areas": ["Lounge"]}
        path = {"finding": "/findings", "walkaround": "/walkarounds", "log_entry": "/entries"}[
            entity_type
        ]
        return client.post(f"/api/v1{path}", json=base | {field: value})
    record_id, version = record
    if entity_type == "finding":
        return client.patch(
            f"/api/v1/findings/{record_id}", json={"base_version": version, field: value}
        )
    if entity_type == "log_entry":
        return client.patch(f"/api/v1/entries/{record_id}", json={"version": version, field: value})
    if entity_type == "note":
        return client.post(f"/api/v1/entries/{record_id}/notes", json={field: value})
    return client.post(
        f"/api/v1/entries/{record_id}/evidence", json=evidence_body(manager) | {field: value}
    )


def via_sync(client, world, manager, entity_type, op, field, value, record):
    device = sync_device(client)
    if op == "create":
        changes = {
            "finding": finding_body(world),
            "log_entry": entry_body(world),
            "walkaround": {"service_id": str(world.home.id), "areas": ["Lounge"]},
        }[entity_type] | {field: value}
        mutation = sync_mutation(device, manager, 1, entity_type, op, changes)
    elif op == "append":
        extra = evidence_body(manager) if entity_type == "evidence" else {"body": "Checked"}
        changes = extra | {"entry_id": record[0], field: value}
        mutation = sync_mutation(device, manager, 1, entity_type, op, changes)
    else:
        current = client.get(
            f"/api/v1/{'findings' if entity_type == 'finding' else 'entries'}/{record[0]}"
        ).get_json()
        mutation = sync_mutation(
            device,
            manager,
            1,
            entity_type,
            op,
            {field: value},
            entity_id=record[0],
            base=record[1],
            base_values={field: current.get(field)},
        )
    r = sync_push(client, device, [mutation])
    assert r.status_code == 200, r.get_json()
    return r.get_json()["results"][0]
