"""Findings, walkarounds, triage and the triage inbox."""

from flask_login import current_user, login_required

from server.api.http import endpoint, load, page, query_args
from server.audit.services import Actor
from server.common.access import get_service
from server.findings import services
from server.findings.schemas import (
    FindingCreateSchema,
    FindingListArgs,
    FindingSchema,
    FindingUpdateSchema,
    InboxSchema,
    TriageResultSchema,
    TriageSchema,
    WalkaroundCreateSchema,
    WalkaroundDetailSchema,
    WalkaroundListArgs,
    WalkaroundSchema,
)


def _actor() -> Actor:
    return Actor(current_user._get_current_object())


@endpoint("/findings", query=FindingListArgs, response=FindingSchema, paged=True)
@login_required
def list_findings():
    """List the findings the user may see (floor roles: their own), newest first."""
    args = query_args(FindingListArgs())
    select = services.list_findings(current_user, args)
    return page(select, FindingSchema().dump, args["page"], args["per_page"])


@endpoint(
    "/findings", methods=("POST",), status=201, body=FindingCreateSchema, response=FindingSchema
)
@login_required
def create_finding():
    """Record a finding; sending the same id again returns the finding already made."""
    data = load(FindingCreateSchema())
    finding_id = data.pop("id", None)
    service = get_service(current_user, data.pop("service_id"), "finding.create")
    finding = services.record_finding(_actor(), service, data, id=finding_id)
    return FindingSchema().dump(finding)


@endpoint("/findings/<finding_id>", response=FindingSchema)
@login_required
def get_finding(finding_id):
    """Show one finding."""
    return FindingSchema().dump(services.get_finding(current_user, finding_id))


@endpoint(
    "/findings/<finding_id>", methods=("PATCH",), body=FindingUpdateSchema, response=FindingSchema
)
@login_required
def update_finding(finding_id):
    """Change a finding, based on the version the client last saw."""
    finding = services.get_finding(current_user, finding_id)
    data = load(FindingUpdateSchema())
    base_version = data.pop("base_version")
    return FindingSchema().dump(services.update_finding(_actor(), finding, base_version, data))


@endpoint("/findings/triage", methods=("POST",), body=TriageSchema, response=TriageResultSchema)
@login_required
def triage_findings():
    """Turn findings into a draft entry, link them to an entry, or dismiss them."""
    data = load(TriageSchema())
    findings, entry = services.triage(
        _actor(),
        data["finding_ids"],
        data["action"],
        entry_id=data.get("entry_id"),
        reason=data.get("reason"),
        concern=data.get("concern"),
    )
    return TriageResultSchema().dump(
        {
            "action": data["action"],
            "entry_id": entry.id if entry else None,
            "findings": findings,
        }
    )


@endpoint("/services/<service_id>/inbox", response=InboxSchema)
@login_required
def service_inbox(service_id):
    """New findings by area and source, those past their escalation time first."""
    return InboxSchema().dump(services.inbox(current_user, service_id))


@endpoint("/walkarounds", query=WalkaroundListArgs, response=WalkaroundSchema, paged=True)
@login_required
def list_walkarounds():
    """List the walkarounds the user may see, newest first."""
    args = query_args(WalkaroundListArgs())
    select = services.list_walkarounds(current_user, args)
    dump = WalkaroundSchema().dump
    return page(
        select, lambda w: dump(services.walkaround_summary(w)), args["page"], args["per_page"]
    )


@endpoint(
    "/walkarounds",
    methods=("POST",),
    status=201,
    body=WalkaroundCreateSchema,
    response=WalkaroundDetailSchema,
)
@login_required
def create_walkaround():
    """Record a walkaround and the findings made during it."""
    data = load(WalkaroundCreateSchema())
    walkaround_id = data.pop("id", None)
    service = get_service(current_user, data.pop("service_id"), "finding.create")
    walk = services.record_walkaround(_actor(), service, data, id=walkaround_id)
    return WalkaroundDetailSchema().dump(services.walkaround_summary(walk, with_findings=True))


@endpoint("/walkarounds/<walkaround_id>", response=WalkaroundDetailSchema)
@login_required
def get_walkaround(walkaround_id):
    """Show a walkaround with the findings recorded during it."""
    walk = services.get_walkaround(current_user, walkaround_id)
    return WalkaroundDetailSchema().dump(services.walkaround_summary(walk, with_findings=True))
