"""Large reports made in the background: ask for one, follow it, fetch the file.

The synchronous routes (``/reports/evidence-pack.pdf``, ``/reports/governance.pdf``) stay
for API clients that would rather wait; the Reports screen uses these.
"""

from flask_login import current_user
from marshmallow import Schema, fields

from server.api.http import ApiBlueprint
from server.common.access import as_uuid
from server.common.rendering import download
from server.evidence.schemas import PackArgs
from server.jobs import prepare
from server.reports.schemas import GovernanceQuerySchema

blp = ApiBlueprint("jobs", __name__)


class ReportJobSchema(Schema):
    id = fields.UUID()
    kind = fields.String(metadata={"description": "evidence_pack or governance"})
    status = fields.String(metadata={"description": "queued, running, done or failed"})
    message = fields.String(metadata={"description": "What the page shows, in plain words."})
    worker_running = fields.Boolean(
        metadata={"description": "Whether a `flask worker` was seen in the last 30 seconds."}
    )
    cached = fields.Boolean(
        metadata={"description": "Done at once: the same report of the same data was made before."}
    )
    created_at = fields.DateTime()
    finished_at = fields.DateTime(allow_none=True)
    download_url = fields.String(
        allow_none=True, metadata={"description": "Where to fetch the PDF once done."}
    )


def _started(kind: str, args: dict):
    return ReportJobSchema().dump(prepare.view(prepare.start(current_user, kind, args)))


@blp.route("/reports/evidence-pack/prepare", methods=["POST"], reads_first=True, tags=["reports"])
@blp.arguments(PackArgs)
@blp.response(202, ReportJobSchema)
def prepare_evidence_pack(args):
    """Ask for the evidence pack PDF to be made in the background (done at once when the
    same pack of the same data was made before); follow it at GET /jobs/{id}."""
    return _started("evidence_pack", args)


@blp.route("/reports/governance/prepare", methods=["POST"], reads_first=True, tags=["reports"])
@blp.arguments(GovernanceQuerySchema)
@blp.response(202, ReportJobSchema)
def prepare_governance(args):
    """Ask for the month's governance report PDF to be made in the background."""
    return _started("governance", args)


@blp.route("/jobs/<job_id>", tags=["reports"])
@blp.response(200, ReportJobSchema)
def get_job(job_id):
    """Follow a report you asked for: queued, running, done (with its download) or failed."""
    job = prepare.own_job(current_user, as_uuid(job_id, "report"))
    return ReportJobSchema().dump(prepare.view(job))


@blp.route("/jobs/<job_id>/file", tags=["reports"])
@blp.doc(summary="The PDF a finished report job made (only for the person who asked)")
@blp.response(200, content_type="application/pdf")
@blp.alt_response(410, description="Made over a week ago and cleared: prepare it again.")
def get_job_file(job_id):
    """The PDF a finished report job made; who asked must still be allowed to see it."""
    found = prepare.fetch(current_user, as_uuid(job_id, "report"))
    return download(found.content, found.content_type, found.name)
