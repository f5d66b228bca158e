"""Findings, walkarounds, triage and the triage inbox."""

from flask_login import current_user

from server.api.http import ApiBlueprint, first, page
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

blp = ApiBlueprint("findings", __name__)


def _actor() -> Actor:
    return Actor(current_user._get_current_object())


def _finding_found(path) -> dict:
    return {"finding": services.get_finding(current_user, path["finding_id"])}


@blp.route("/findings")
@blp.arguments(FindingListArgs, location="query")
@blp.response(200, FindingSchema, paged=True)
def list_findings(args):
    """List the findings the user may see (floor roles: their own), newest first."""
    select = services.list_findings(current_user, args)
    return page(select, FindingSchema().dump, args)


@blp.route("/findings", methods=["POST"])
@blp.arguments(FindingCreateSchema)
@blp.response(201, FindingSchema)
def create_finding(data):
    """Record a finding; sending the same id again returns the finding already made."""
    finding_id = data.pop("id", None)
    service = get_service(current_user, data.pop("service_id"), "finding.create")
    finding = services.record_finding(_actor(), service, data, id=finding_id)
    return FindingSchema().dump(finding)


@blp.route("/findings/<finding_id>")
@blp.response(200, FindingSchema)
def get_finding(finding_id):
    """Show one finding."""
    return FindingSchema().dump(services.get_finding(current_user, finding_id))


@blp.route("/findings/<finding_id>", methods=["PATCH"])
@first(_finding_found)
@blp.arguments(FindingUpdateSchema)
@blp.response(200, FindingSchema)
def update_finding(data, finding):
    """Change a finding, based on the version the client last saw."""
    base_version = data.pop("base_version")
    return FindingSchema().dump(services.update_finding(_actor(), finding, base_version, data))


@blp.route("/findings/triage", methods=["POST"])
@blp.arguments(TriageSchema)
@blp.response(200, TriageResultSchema)
def triage_findings(data):
    """Turn findings into a draft entry, link them to an entry, or dismiss them."""
    findings, entry = services.triage(
        _actor(),
        data["finding_ids"],
        data["action"],
        entry_id=data.get("entry_id"),
        reason=data.get("reason"),
        concern=data.get("concern"),
        statement_ids=data.get("statement_ids"),
    )
    return TriageResultSchema().dump(
        {
            "action": data["action"],
            "entry_id": entry.id if entry else None,
            "findings": findings,
        }
    )


@blp.route("/services/<service_id>/inbox")
@blp.response(200, InboxSchema)
def service_inbox(service_id):
    """New findings by area and source, those past their escalation time first."""
    return InboxSchema().dump(services.inbox(current_user, service_id))


@blp.route("/walkarounds")
@blp.arguments(WalkaroundListArgs, location="query")
@blp.response(200, WalkaroundSchema, paged=True)
def list_walkarounds(args):
    """List the walkarounds the user may see, newest first."""
    select = services.list_walkarounds(current_user, args)
    dump = WalkaroundSchema().dump
    return page(select, lambda w: dump(services.walkaround_summary(w)), args)


@blp.route("/walkarounds", methods=["POST"])
@blp.arguments(WalkaroundCreateSchema)
@blp.response(201, WalkaroundDetailSchema)
def create_walkaround(data):
    """Record a walkaround and the findings made during it."""
    walkaround_id = data.pop("id", None)
    service = get_service(current_user, data.pop("service_id"), "finding.create")
    walk = services.record_walkaround(_actor(), service, data, id=walkaround_id)
    return WalkaroundDetailSchema().dump(services.walkaround_summary(walk, with_findings=True))


@blp.route("/walkarounds/<walkaround_id>")
@blp.response(200, WalkaroundDetailSchema)
def get_walkaround(walkaround_id):
    """Show a walkaround with the findings recorded during it."""
    walk = services.get_walkaround(current_user, walkaround_id)
    return WalkaroundDetailSchema().dump(services.walkaround_summary(walk, with_findings=True))
