"""The inspection evidence pack: what leadership noticed, decided, did and proved, statement
by statement of a chosen CQC framework version (docs/evidence-pack.md)."""

from datetime import date, timedelta
from itertools import groupby

from sqlalchemy import or_

from server.common.access import get_service
from server.common.dates import day_start, london_date
from server.common.rendering import day as long_date
from server.common.rendering import words
from server.common.types import utcnow
from server.evidence import categories as cat
from server.evidence import routine as rt
from server.evidence.scope import check_period, scope_of  # noqa: F401 - check_period: callers
from server.extensions import db
from server.findings.models import Finding
from server.framework.services import mapping_into, statements
from server.log.figures import FIGURES
from server.log.guards import follow_through_sentence, steps_sentence
from server.log.models import LogEntry
from server.providers.models import Provider
from server.providers.services import names_of
from server.reviews.models import Review, ReviewItem

NOTHING_RECORDED = "nothing recorded in this period"
STATUS_LABELS = {"awaiting_sign_off": "Awaiting sign-off"}  # the rest: words(status)


def pack_request(user, args: dict) -> tuple[Provider, dict]:
    """Check that ``user`` may read the pack ``args`` asks for (the API's PackArgs) and
    return what build_pack needs: the provider and plain JSON-able params."""
    service = get_service(user, args["service_id"], "report.read")
    params = {
        "service_id": str(service.id),
        "from": str(args["start"]),
        "to": str(args["end"]),
        "framework": args.get("framework") or None,
        "statement_ids": list(args.get("statement_ids") or []),
    }
    return service.provider, params


def evidence_pack(
    user, service_id, start: date, end: date, framework: str | None = None, statement_ids=()
) -> dict:
    """The pack a user asked for: build_pack after checking who asks."""
    args = {"service_id": service_id, "start": start, "end": end, "framework": framework}
    return build_pack(*pack_request(user, {**args, "statement_ids": statement_ids}))


def build_pack(provider: Provider, params: dict) -> dict:
    """Build the pack for one service of ``provider``, a period, a framework version (by
    default the provider's framework in force) and, if chosen, some of its statements,
    grouped by key question; ``params`` as in server/evidence/scope.py."""
    scope = scope_of(provider, params)
    service, start, end, framework = scope.service, scope.start, scope.end, scope.framework
    entries = _entries(service.id, start, end)
    views = _entry_views(entries, end)
    placed, not_placed = _place(entries, views, framework.id)
    chosen = scope.chosen_ids
    sections = [
        {
            "key_question": key_question,
            "label": words(key_question),
            "statements": [
                _statement_view(s, placed.get(s.id, []), whole_pack=not scope.filtered)
                for s in group
                if not chosen or s.id in chosen
            ],
        }
        for key_question, group in groupby(statements(framework.id), lambda s: s.key_question)
    ]
    sections = [section for section in sections if section["statements"]]
    all_statements = [s for section in sections for s in section["statements"]]
    if scope.filtered:  # entries with no statement of the framework: only in the whole pack
        not_placed = []
        shown = {e["id"] for s in all_statements for e in s["entries"] + s["routine"]}
        entries = [e for e in entries if e.id in shown]
    return {
        "service": {"id": service.id, "name": service.name},
        "provider": provider.name,
        "from": start,
        "to": end,
        "framework": {"id": framework.id, "name": framework.name, "published": framework.published},
        "filter": scope.describe(),
        "generated_at": utcnow(),
        "categories": [{"id": key, "label": text} for key, text in cat.CATEGORIES.items()],
        "summary": {
            "entries": len(entries),
            "statements": len(all_statements),
            "statements_with_entries": sum(
                1 for s in all_statements if s["entries"] or s["routine"]
            ),
            "flagged": sum(1 for s in all_statements if s["flags"]),
            "not_placed": len(not_placed),
            "routine": len({e["id"] for s in all_statements for e in s["routine"]}),
        },
        "key_questions": sections,
        "not_placed": not_placed,
    }


def _entries(service_id, start: date, end: date) -> list[LogEntry]:
    """Entries live during the period: recorded by its end, not closed before its start."""
    return list(
        db.session.scalars(
            db.select(LogEntry)
            .where(
                LogEntry.service_id == service_id,
                LogEntry.deleted_at.is_(None),
                LogEntry.created_at < day_start(end + timedelta(days=1)),
                or_(LogEntry.closed_at.is_(None), LogEntry.closed_at >= day_start(start)),
            )
            .order_by(LogEntry.created_at, LogEntry.id)
        )
    )


def _findings(entry_ids) -> dict:
    out: dict = {}
    if entry_ids:
        for finding in db.session.scalars(
            db.select(Finding)
            .where(Finding.log_entry_id.in_(entry_ids), Finding.deleted_at.is_(None))
            .order_by(Finding.received_at)
        ):
            out.setdefault(finding.log_entry_id, []).append(finding)
    return out


def _reviews(entry_ids) -> dict:
    """The latest review outcome of each entry."""
    out: dict = {}
    if entry_ids:
        rows = db.session.execute(
            db.select(
                ReviewItem.entry_id,
                ReviewItem.outcome,
                ReviewItem.comment,
                Review.reviewed_at,
                Review.kind,
            )
            .join(Review, Review.id == ReviewItem.review_id)
            .where(ReviewItem.entry_id.in_(entry_ids))
            .order_by(Review.reviewed_at, ReviewItem.id)
        )
        for entry_id, outcome, comment, at, kind in rows:
            out[entry_id] = {
                "outcome": outcome,
                "outcome_label": words(outcome),
                "comment": comment,
                "on": london_date(at),
                "kind": kind,
            }
    return out


def _entry_views(entries, end: date) -> dict:
    """Each entry as the pack prints it, with the evidence categories that back it."""
    ids = [e.id for e in entries]
    people = (
        i
        for e in entries
        for i in (e.owner_id, e.closed_by, e.done_by, e.checked_by, e.signed_off_by)
    )
    names, findings, reviews = names_of(people), _findings(ids), _reviews(ids)
    challenged = rt.challenged(ids)
    views = {}
    for entry in entries:
        evidence = [
            _evidence_view(ref)
            for ref in entry.evidence
            if ref.deleted_at is None and ref.evidence_date <= end
        ]
        linked = [_finding_view(f) for f in findings.get(entry.id, [])]
        found = cat.of_source(entry.source).union(*(v["categories"] for v in evidence + linked))
        views[entry.id] = {
            "id": entry.id,
            "concern": entry.concern,
            "source": entry.source,
            "source_label": words(entry.source),
            "risk": entry.risk,
            "decision": entry.decision,
            "owner": names.get(entry.owner_id),
            "status": entry.status,
            "status_label": STATUS_LABELS.get(entry.status, words(entry.status)),
            "late": _late(entry, end),
            "recorded_on": london_date(entry.created_at),
            "due_date": entry.due_date,
            "original_due_date": entry.original_due_date,
            "closed_on": london_date(entry.closed_at) if entry.closed_at else None,
            "outcome": _outcome(entry, names),
            "review": reviews.get(entry.id),
            "evidence": evidence,
            "findings": linked,
            "categories": cat.ordered(found),
            "attention": rt.attention(
                entry, findings.get(entry.id, []), str(entry.id) in challenged
            ),
        }
    return views


def _late(entry, end: date) -> str | None:
    """The log's own figure an entry counts in when late on the pack's last day ("overdue",
    or "past due, waiting for check or sign-off"), as the log and the reports say it."""
    for name in ("overdue", "past_due_waiting"):
        if FIGURES[name].holds(entry, end):
            return FIGURES[name].label
    return None


def _outcome(entry, names) -> str:
    if entry.status == "closed" and entry.closed_at:
        text = f"Closed on {long_date(entry.closed_at)}"
        steps = steps_sentence(entry, names)  # marked done, checked, signed off: each named
        if steps:
            return " ".join(x for x in (f"{text}.", steps, follow_through_sentence(entry)) if x)
        if names.get(entry.closed_by):
            text += f" by {names[entry.closed_by]}"
        return text + "."
    if entry.status == "awaiting_sign_off":
        return "Closure recorded; waiting for sign-off by the provider."
    if entry.status == "awaiting_check":
        return "Marked done; waiting for a completion check."
    return "Not closed yet."


def _evidence_view(ref) -> dict:
    return {
        "type": ref.type,
        "type_label": words(ref.type),
        "reference": ref.location,
        "date": ref.evidence_date,
        "description": ref.description,
        "categories": cat.ordered(cat.of_evidence(ref.type)),
    }


def _finding_view(finding) -> dict:
    return {
        **{
            key: getattr(finding, key) for key in ("kind", "source", "respondent_type", "sentiment")
        },
        "kind_label": words(finding.kind),
        "recorded_on": london_date(finding.received_at),
        "categories": cat.ordered(
            cat.of_finding(finding.kind, finding.source, finding.respondent_type)
        ),
    }


def _place(entries, views, framework_id: str) -> tuple[dict, list]:
    """Put each entry under its statements of the framework, directly or through the
    mapping between versions; list the entries that land nowhere."""
    into = mapping_into(framework_id)
    placed: dict[str, dict] = {}
    not_placed = []
    for entry in entries:
        targets: dict[str, list[str]] = {}
        for statement in entry.statements:
            if statement.framework_id == framework_id:
                targets[statement.id] = []
                continue
            for target in into.get(statement.id, []):
                via = f"{statement.framework_id} {statement.code}"
                if target not in targets or targets[target]:
                    targets.setdefault(target, []).append(via)
        if not targets:
            reason = (
                "No quality statement tagged."
                if not entry.statements
                else "Tagged only with statements this framework has no mapping for."
            )
            not_placed.append(
                {**views[entry.id], "reason": reason, "tags": [s.id for s in entry.statements]}
            )
        for target, via in targets.items():
            placed.setdefault(target, {})[entry.id] = {**views[entry.id], "mapped_from": via}
    return {sid: list(by_entry.values()) for sid, by_entry in placed.items()}, not_placed


def _statement_view(statement, entries: list[dict], whole_pack: bool = True) -> dict:
    """A statement with its entries, the routine ones apart (server/evidence/routine.py)."""
    backed: set[str] = set()
    for entry in entries:
        backed |= set(entry["categories"])
    routine = [e for e in entries if rt.is_routine(e, whole_pack)]
    entries = [e for e in entries if e not in routine]
    return {
        "id": statement.id,
        "code": statement.code,
        "title": statement.title,
        "description": statement.description,
        "entries": entries,
        "routine": routine,
        "categories": cat.ordered(backed),
        "flags": cat.flags_for(backed, bool(entries or routine)),
        "note": "" if entries or routine else NOTHING_RECORDED,
    }
