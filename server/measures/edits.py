"""Changing an improvement measure after it is set: its name, baseline, target and deadline.

A measure has no version column; its version is counted from the audit trail (1, plus one
for every recorded edit), so a stale edit is refused exactly as for any other record. The
row is locked while the count is read, so two edits cannot both pass the check.
"""

from sqlalchemy import func, select

from server.accounts.permissions import require
from server.audit.models import AuditEvent
from server.audit.services import Actor, record
from server.errors import Conflict, Invalid
from server.extensions import db
from server.measures.models import ImprovementMeasure
from server.measures.schemas import MeasureDetailSchema
from server.measures.services import check_values, measure_detail
from server.providers.models import Service

EDITABLE = ("name", "baseline", "target", "deadline")


def measure_version(measure: ImprovementMeasure) -> int:
    """Return the measure's version: 1, plus one for each edit in its history."""
    edits = db.session.scalar(
        select(func.count())
        .select_from(AuditEvent)
        .where(
            AuditEvent.entity_type == "improvement_measure",
            AuditEvent.entity_id == str(measure.id),
            AuditEvent.action == "edit",
        )
    )
    return 1 + (edits or 0)


def measure_view(measure: ImprovementMeasure) -> dict:
    """Return ``measure_detail`` with the measure's ``version`` for the next edit."""
    return {**measure_detail(measure), "version": measure_version(measure)}


def edit_measure(
    actor: Actor, measure: ImprovementMeasure, base_version: int, changes: dict
) -> ImprovementMeasure:
    """Change a measure's name, baseline, target or deadline; refuse a stale edit."""
    service = db.session.get(Service, measure.service_id)
    require(actor.user, "measure.manage", service)
    # Lock the row (PostgreSQL; SQLite's write lock is taken at BEGIN) before counting.
    db.session.execute(
        select(ImprovementMeasure.id).where(ImprovementMeasure.id == measure.id).with_for_update()
    )
    current = measure_version(measure)
    if base_version != current:
        raise Conflict(
            "Someone else changed this measure while you were editing it. "
            "Here is the current version: check it and make your change again.",
            current=MeasureDetailSchema().dump(measure_view(measure)),
        )
    errors = _check_edit(measure, changes)
    if errors:
        raise Invalid(f"Please check these fields: {', '.join(sorted(errors))}.", errors)
    values = {name: changes[name] for name in EDITABLE if name in changes}
    if "name" in values:
        values["name"] = values["name"].strip()
    changed = {}
    for name, new in values.items():
        old = getattr(measure, name)
        if old != new:
            setattr(measure, name, new)
            changed[name] = [old, new]
    if changed:
        record(
            actor, "improvement_measure", measure.id, "edit", changed, service_id=measure.service_id
        )
        db.session.flush()
    return measure


def _check_edit(measure: ImprovementMeasure, changes: dict) -> dict:
    """Name every field at fault (the schema checks too; this guards other callers)."""
    errors = {name: "This cannot be changed here." for name in changes if name not in EDITABLE}
    for name in EDITABLE:
        if name in changes and changes[name] is None:
            errors[name] = "Field may not be null."
    start = measure.start_date
    late = f"The deadline must be after the start date ({start.isoformat()})."
    return errors | check_values(changes, start, late)
