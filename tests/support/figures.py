"""A provider whose log has an entry of every kind a figure can tell apart, to check that
every screen and export gives the same figures (server.log.figures).

``build_log(world)`` adds, in each of the world's two services (Ashdown House and Beech
Court), an entry for every combination of status (all six), due date (three days ago,
today: the last day not yet past due), risk (high, low) and interim controls (none, written down), plus a
few edge cases: interim controls of blanks only, an open entry with no due date, a
deleted overdue entry. Entries the world's senior carer owns are in Ashdown House only
(the carer works there), so My day can be compared too. Everything is dated against the
fixed NOW (a Monday; London is on GMT, so UTC days are London days).

The report helper's tests reuse it: ``expected(log, name, service=None)`` is the set of ids
a figure must count, worked out here in plain Python from the entries' own fields.
"""

import itertools
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from server.common.vocab import ENTRY_STATUSES
from server.extensions import db
from server.log.figures import FIGURES
from server.log.models import LogEntry

NOW = datetime(2026, 3, 16, 12, 0, tzinfo=UTC)
TODAY = date(2026, 3, 16)
PAST = TODAY - timedelta(days=3)
DUES = {"past": PAST, "today": TODAY}  # a later date counts as today does: not yet past
CONTROLS = {"none": None, "written": "Night staff check positions two-hourly"}


@dataclass
class FigureLog:
    """The entries made, by service name, with what each was made as."""

    world: object
    entries: list[LogEntry] = field(default_factory=list)

    def of(self, service=None) -> list[LogEntry]:
        return [e for e in self.entries if service is None or e.service_id == service.id]


def _entry(world, service, owner, status, due, risk, controls, **extra) -> LogEntry:
    created = NOW - timedelta(days=20)
    entry = LogEntry(
        service_id=service.id,
        concern=f"{status} due {due} {risk} risk, controls {controls!r}",
        source="audit",
        decision="Senior carer checks repositioning charts at 2pm daily",
        owner_id=owner.id if owner else None,
        due_date=due,
        original_due_date=due,
        evidence_needed="Charts audit",
        risk=risk,
        status=status,
        interim_controls=controls,
        created_by=world.users["registered_manager"].id,
        created_at=created,
        opened_at=None if status == "draft" else created,
        closed_at=NOW - timedelta(days=1) if status == "closed" else None,
        **extra,
    )
    db.session.add(entry)
    return entry


def build_log(world) -> FigureLog:
    """Add the entries (see the module's docstring) and commit them."""
    log = FigureLog(world)
    carer, manager = world.users["senior_carer"], world.users["registered_manager"]
    for service in (world.home, world.other):
        owner = carer if service is world.home else manager
        for status, due, risk, controls in itertools.product(
            ENTRY_STATUSES, DUES.values(), ("high", "low"), CONTROLS.values()
        ):
            log.entries.append(_entry(world, service, owner, status, due, risk, controls))
        log.entries += [
            _entry(world, service, owner, "in_progress", PAST, "medium", "  \n "),
            _entry(world, service, owner, "open", None, "high", None),
            _entry(world, service, owner, "draft", None, "low", None),
            _entry(world, service, owner, "open", PAST, "high", None, deleted_at=NOW),
        ]
    db.session.commit()
    return log


def expected(log: FigureLog, name: str, service=None) -> set:
    """The ids the figure ``name`` counts, from each entry's fields, worked out by hand."""
    figure = FIGURES[name]
    out = set()
    for e in log.of(service):
        if e.deleted_at is not None or e.status not in figure.statuses:
            continue
        if figure.past_due and not (e.due_date is not None and e.due_date < TODAY):
            continue
        if figure.high_risk and e.risk != "high":
            continue
        if figure.no_interim_controls and (e.interim_controls or "").strip():
            continue
        out.add(e.id)
    return out


# ---- for the browser tests: a second home whose grip is slipping ---------------------------

CHASING = "My mother's hearing aid was not put in again this week."


def slipping_home(app, floor) -> dict:
    """Beside the floor fixture's Ashdown House: Beech Court, with two overdue entries (one
    with no interim controls), one past due and waiting for a check, a high-risk entry open
    and another closed, and two relatives chasing about the same question; and a nominated
    individual, whose login is returned."""
    from seed import factories as f
    from server.findings.models import Finding
    from server.providers.models import Provider
    from tests.support.browser import PASSWORD, db_query

    def make(db):
        provider = db.session.get(Provider, floor.provider_id)
        beech = f.make_service(provider, "Beech Court")
        ni = f.make_user(
            provider, "nominated_individual", None, name="Kate Williams", email="kate@example.test"
        )
        today = datetime.now(UTC).date()
        late = today - timedelta(days=4)
        rows = (
            ("Fluid charts not totalled", "open", late, "medium", None),
            ("Hoist slings not checked", "in_progress", late, "medium", "Spot checks twice a day"),
            ("Handover notes incomplete", "awaiting_check", late, "medium", "Spot checks"),
            (
                "Bed rails fitted without assessment",
                "open",
                today + timedelta(days=5),
                "high",
                "Rails off",
            ),
            ("Thickened fluids at the wrong consistency", "closed", late, "high", "Chart checks"),
        )
        for concern, status, due, risk, controls in rows:
            db.session.add(
                LogEntry(
                    service_id=beech.id,
                    concern=concern,
                    decision=f"Kate Williams puts right: {concern.lower()}, checked daily",
                    source="audit",
                    owner_id=ni.id,
                    created_by=ni.id,
                    evidence_needed="Audit",
                    risk=risk,
                    status=status,
                    due_date=due,
                    original_due_date=due,
                    interim_controls=controls,
                    escalation_decision="not_escalated",
                    opened_at=datetime.now(UTC) - timedelta(days=9),
                    closed_at=datetime.now(UTC) if status == "closed" else None,
                )
            )
        for hours, answer in ((30, CHASING), (3, "Nobody has rung us back about the hearing aid.")):
            at = datetime.now(UTC) - timedelta(hours=hours)
            db.session.add(
                Finding(
                    service_id=beech.id,
                    kind="feedback",
                    area="Bedrooms",
                    source="feedback",
                    description=answer,
                    answer=answer,
                    question_id="care-1",
                    question="Is the care your relative gets what you agreed?",
                    respondent_type="relative",
                    sentiment="negative",
                    recorded_by=ni.id,
                    recorded_at=at,
                    received_at=at,
                )
            )
        db.session.commit()
        return {"id": ni.id, "email": ni.email, "password": PASSWORD}

    return db_query(app, make)
