"""Large PDFs made in the background: the evidence pack and the governance report.

Each report kind says how to read its query, how to build its data as a person (which checks
that they may see it), how to check that again at download, and how to print it. A file is
kept under a key of the kind, the query and a digest of the data it shows (with the
templates and stylesheets that lay it out), so asking again when nothing has changed finds
the same file, and any change to what the report would show (an entry, a review, a name, a
new day in a running month) makes a new one. Building the data takes a small fraction of
the time of printing it (docs/performance.md), which is what makes this check cheap.
"""

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from marshmallow import Schema
from sqlalchemy.exc import IntegrityError

from server.accounts.models import User
from server.common.access import get_service
from server.common.rendering import slug
from server.common.transaction import write_lock
from server.evidence import render as pack_render
from server.evidence.schemas import PackArgs
from server.evidence.services import evidence_pack
from server.extensions import db
from server.jobs.kinds import job_kind
from server.jobs.models import JobFile
from server.reports.governance import governance_report
from server.reports.render import render_pdf
from server.reports.schemas import GovernanceQuerySchema
from server.reports.scope import report_scope

ROOT = Path(__file__).resolve().parents[2]
PDF = "application/pdf"


@dataclass(frozen=True)
class ReportKind:
    name: str
    label: str
    schema: type[Schema]
    data: Callable[[User, dict], dict]  # the report's data as ``user`` may see it
    authorise: Callable[[User, dict], object]  # raises NotFound/Forbidden when not allowed
    render: Callable[[User, dict, dict], tuple[bytes, str]]  # (pdf, file name)
    layout: tuple[str, ...]  # the files that lay it out (part of the cache key)


def _pack_pdf(user, args, pack) -> tuple[bytes, str]:
    name = f"evidence-pack-{slug(pack['service']['name'])}-{pack['from']}-{pack['to']}.pdf"
    return pack_render.pack_pdf(pack), name


def _governance_links(args: dict) -> dict:
    query = f"month={args['month']:%Y-%m}"
    if args.get("service_id"):
        query += f"&service_id={args['service_id']}"
    return {kind: f"/api/v1/reports/governance.{kind}?{query}" for kind in ("html", "pdf", "csv")}


def _governance_pdf(user, args, _data) -> tuple[bytes, str]:
    report = governance_report(user, **args, charts=True)
    pdf = render_pdf("governance.html", report=report, links=_governance_links(args))
    return pdf, f"careloop-governance-{report['month']}-{slug(report['title'])}.pdf"


KINDS = {
    "evidence_pack": ReportKind(
        name="evidence_pack",
        label="evidence pack",
        schema=PackArgs,
        data=lambda user, args: evidence_pack(user, **args),
        authorise=lambda user, args: get_service(user, args["service_id"], "report.read"),
        render=_pack_pdf,
        layout=(
            "server/evidence/templates/evidence_pack.html",
            "pwa/css/report.css",
            "pwa/css/pack.css",
            "server/evidence/render.py",
        ),
    ),
    "governance": ReportKind(
        name="governance",
        label="governance report",
        schema=GovernanceQuerySchema,
        data=lambda user, args: governance_report(user, **args),
        authorise=lambda user, args: report_scope(user, args.get("service_id")),
        render=_governance_pdf,
        layout=("server/reports/templates/governance.html", "pwa/css/report.css"),
    ),
}


@cache
def _layout_digest(files: tuple[str, ...]) -> str:
    digest = hashlib.sha256()
    for name in files:
        path = ROOT / name
        digest.update(path.read_bytes() if path.is_file() else name.encode())
    return digest.hexdigest()


def cache_key(kind: ReportKind, params: dict, data: dict) -> str:
    """The key of the file that prints ``data``: same data, same key."""
    shown = {k: v for k, v in data.items() if k != "generated_at"}
    text = json.dumps(
        [kind.name, _layout_digest(kind.layout), params, shown], sort_keys=True, default=str
    )
    return hashlib.sha256(text.encode()).hexdigest()


def cached(key: str) -> bool:
    return db.session.scalar(db.select(JobFile.key).where(JobFile.key == key)) is not None


def store(key: str, content: bytes, name: str, content_type: str = PDF) -> None:
    """Keep the file under ``key`` (another job may have kept the same one first)."""
    write_lock()
    try:
        with db.session.begin_nested():
            db.session.add(JobFile(key=key, name=name, content_type=content_type, content=content))
    except IntegrityError:
        pass
    db.session.commit()


def make(kind: ReportKind, user: User, params: dict) -> str:
    """Build the report as ``user``; print and keep it unless kept already; return its key."""
    args = kind.schema().load(params)
    data = kind.data(user, args)
    key = cache_key(kind, params, data)
    if not cached(key):
        content, name = kind.render(user, args, data)
        store(key, content, name)
    return key


def _handler(kind: ReportKind):
    def run(job) -> str:
        user = db.session.get(User, job.user_id)
        if user is None or not user.is_active:
            raise PermissionError("The person who asked for this report can no longer sign in.")
        return make(kind, user, job.params)

    return run


for _kind in KINDS.values():
    job_kind(f"report.{_kind.name}")(_handler(_kind))
