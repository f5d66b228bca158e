"""The inspection evidence pack: JSON, a printable page, and a PDF."""

from flask_login import current_user, login_required

from server.api.http import endpoint, query_args
from server.common.rendering import download, slug
from server.evidence import render, services
from server.evidence.schemas import EvidencePackSchema, PackArgs


def _pack() -> dict:
    args = query_args(PackArgs())
    return services.evidence_pack(
        current_user, args["service_id"], args["start"], args["end"], args["framework"]
    )


def _filename(pack: dict, ext: str) -> str:
    return f"evidence-pack-{slug(pack['service']['name'])}-{pack['from']}-{pack['to']}.{ext}"


@endpoint("/reports/evidence-pack", query=PackArgs, response=EvidencePackSchema, tag="reports")
@login_required
def evidence_pack():
    """The evidence pack of a service for a period, by the chosen framework's statements."""
    return EvidencePackSchema().dump(_pack())


@endpoint(
    "/reports/evidence-pack.html",
    query=PackArgs,
    tag="reports",
    media="text/html",
    summary="The evidence pack as a print-ready HTML page",
)
@login_required
def evidence_pack_html():
    """The evidence pack as a print-ready HTML page."""
    pack = _pack()
    return download(render.pack_html(pack), "text/html", _filename(pack, "html"), inline=True)


@endpoint(
    "/reports/evidence-pack.pdf",
    query=PackArgs,
    tag="reports",
    media="application/pdf",
    summary="The evidence pack as a PDF",
)
@login_required
def evidence_pack_pdf():
    """The evidence pack as a PDF."""
    pack = _pack()
    return download(render.pack_pdf(pack), "application/pdf", _filename(pack, "pdf"), inline=True)
