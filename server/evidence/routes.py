"""The inspection evidence pack: JSON, a printable page, and a PDF."""

from flask_login import current_user

from server.api.http import ApiBlueprint
from server.common.rendering import download, slug
from server.evidence import render, services
from server.evidence.schemas import EvidencePackSchema, PackArgs

blp = ApiBlueprint("evidence", __name__)


def _pack(args: dict) -> dict:
    return services.evidence_pack(current_user, **args)


def _filename(pack: dict, ext: str) -> str:
    return f"evidence-pack-{slug(pack['service']['name'])}-{pack['from']}-{pack['to']}.{ext}"


@blp.route("/reports/evidence-pack", tags=["reports"])
@blp.arguments(PackArgs, location="query")
@blp.response(200, EvidencePackSchema)
def evidence_pack(args):
    """The evidence pack of a service for a period, by the chosen framework's statements."""
    return EvidencePackSchema().dump(_pack(args))


@blp.route("/reports/evidence-pack.html", tags=["reports"])
@blp.doc(summary="The evidence pack as a print-ready HTML page")
@blp.arguments(PackArgs, location="query")
@blp.response(200, content_type="text/html")
def evidence_pack_html(args):
    """The evidence pack as a print-ready HTML page."""
    pack = _pack(args)
    return download(render.pack_html(pack), "text/html", _filename(pack, "html"), inline=True)


@blp.route("/reports/evidence-pack.pdf", tags=["reports"])
@blp.doc(summary="The evidence pack as a PDF")
@blp.arguments(PackArgs, location="query")
@blp.response(200, content_type="application/pdf")
def evidence_pack_pdf(args):
    """The evidence pack as a PDF."""
    pack = _pack(args)
    return download(render.pack_pdf(pack), "application/pdf", _filename(pack, "pdf"), inline=True)
