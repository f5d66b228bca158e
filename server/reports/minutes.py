"""What the oversight meeting minutes: reviews done, decisions made and challenges raised in
the month, and its themes. Counts are grouped in SQL; lists stop at LIMIT rows with the
full count beside them.
"""

import uuid

from sqlalchemy import and_, case, func, or_, select

from server.accounts.models import User
from server.audit.models import AuditEvent
from server.common.dates import london_date
from server.common.vocab import REVIEW_KINDS, REVIEW_OUTCOMES
from server.extensions import db
from server.framework.models import QualityStatement
from server.log.guards import follow_through_sentence, steps_sentence
from server.log.models import LogEntry, entry_statement
from server.reports.entries import (
    LIMIT,
    escalated_in,
    live_in,
    month_entries,
    opened_in,
    signed_off_in,
)
from server.reports.scope import Month
from server.reviews.models import Review, ReviewItem

ENTRY_CHUNK = 500  # ids per IN list when reading the audit trail
REVIEW_CHALLENGES = ("Review of the log", "Review of an entry")
SIGN_OFF_CHALLENGE = "Sign-off of a high-risk closure"


def _reviews_in(month: Month, ids):
    return and_(
        Review.service_id.in_(ids),
        Review.reviewed_at >= month.start,
        Review.reviewed_at < month.end,
    )


def reviews_done(month: Month, ids) -> dict:
    """Reviews recorded in the month: counts by outcome and kind, the list, entry outcomes."""
    where = _reviews_in(month, ids)
    by_outcome = dict.fromkeys(REVIEW_OUTCOMES, 0)
    by_kind = dict.fromkeys(REVIEW_KINDS, 0)
    for outcome, kind, n in db.session.execute(
        select(Review.outcome, Review.kind, func.count())
        .where(where)
        .group_by(Review.outcome, Review.kind)
    ):
        by_outcome[outcome] = by_outcome.get(outcome, 0) + n
        by_kind[kind] = by_kind.get(kind, 0) + n
    entry_outcomes = dict.fromkeys(REVIEW_OUTCOMES, 0)
    entry_outcomes.update(
        dict(
            db.session.execute(
                select(ReviewItem.outcome, func.count())
                .join(Review, Review.id == ReviewItem.review_id)
                .where(where)
                .group_by(ReviewItem.outcome)
            ).all()
        )
    )
    rows = db.session.execute(
        select(Review, User.display_name)
        .join(User, User.id == Review.reviewer_id)
        .where(where)
        .order_by(Review.reviewed_at, Review.id)
        .limit(LIMIT)
    ).all()
    items = [
        {
            **{key: getattr(r, key) for key in ("id", "service_id", "kind", "outcome", "comment")},
            "reviewed_on": london_date(r.reviewed_at),
            "reviewer_name": name,
        }
        for r, name in rows
    ]
    return {
        "total": sum(by_outcome.values()),
        "by_outcome": by_outcome,
        "by_kind": by_kind,
        "entry_outcomes": entry_outcomes,
        "items": items,
    }


def challenges_raised(month: Month, ids) -> list[dict]:
    """Every challenge of the month: reviews', their entries', and high-risk sign-offs'."""
    logs = db.session.execute(
        select(Review, User.display_name)
        .join(User, User.id == Review.reviewer_id)
        .where(_reviews_in(month, ids), Review.outcome == "challenge")
    )
    out = [
        _challenge(r.reviewed_at, r.service_id, "Review of the log", None, r.comment, name)
        for r, name in logs
    ]
    items = (
        select(ReviewItem, Review, LogEntry.concern, User.display_name)
        .join(Review, Review.id == ReviewItem.review_id)
        .join(LogEntry, LogEntry.id == ReviewItem.entry_id)
        .join(User, User.id == Review.reviewer_id)
        .where(_reviews_in(month, ids), ReviewItem.outcome == "challenge")
    )
    out += [
        _challenge(r.reviewed_at, r.service_id, "Review of an entry", concern, item.comment, name)
        for item, r, concern, name in db.session.execute(items)
    ]
    out.extend(_sign_off_challenges(month, ids))
    kinds = REVIEW_CHALLENGES + (SIGN_OFF_CHALLENGE,)
    return sorted(out, key=lambda c: (c["at"], kinds.index(c["kind"]), c["text"]))


def _challenge(at, service_id, kind, concern, text, by) -> dict:
    return {
        "at": at,
        "on": london_date(at),
        "service_id": service_id,
        "kind": kind,
        "concern": concern,
        "text": text,
        "by_name": by,
    }


def _sign_off_challenges(month: Month, ids) -> list[dict]:
    """High-risk closures challenged at sign-off: read from the audit trail, entry by entry
    (its index is by entity), for the high-risk entries of the month only."""
    entries = dict(
        db.session.execute(
            select(LogEntry.id, LogEntry.concern).where(
                live_in(month, ids), LogEntry.risk == "high"
            )
        ).all()
    )
    keys = [str(i) for i in entries]
    out = []
    for start in range(0, len(keys), ENTRY_CHUNK):
        query = (
            select(AuditEvent, User.display_name)
            .outerjoin(User, User.id == AuditEvent.actor_id)
            .where(
                AuditEvent.entity_type == "log_entry",
                AuditEvent.entity_id.in_(keys[start : start + ENTRY_CHUNK]),
                AuditEvent.action == "challenge",
                AuditEvent.at >= month.start,
                AuditEvent.at < month.end,
            )
        )
        for event, name in db.session.execute(query):
            changes = event.changes or {}
            if changes.get("review_id"):
                continue  # counted with its review above
            concern, reason = entries[uuid.UUID(event.entity_id)], changes.get("reason", "")
            out.append(
                _challenge(event.at, event.service_id, SIGN_OFF_CHALLENGE, concern, reason, name)
            )
    return out


def decisions_made(month: Month, ids) -> dict:
    """Decisions of the month: entries opened, escalation decisions, high-risk sign-offs.

    Two passes read when each decision was made (a few columns of the month's decisions):
    openings and sign-offs among the month's entries, escalation decisions over the
    services' whole log (a draft, or an entry closed before the month, may be escalated);
    only the first LIMIT of each kind are then loaded whole.
    """
    made = {kind: [] for kind in ("opened", "escalation", "signed_off")}
    month_kinds = {
        "opened": (opened_in(month), LogEntry.opened_at),
        "signed_off": (signed_off_in(month), LogEntry.closed_at),
    }
    # An entry is opened before it is closed: what opens or closes in the month was
    # open in it, so month_entries holds every opening and sign-off of the month.
    rows = db.session.execute(
        select(
            LogEntry.id,
            *(case((cond, when)).label(kind) for kind, (cond, when) in month_kinds.items()),
        ).where(month_entries(month, ids), or_(*(c for c, _ in month_kinds.values())))
    )
    for row in rows:
        for kind in month_kinds:
            if getattr(row, kind):
                made[kind].append((getattr(row, kind), row.id))
    # A seek of (service_id, escalation_at) where that index exists; else a pass per service.
    made["escalation"] = [
        (at, entry_id)
        for entry_id, at in db.session.execute(
            select(LogEntry.id, LogEntry.escalation_at).where(
                LogEntry.service_id.in_(ids), LogEntry.deleted_at.is_(None), escalated_in(month)
            )
        )
    ]
    counts, firsts = {}, []
    for kind, found in made.items():
        found.sort()
        counts[kind] = len(found)
        firsts.extend((at, kind, entry_id) for at, entry_id in found[:LIMIT])
    firsts.sort(key=lambda f: (f[0], list(made).index(f[1]), f[2]))
    firsts = firsts[:LIMIT]
    entries = {
        e.id: e
        for e in db.session.scalars(select(LogEntry).where(LogEntry.id.in_({f[2] for f in firsts})))
    }
    items = [_decision(kind, entries[entry_id], at) for at, kind, entry_id in firsts]
    return {"total": sum(counts.values()), "counts": counts, "items": items}


def _escalation_text(entry: LogEntry) -> str:
    decided = "Escalated" if entry.escalation_decision == "escalated" else "Not escalated"
    text = f"{decided} to provider level: {entry.escalation_reason or ''}".strip()
    follow_through = follow_through_sentence(entry)  # a safeguarding concern's, if recorded
    return f"{text.rstrip('.')}. {follow_through}" if follow_through else text


def _decision(kind: str, entry: LogEntry, at) -> dict:
    text = {
        "opened": entry.decision,
        "escalation": _escalation_text(entry),
        "signed_off": steps_sentence(entry)
        or "High-risk closure signed off on the evidence recorded.",
    }[kind]
    return {
        "at": at,
        "on": london_date(at),
        "kind": kind,
        "entry_id": entry.id,
        "service_id": entry.service_id,
        "concern": entry.concern,
        "text": text,
        "due_date": entry.due_date if kind == "opened" else None,
    }


def statement_themes(month: Month, ids) -> list[dict]:
    """Entries opened in the month counted by CQC quality statement."""
    # The month's openings first (through month_entries, see decisions_made), then their
    # statements by the primary key (entry_id, ...), not every tag of the log.
    opened = select(LogEntry.id).where(month_entries(month, ids), opened_in(month))
    n = func.count(entry_statement.c.entry_id)
    rows = db.session.execute(
        select(QualityStatement, n)
        .join(entry_statement, entry_statement.c.statement_id == QualityStatement.id)
        .where(entry_statement.c.entry_id.in_(opened))
        .group_by(QualityStatement.id)
        .order_by(n.desc(), QualityStatement.framework_id, QualityStatement.position)
    )
    return [
        {
            "statement_id": s.id,
            "framework_id": s.framework_id,
            "code": s.code,
            "key_question": s.key_question,
            "title": s.title,
            "count": count,
        }
        for s, count in rows
    ]
