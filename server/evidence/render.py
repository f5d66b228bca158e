"""The evidence pack as a printable HTML page and as a PDF (filters: server.common.rendering)."""

from collections import Counter
from pathlib import Path

from server.common.pdf import html_to_pdf
from server.common.rendering import environment, words
from server.evidence import categories as cat

# The reports' shared sheet, then the pack's own layout (which sets its own page boxes).
STYLESHEETS = ("report.css", "pack.css")
SHORT = {
    cat.PEOPLE: "People",
    cat.STAFF: "Staff, leaders",
    cat.PARTNERS: "Partners",
    cat.OBSERVATION: "Observed",
    cat.PROCESSES: "Processes",
    cat.OUTCOMES: "Outcomes",
}
PLURALS = {"walkaround_issue": "walkaround issues", "visibility_check": "visibility checks"}


def _category_labels(keys) -> str:
    return ", ".join(cat.CATEGORIES[k] for k in keys)


def _findings_summary(findings) -> str:
    """3 linked findings: 2 feedback (relative), 1 walkaround issue."""
    counts = Counter((f["kind"], f["respondent_type"]) for f in findings)
    parts = ", ".join(
        f"{n} {PLURALS.get(kind, words(kind).lower()) if n > 1 else words(kind).lower()}"
        + (f" ({who.replace('_', ' ')})" if who else "")
        for (kind, who), n in counts.items()
    )
    noun = "finding" if len(findings) == 1 else "findings"
    return f"{len(findings)} linked {noun}: {parts}."


def _rules() -> list[tuple[str, str]]:
    """The category tables as the pack prints them (the same as docs/evidence-pack.md)."""
    rows = []
    for kind, table in (
        ("Evidence reference", cat.EVIDENCE_TYPE_CATEGORIES),
        ("Concern or finding from", cat.SOURCE_CATEGORIES),
        ("Feedback from a", cat.RESPONDENT_CATEGORIES),
        ("Finding with no respondent, a", cat.FINDING_KIND_CATEGORIES),
    ):
        for word, keys in table.items():
            rows.append((f"{kind}: {words(word).lower()}", _category_labels(keys) or "None"))
    return rows


_env = environment(
    Path(__file__).parent / "templates",
    category_labels=_category_labels,
    findings_summary=_findings_summary,
)


def pack_html(pack: dict) -> str:
    """Render the pack (from services.evidence_pack) as one print-ready HTML page."""
    return _env.get_template("evidence_pack.html").render(
        pack=pack, short=SHORT, rules=_rules(), stylesheets=STYLESHEETS
    )


def pack_pdf(pack: dict) -> bytes:
    return html_to_pdf(pack_html(pack))
