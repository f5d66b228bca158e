"""The report's appendix: every entry with a decision or a sign-off in the month, sign-offs
first, with who marked it done, who checked it and who signed it off, each apart. It prints
one short paragraph per entry, each value named by its column in the CSV of the month's
entries, and leaves empty values out. The CSV carries the same columns, worked out by the
same functions here, and marks the same rows ("In the appendix"), so the printed appendix
and the spreadsheet cannot disagree.
"""

from sqlalchemy import and_, case, or_, select
from sqlalchemy.orm import aliased

from server.accounts.models import User
from server.common.dates import london_date
from server.extensions import db
from server.log.guards import follow_through_sentence
from server.log.models import LogEntry
from server.reports.entries import escalated_in, live_in, opened_in, signed_off_in
from server.reports.scope import Month, ReportScope

COLUMNS = [
    "Service",
    "Concern",
    "Decision",
    "Opened on",
    "Escalation decision",
    "Escalation decided on",
    "Safeguarding follow-through",
    "Marked done by",
    "Checked by",
    "Signed off by",
    "Signed off on",
]
# Sign-offs first, then escalation decisions, then entries opened: an entry is listed once,
# under the first of these it had in the month.
GROUPS = ("signed_off", "escalation", "opened")
GROUP_LABELS = {
    "signed_off": "High-risk closures signed off",
    "escalation": "Escalation decisions",
    "opened": "Entries opened",
}
ESCALATION = {"escalated": "Escalated", "not_escalated": "Not escalated"}


# Who moved the entry along, each step separately (server.log.models): the owner marked
# it done, a manager checked the evidence, a nominated individual or quality lead signed
# it off.
STEPS = {"done_by": "done_name", "checked_by": "checker_name", "signed_off_by": "signer_name"}


def people():
    """The people of STEPS, by name: (labelled columns, outer joins)."""
    columns, joins = [], []
    for field, label in STEPS.items():
        person = aliased(User)
        columns.append(person.display_name.label(label))
        joins.append((person, person.id == getattr(LogEntry, field)))
    return columns, joins


def with_people(query):
    columns, joins = people()
    query = query.add_columns(*columns)
    for alias, on in joins:
        query = query.outerjoin(alias, on)
    return query


def group_column(month: Month):
    """0, 1 or 2 (GROUPS) for an entry of the appendix; NULL for any other entry."""
    return case(
        (signed_off_in(month), 0),
        (escalated_in(month), 1),
        (opened_in(month), 2),
        else_=None,
    ).label("appendix_group")


def in_month_scope(month: Month, ids):
    """The entries of the month's CSV: open at some moment of the month, or given an
    escalation decision in it (a draft, or an entry closed before the month, may be)."""
    return or_(
        live_in(month, ids),
        and_(LogEntry.service_id.in_(ids), LogEntry.deleted_at.is_(None), escalated_in(month)),
    )


def cells(scope: ReportScope, row) -> dict:
    """The appendix's columns for one row (of a query made with ``with_people``)."""
    signed = row.signed_off_by is not None and row.status == "closed"
    decision = ESCALATION.get(row.escalation_decision or "", "")
    if decision and row.escalation_reason:
        decision = f"{decision}: {row.escalation_reason}"
    signed_at = row.signed_off_at or row.closed_at
    return {
        "Service": scope.name(row.service_id),
        "Concern": row.concern,
        "Decision": row.decision,
        "Opened on": london_date(row.opened_at) if row.opened_at else None,
        "Escalation decision": decision,
        "Escalation decided on": london_date(row.escalation_at) if row.escalation_at else None,
        "Safeguarding follow-through": follow_through_sentence(row),
        "Marked done by": row.done_name or "",
        "Checked by": row.checker_name or "",
        "Signed off by": (row.signer_name or "") if signed else "",
        "Signed off on": london_date(signed_at) if signed and signed_at else None,
    }


ENTRY_COLUMNS = (
    "id",
    "service_id",
    "concern",
    "decision",
    "status",
    "opened_at",
    "closed_at",
    "done_by",
    "checked_by",
    "signed_off_by",
    "signed_off_at",
    "escalation_decision",
    "escalation_reason",
    "escalation_at",
    "referral_made_on",
    "referral_not_needed",
    "cqc_notified_on",
    "cqc_not_needed",
)


def appendix(month: Month, scope: ReportScope) -> dict:
    """Return {"columns", "total", "rows"}: every row of the appendix, sign-offs first."""
    group = group_column(month)
    moment = case(
        (group == 0, LogEntry.closed_at),
        (group == 1, LogEntry.escalation_at),
        else_=LogEntry.opened_at,
    )
    query = with_people(
        select(*(getattr(LogEntry, name) for name in ENTRY_COLUMNS), group)
        .where(in_month_scope(month, scope.ids), group.is_not(None))
        .order_by(group, moment, LogEntry.id)
    )
    rows = [
        {"entry_id": row.id, "group": GROUPS[row.appendix_group], "cells": cells(scope, row)}
        for row in db.session.execute(query)
    ]
    groups, first = [], 0
    for name in GROUPS:
        count = sum(row["group"] == name for row in rows)
        if count:
            groups.append(
                {"group": name, "label": GROUP_LABELS[name], "first": first, "count": count}
            )
        first += count
    return {"columns": COLUMNS, "total": len(rows), "groups": groups, "rows": rows}
