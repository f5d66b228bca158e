"""Notes and evidence on entries, in batches: their one write path.

``add_notes`` and ``add_evidence_refs`` check each item as the desk does, then write those
that pass with one executemany per table (the records, then their audit events). A desk
call is a batch of one (server.log.services.add_note, add_evidence); the sync store hands
over a run of a push. Rows are built by server.common.batch, so every column a check leaves
out takes the model's default on either path. A refused item is returned as its error and
writes nothing; the rest are written. Notes and evidence are never edited or removed.
"""

import uuid
from functools import partial

from server.audit import services as audit
from server.common import changes as numbering
from server.common import dates, vocab
from server.common.access import as_uuid
from server.common.batch import complete, insert_rows
from server.common.types import utcnow
from server.errors import Forbidden, Invalid, NotFound, RuleBroken
from server.extensions import db
from server.log import guards
from server.log.models import EvidenceRef, Note

MAX_TEXT = 5000
REFUSALS = (RuleBroken, Invalid, Forbidden, NotFound)
"""The errors a batch returns for the item it refuses."""


def add_notes(items: list[tuple]) -> list:
    """Append notes: ``items`` are (actor, entry, body, id) with ``id`` new (or None).
    Return, in order, each note's row as written, or the error that refused it."""
    return write_batch(Note, "note", items, _note_row, partial(_insert, Note))


def add_evidence_refs(items: list[tuple]) -> list:
    """Record where evidence lives: ``items`` are (actor, entry, fields, id), ``fields``
    those of add_evidence. Return each reference's row as written, or its refusal."""
    return write_batch(
        EvidenceRef, "evidence reference", items, _evidence_row, partial(_insert, EvidenceRef)
    )


def write_batch(model, label: str, items: list[tuple], build, insert) -> list:
    """Check each of ``items`` (actor, parent, data, id) with ``build(actor, parent, data,
    id, now)``, which returns the row and what its insert needs besides, or raises one of
    REFUSALS; then ``insert(made, now)`` those that passed, each (actor, parent, row, …).
    Return, in order, each row as written or the error that refused it."""
    now, out, made = utcnow(), [], []
    used = taken(model, [item[3] for item in items])
    for actor, parent, data, id in items:
        try:
            made_id = new_id(id, used, label)
            built = build(actor, parent, data, made_id, now)
        except REFUSALS as exc:
            out.append(exc)
            continue
        used.add(made_id)
        made.append((actor, parent, *built))
        out.append(built[0])
    if made:
        insert(made, now)
    return out


def taken(model, ids) -> set[uuid.UUID]:
    """The ids among ``ids`` that a record of ``model`` already holds, in one SELECT."""
    wanted = [as_uuid(i) for i in ids if i is not None]
    if not wanted:
        return set()
    return set(db.session.scalars(db.select(model.id).where(model.id.in_(wanted))))


def new_id(id, used: set, label: str) -> uuid.UUID:
    """Return a fresh id, or the client's one if no record holds it yet."""
    if id is None:
        return uuid.uuid4()
    id = as_uuid(id)
    if id in used:
        raise Invalid(f"A {label} with this id already exists.", {"id": "Already used."})
    return id


def _note_row(actor, entry, body, id, now) -> tuple[dict, tuple]:
    guards.require_on_entry(actor, "entry.annotate", entry, owner_may=True)
    body = guards.not_blank(body, "body", "note")
    if len(body) > MAX_TEXT:
        raise Invalid("The note is too long.", {"body": f"At most {MAX_TEXT} characters."})
    row = {"id": id, "entry_id": entry.id, "body": body, "author_id": actor.user_id}
    return row, ("note", {"note_id": id, "body": body})


def _evidence_row(actor, entry, data: dict, id, now) -> tuple[dict, tuple]:
    service = guards.require_on_entry(actor, "entry.annotate", entry, owner_may=True)
    unknown = sorted(set(data) - {"type", "location", "evidence_date", "checked_by", "description"})
    if unknown:
        raise TypeError(f"Unknown evidence fields: {', '.join(unknown)}")
    type = data.get("type")
    guards.one_of(type, vocab.ALL_EVIDENCE_TYPES, "type", "evidence type")
    location = guards.not_blank(
        data.get("location"), "location", "place where the evidence is kept"
    )
    evidence_date = data["evidence_date"]
    if evidence_date > dates.london_today():
        raise Invalid(
            "The evidence date cannot be in the future.",
            {"evidence_date": "Use the date the evidence was made or checked."},
        )
    row = {
        "id": id,
        "entry_id": entry.id,
        "type": type,
        "location": location,
        "evidence_date": evidence_date,
        "checked_by": guards.checker_for(service, data.get("checked_by")),
        "description": (data.get("description") or "").strip(),
        "added_by": actor.user_id,
    }
    changes = {"evidence_id": id, **{k: row[k] for k in _EVIDENCE_EVENT}}
    return row, ("evidence", changes)


_EVIDENCE_EVENT = ("type", "location", "evidence_date", "checked_by", "description")


def _insert(model, made: list[tuple], now) -> None:
    """Write the rows, then their audit events; the entries' collections are read again."""
    db.session.flush()  # an entry made just before: the rows refer to it
    first = numbering.take(db.session(), len(made))
    table = model.__table__
    rows = []
    for seq, (_, _, row, _) in enumerate(made, first):
        row.update(created_at=now, change_seq=seq)
        row.update(complete(table, row))
        rows.append(row)
    insert_rows(db.session, table, rows)
    audit.record_many(
        [
            audit.event_row(actor, "log_entry", entry.id, action, changes, entry.service_id, at=now)
            for actor, entry, _, (action, changes) in made
        ]
    )
    # Reload the collection rather than append to it: appending would mark the entry
    # changed and bump its version, so evidence would make everyone's copy stale.
    if model is EvidenceRef:
        for entry in {id(entry): entry for _, entry, _, _ in made}.values():
            db.session.expire(entry, ["evidence"])
