"""The records behind one early warning of one service, described for a person to read.

The dashboard shows each warning's count and reason; this is what a click on it opens:
the same check (server.oversight.warnings) run for one service and one signal, naming up
to REF_LIMIT records per warning, each with what it is about, its state and date. Log
entries open in the log; the signals about entries also open there as a filter
(``signal=<name>``), which lists exactly the entries counted. Findings and walkarounds are
listed here, as the log cannot hold them.
"""

import uuid
from datetime import date, datetime

from sqlalchemy import select

from server.accounts.models import User
from server.common.dates import london_date
from server.extensions import db
from server.findings.models import Finding, Walkaround
from server.log.models import LogEntry
from server.log.signal_scope import load_scope
from server.log.signals import NOT_ENTRIES
from server.oversight.grip import SIGNAL_LABELS
from server.oversight.warnings import CHECKS
from server.providers.models import Provider


def warning_records(
    provider: Provider,
    service_id: uuid.UUID,
    signal: str,
    today: date | None = None,
    now: datetime | None = None,
) -> dict:
    """Return {"signal", "label", "service_id", "as_of", "count", "reasons", "records",
    "log_filter"} for ``signal`` at the service (count 0 and no records when it is quiet).

    ``log_filter`` is the log's query for the entries counted, or None for a signal about
    findings; a high-risk warning may count findings too, so its filter lists only the
    entries among the records.
    """
    scope = load_scope(provider, [service_id], today, now)
    found = CHECKS[signal](scope) if scope.services else []
    refs = list(dict.fromkeys(ref for w in found for ref in w.refs))
    return {
        "signal": signal,
        "label": SIGNAL_LABELS[signal],
        "service_id": service_id,
        "as_of": scope.today,
        "count": sum(w.count for w in found),
        "reasons": [w.reason for w in found],
        "records": describe(refs),
        "log_filter": None if signal in NOT_ENTRIES else {"signal": signal},
    }


def describe(refs: list[tuple[str, object]]) -> list[dict]:
    """Each record named by (kind, id), in that order, as {"type", "id", "title", "state",
    "risk", "at", "area", "entry_id", "by"}: three queries at most."""
    ids: dict[str, list[uuid.UUID]] = {}
    for kind, record_id in refs:
        ids.setdefault(kind, []).append(_uuid(record_id))
    rows = {**_entries(ids.get("log_entry")), **_findings(ids.get("finding"))}
    rows.update(_walkarounds(ids.get("walkaround")))
    return [rows[_uuid(record_id)] for _, record_id in refs if _uuid(record_id) in rows]


def _uuid(value) -> uuid.UUID:
    return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))


def _record(kind, record_id, title, state, at, **extra) -> dict:
    base = {"risk": None, "area": None, "entry_id": None, "by": None}
    return {"type": kind, "id": record_id, "title": title, "state": state, "at": at} | base | extra


def _entries(ids) -> dict:
    if not ids:
        return {}
    query = select(LogEntry).where(LogEntry.id.in_(ids))
    return {
        e.id: _record(
            "log_entry",
            e.id,
            e.decision or e.concern,
            e.status,
            e.due_date,
            risk=e.risk,
            entry_id=e.id,
        )
        for e in db.session.scalars(query)
    }


def _findings(ids) -> dict:
    if not ids:
        return {}
    query = select(Finding).where(Finding.id.in_(ids))
    return {
        f.id: _record(
            "finding",
            f.id,
            f.description or f.answer or "",
            f.triage_state,
            london_date(f.received_at),
            risk=f.risk,
            area=f.area,
            entry_id=f.log_entry_id,
            by=f.respondent_type,
        )
        for f in db.session.scalars(query)
    }


def _walkarounds(ids) -> dict:
    if not ids:
        return {}
    query = select(Walkaround, User.display_name).join(User, User.id == Walkaround.conducted_by)
    return {
        w.id: _record(
            "walkaround",
            w.id,
            ", ".join(w.areas or []) or "No areas recorded",
            w.kind,
            london_date(w.started_at),
            by=name,
        )
        for w, name in db.session.execute(query.where(Walkaround.id.in_(ids)))
    }
