"""The scope the early-warning signals read, and the log's own conditions on it.

The signals are rules about the log (DESIGN.md rule 5): the oversight dashboard counts
them (server.oversight.warnings) and the log filters by them (server.log.signals), both
over the scope and conditions here, so that the two always agree.
"""

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import and_, case, false, func, select, true

from server.common.dates import as_of, day_start, london_date
from server.common.vocab import ENTRY_STATUSES, WEAK_EVIDENCE_TYPES
from server.extensions import db
from server.log.models import EvidenceRef, LogEntry
from server.providers.models import Provider, Service

REF_LIMIT = 50
# Weak closure evidence looks at the closures of the last 90 days (product decision,
# docs/early-warnings.md): an old closure is a matter for the provider's audit, not an
# early warning, and reading every closure ever made grew with the log.
WEAK_CLOSURE_WINDOW_DAYS = 90
UNCLOSED = tuple(status for status in ENTRY_STATUSES if status != "closed")


@dataclass(frozen=True)
class Scope:
    """The provider, the services asked about, and the day and instant the signals read."""

    provider: Provider
    services: dict[uuid.UUID, Service]
    today: date
    now: datetime
    # How many records each warning names: 0 when only counts and reasons are wanted
    # (the dashboard), which spares reading the ids of tens of thousands of findings.
    refs: int = REF_LIMIT
    # Name repeat findings' records by their ids as text (canonical UUID strings), not as
    # uuid.UUID objects: for the JSON answer, which would only turn them back into text.
    text_ids: bool = False
    # What one signal read that another may use too (the same window grouped once).
    shared: dict = field(default_factory=dict, compare=False, hash=False, repr=False)

    @property
    def ids(self) -> list[uuid.UUID]:
        return list(self.services)

    def limit(self, name: str):
        return self.provider.threshold(name)

    def window_start(self, days: int) -> datetime:
        """The first instant of a window of ``days`` London days ending today."""
        return day_start(self.today - timedelta(days=days - 1))


def load_scope(
    provider, service_ids, today, now, refs: int | None = None, *, text_ids: bool = False
) -> Scope:
    """Return the scope: the provider's services (or those of ``service_ids``), by name.

    ``refs``: how many records each warning names; None for REF_LIMIT. ``text_ids``: see
    Scope.
    """
    today, now = as_of(today, now)
    query = select(Service).where(Service.provider_id == provider.id).order_by(Service.name)
    if service_ids is not None:
        query = query.where(Service.id.in_(list(service_ids)))
    services = {s.id: s for s in db.session.scalars(query)}
    return Scope(provider, services, today, now, REF_LIMIT if refs is None else refs, text_ids)


def live_entries(scope: Scope):
    """Entries of the services in scope that are not deleted."""
    return and_(LogEntry.service_id.in_(scope.ids), LogEntry.deleted_at.is_(None))


def undecided(scope: Scope):
    """Live entries not yet closed that have no escalation decision."""
    return and_(
        live_entries(scope), LogEntry.status.in_(UNCLOSED), LogEntry.escalation_decision.is_(None)
    )


def weak_closures(scope: Scope) -> list[tuple[uuid.UUID, uuid.UUID, str]]:
    """Entries closed in the window on weak evidence: [(service_id, id, "none" or "early")].

    "none": no evidence but verbal reassurance (or none at all); "early": a single real
    evidence reference dated before the London day the entry opened. By service, then id.
    """

    def real(aggregate):
        # Each entry's live references, from the covering index ix_evidence_ref_entry_live.
        return (
            select(aggregate)
            .where(
                EvidenceRef.entry_id == LogEntry.id,
                EvidenceRef.deleted_at.is_(None),
                EvidenceRef.type.not_in(WEAK_EVIDENCE_TYPES),
            )
            .correlate(LogEntry)
            .scalar_subquery()
        )

    real_count, real_date = real(func.count()), real(func.max(EvidenceRef.evidence_date))
    opened = func.coalesce(LogEntry.opened_at, LogEntry.created_at)
    # The window is read from ix_entry_service_status_closed alone, service by service,
    # and each entry's references counted where it stands: no join grouped and sorted
    # over every closure of the window. The date is read only when one reference is real.
    # "Evidence date < opening instant" is a superset of "dated before the London day the
    # entry opened" whatever the time zone; Python then decides exactly.
    weak = case({0: true(), 1: real_date < opened}, value=real_count, else_=false())
    query = (
        select(
            LogEntry.service_id,
            LogEntry.id,
            LogEntry.opened_at,
            LogEntry.created_at,
            real_count.label("real_count"),
            real_date.label("real_date"),
        )
        .where(
            live_entries(scope),
            LogEntry.status == "closed",
            LogEntry.closed_at >= scope.window_start(WEAK_CLOSURE_WINDOW_DAYS),
            LogEntry.closed_at <= scope.now,
            weak,
        )
        .order_by(LogEntry.service_id, LogEntry.id)
    )
    out = []
    for row in db.session.execute(query):
        if row.real_count == 0:
            out.append((row.service_id, row.id, "none"))
        elif row.real_date < london_date(row.opened_at or row.created_at):
            out.append((row.service_id, row.id, "early"))
    return out
