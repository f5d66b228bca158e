"""Early-warning signals (DESIGN.md rule 5), computed per service and explained in words.

Every signal is one or two aggregate queries over the services asked about, so the cost
follows the number of flagged records, not the size of the log: the large provider has a
million findings. Each warning names at most REF_LIMIT records (the worst first; fewer,
or none, when the caller asks) and carries the full count. Thresholds come from the
provider (DESIGN.md rule 7); docs/early-warnings.md explains each signal to a manager.
"""

import uuid
from datetime import date, datetime

from server.log.signal_scope import Scope, load_scope
from server.log.signals import SIGNALS
from server.oversight import entry_warnings as entries
from server.oversight import finding_warnings as findings
from server.oversight.flagging import Warning
from server.providers.models import Provider

_CHECKS = (
    entries.carried_forward,
    entries.overdue_without_interim_controls,
    findings.repeat_findings,
    findings.walkaround_no_follow_up,
    findings.families_chasing,
    entries.high_risk_no_escalation,
    entries.no_owner,
    entries.weak_closure_evidence,
)
# Each signal's check, by name: each check is named after its signal.
CHECKS = {check.__name__: check for check in _CHECKS}


def scope_warnings(scope: Scope) -> list[Warning]:
    """Return every early warning of ``scope``, by service (in scope order) and signal."""
    if not scope.services:
        return []
    found: list[Warning] = []
    for check in _CHECKS:
        found.extend(check(scope))
    position = {sid: i for i, sid in enumerate(scope.ids)}
    return sorted(found, key=lambda w: (position[w.service_id], SIGNALS.index(w.signal)))


def _summary(service_ids: list[uuid.UUID], warnings: list[Warning]) -> dict:
    services = {sid: dict.fromkeys(SIGNALS, 0) for sid in service_ids}
    totals = dict.fromkeys(SIGNALS, 0)
    for w in warnings:
        services[w.service_id][w.signal] += w.count
        totals[w.signal] += w.count
    return {"services": services, "provider": totals}


def warnings_report(
    provider: Provider,
    service_ids=None,
    today: date | None = None,
    now: datetime | None = None,
    *,
    refs: int | None = None,
    text_ids: bool = False,
) -> dict:
    """Return the warnings with their counts per service and for the provider.

    ``refs``: how many records each warning names (None: REF_LIMIT; 0: none); the counts
    and reasons are the same whatever it is. ``text_ids``: repeat findings may name their
    records by id text rather than uuid.UUID (the same JSON; for the API's answer).
    """
    scope = load_scope(provider, service_ids, today, now, refs, text_ids=text_ids)
    found = scope_warnings(scope)
    summary = _summary(scope.ids, found)
    return {
        "as_of": scope.today,
        "provider_id": provider.id,
        "counts": summary["provider"],
        "thresholds": provider.threshold_table(),
        "services": [
            {"service_id": sid, "service_name": service.name, "counts": summary["services"][sid]}
            for sid, service in scope.services.items()
        ],
        "warnings": found,
    }
