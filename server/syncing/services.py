"""Device bindings and the push: who may sync from where, and applying a batch."""

import gc
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from flask import current_app
from marshmallow import ValidationError

import sync
from server.accounts import credentials, sessions
from server.accounts.models import User
from server.accounts.permissions import require, service_ids_for
from server.audit import services as audit
from server.audit.services import Actor
from server.common.access import as_uuid
from server.common.changes import committed_high_water
from server.common.types import utcnow
from server.errors import (
    AppError,
    Forbidden,
    Invalid,
    Malformed,
    NotFound,
    RuleBroken,
    TooLarge,
    flatten_messages,
)
from server.extensions import db
from server.providers.models import Service
from server.syncing import conflict_words, rules
from server.syncing import pull as pulling
from server.syncing.models import Device, SyncConflict
from server.syncing.pull_device import note_pull, pulling_device
from server.syncing.schemas import PushSchema
from server.syncing.store import SqlStore


class DeviceRevoked(Forbidden):
    code = "device_revoked"


class DeviceNotBound(Forbidden):
    code = "device_not_registered"


class UpdateRequired(AppError):
    status, code = 400, "update_required"


class Resync(AppError):
    status, code = 410, "resync"


def check_protocol(version) -> None:
    try:
        sync.check_protocol(version)
    except sync.ProtocolMismatch as exc:
        raise UpdateRequired(
            exc.message, {"protocol_version": exc.message}, protocol_version=sync.PROTOCOL_VERSION
        ) from exc


def register_device(user, installation_id: str, label: str = "") -> Device:
    """Bind this installation to this user (once); a revoked binding stays revoked."""
    device = db.session.scalar(
        db.select(Device).where(
            Device.installation_id == installation_id, Device.user_id == user.id
        )
    )
    if device is None:
        device = Device(installation_id=installation_id, user_id=user.id, label=label)
        db.session.add(device)
        db.session.flush()
        audit.record(
            Actor(user, "sync", str(device.id)),
            "device",
            device.id,
            "register",
            {"installation_id": installation_id, "label": label},
        )
    if device.revoked_at is not None:
        raise DeviceRevoked("This tablet's access was withdrawn. Ask your manager.")
    sessions.bind_device(user, device.id)
    # A sign-in on this tablet: its binding gets a new sync credential (server/accounts/credentials.py).
    device.credential = credentials.issue(user, device.id)
    return device


def bound_device(user, device_id, touch: bool = True) -> Device:
    """Return the device binding for this session user, or refuse with a clear code.

    ``touch`` records the moment as the device's last sync; a pull passes False and calls
    server.syncing.pull_device.note_pull() once its reading is done, so that a read never has to
    become a write.
    """
    device = db.session.get(Device, as_uuid(device_id, "device"))
    if device is None or device.user_id != user.id or not _credential_binds(device.id):
        raise DeviceNotBound(
            "This tablet is not registered for you. Register it again.",
            {"device_id": "Not a device registered to the signed-in user."},
        )
    if device.revoked_at is not None:
        raise DeviceRevoked(
            "This tablet's access was withdrawn. Ask your manager.", {"device_id": "Revoked."}
        )
    if touch:
        device.last_seen_at = utcnow()
        sessions.bind_device(user, device.id)
    return device


def _credential_binds(device_id) -> bool:
    """A request signed with a device credential syncs for that credential's binding only."""
    credential = credentials.current()
    return credential is None or credential.device_id == device_id


_ENVELOPE = {"protocol_version", "device_id", "mutations"}


def push_envelope(body: dict) -> dict:
    """Return PushSchema().load(body): checked by hand when well-formed, else by the schema.

    A body with exactly the three keys, a whole-number version, a device UUID and a list
    loads to the same values here, without the schema's walk over a push's 500 items. Anything else goes to the schema, so every
    refusal keeps the schema's own words (tests/test_sync_push_envelope.py).
    """
    version, device_id, mutations = (
        body.get("protocol_version"),
        body.get("device_id"),
        body.get("mutations"),
    )
    if (
        body.keys() == _ENVELOPE
        and type(version) is int
        and type(device_id) is str
        and type(mutations) is list
    ):
        try:
            device = uuid.UUID(device_id)
        except ValueError:
            pass
        else:
            return {"protocol_version": version, "device_id": device, "mutations": mutations}
    return PushSchema().load(body)


def envelope(body: dict) -> dict:
    """Return the push's envelope loaded, or refuse the push as malformed (400, protocol 3.5).

    The items of ``mutations`` are not looked at here: each is validated on its own.
    """
    try:
        return push_envelope(body)
    except ValidationError as exc:
        fields = flatten_messages(exc.messages)
        raise Malformed(f"Please check these fields: {', '.join(sorted(fields))}.", fields) from exc


def push(user, device: Device, raw_mutations: list, body_bytes: int) -> dict:
    """Apply a batch: one outcome per mutation, in order; one failure never blocks the rest."""
    with _no_collection():
        try:
            mutations = sync.validate_batch(raw_mutations, body_bytes, rules.check_changes)
        except sync.BatchTooLarge as exc:
            raise TooLarge(exc.message, limits=limits()) from exc
        except sync.BatchRefused as exc:
            raise Malformed(exc.message, {"mutations": exc.message}) from exc
        actor = Actor(user, channel="sync", device_id=str(device.id))
        store = SqlStore(user, floor_only=credentials.current() is not None)
        outcomes = sync.apply_batch(store, mutations, actor, utcnow())
        store.acknowledge(device)
        return {
            "results": [o.to_dict() for o in outcomes],
            "last_acknowledged": acknowledged(device),
        }


@contextmanager
def _no_collection() -> Iterator[None]:
    """Hold the cyclic garbage collector off while a batch is applied.

    A push of 500 makes tens of thousands of short-lived objects, nearly all freed at once
    by reference counting; the collector, triggered by their number, kept scanning the
    app's whole heap for cycles and found none: a sixth of the push's CPU. It runs again
    as usual when the batch is done (in another thread's push too: whoever turned it off
    turns it back on).
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def pull(user, device_id, cursor: int, limit: int, unsent: tuple | None = None) -> dict:
    """One page of changes after ``cursor`` for this user's tablet, with the last change
    the server acknowledged from it; the pull is recorded as the tablet's last sync, with
    ``unsent`` (count, oldest) when the tablet said what it still holds."""
    device = pulling_device(user, device_id)
    if device is not None and not _credential_binds(device.id):
        device = None
    if device is None:
        # Refused (or bound meanwhile) in bound_device's own words.
        device = bound_device(user, device_id, touch=False)
        high = committed_high_water(db.session)
    else:
        high = device.high_water
    sessions.bind_device(user, device.id, reading=True)
    if cursor > high:
        raise Resync(
            "This tablet's copy is from another server. Start a fresh sync "
            "from 0; the changes waiting to be sent are kept."
        )
    body = pulling.pull(user, cursor, limit, high=high)
    body["last_acknowledged"] = acknowledged(device)
    note_pull(device, unsent)
    return body


def acknowledged(device: Device) -> dict:
    return {"mutation_id": device.last_mutation_id, "seq": device.last_mutation_seq}


def limits() -> dict:
    from sync.validate import MAX_BATCH_BYTES, MAX_BATCH_MUTATIONS

    return {
        "max_mutations": MAX_BATCH_MUTATIONS,
        "max_bytes": MAX_BATCH_BYTES,
        "max_pull_limit": current_app.config.get("SYNC_MAX_PULL", 1000),
    }


def resolve_conflict(user, conflict_id, choice: str, value=None):
    """Settle a conflict as a manager: keep one value, the other, or a new one."""
    row = db.session.get(SyncConflict, as_uuid(conflict_id, "conflict"))
    service = db.session.get(Service, row.service_id) if row else None
    if row is None or service.provider_id != user.provider_id:
        raise NotFound("There is no such conflict.")
    require(user, "conflict.resolve", service)
    if choice == "new" and row.kind == "field":
        # A manager's new value passes the field's rules, as a pushed or a desk value does.
        refused = rules.check_changes(row.entity_type, "update", {row.field: value})
        if refused:
            why = " ".join(refused.values())
            raise Invalid(f"Please check this field: value. {why}", {"value": why})
    if choice == "other":
        _reopen_first(user, row)
    store = SqlStore(user)
    try:
        settled = sync.resolve(store, row.id, choice, Actor(user, "desk"), utcnow(), value=value)
    except sync.Refused as exc:
        if exc.rule:
            raise RuleBroken(exc.rule, exc.message, exc.fields) from exc
        raise Invalid(exc.message, exc.fields) from exc
    return db.session.get(SyncConflict, settled.id)


def _reopen_first(user, row: SyncConflict) -> None:
    """Reopen a closed entry when the tablet's status change taken needs it reopened first
    ("Reopen for checking"); the same request applies the change, or neither stays."""
    from server.log.models import LogEntry
    from server.log.transitions import transition

    entry = db.session.get(LogEntry, uuid.UUID(row.entity_id)) if row.kind == "transition" else None
    if entry is not None and conflict_words.reopen_first(row, entry.status):
        transition(Actor(user, "desk"), entry, "reopen", reason=conflict_words.REOPENED_WHY)


def devices_of(user) -> list[Device]:
    """The user's own tablets."""
    return list(db.session.scalars(db.select(Device).where(Device.user_id == user.id)))


def revoke_device(user, device_id) -> Device:
    """Withdraw a lost tablet: its pushes and pulls are refused from now on.

    Its own user may; so may whoever holds device.manage in a service the user works in
    (the provider admin holds it across the provider).
    """
    device = db.session.get(Device, as_uuid(device_id, "device"))
    owner = db.session.get(User, device.user_id) if device else None
    if device is None or owner.provider_id != user.provider_id:
        raise NotFound("There is no such device.")
    managed = service_ids_for(user, "device.manage")
    owner_services = {m.service_id for m in owner.memberships if m.service_id}
    if owner.id != user.id and managed is not None and not owner_services & set(managed):
        raise Forbidden(
            "Only the tablet's user, their registered manager or the provider "
            "admin may withdraw it."
        )
    if device.revoked_at is None:
        device.revoked_at, device.revoked_by = utcnow(), user.id
        audit.record(
            Actor(user),
            "device",
            device.id,
            "revoke",
            {"last_mutation_id": device.last_mutation_id},
        )
    # Whoever signed in on the lost tablet is signed out now, on every node.
    sessions.end_for_device(device.id)
    return device


def forget_credential(user, device_id) -> int:
    """End ``user``'s sync credential on this binding: they signed out of the tablet."""
    device = bound_device(user, device_id, touch=False)
    return credentials.end_for("signed_out", user_id=user.id, device_id=device.id)


def conflicts_query(user, service_id=None, status=None):
    """Return a select of the conflicts the user may decide, oldest first."""
    ids = service_ids_for(user, "conflict.resolve")
    if ids is None:
        ids = db.select(Service.id).where(Service.provider_id == user.provider_id)
    query = (
        db.select(SyncConflict)
        .where(SyncConflict.service_id.in_(ids))
        .order_by(SyncConflict.other_at, SyncConflict.id)
    )
    if service_id is not None:
        query = query.where(SyncConflict.service_id == service_id)
    if status is not None:
        query = query.where(SyncConflict.status == status)
    return query
