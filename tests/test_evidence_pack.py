"""The inspection evidence pack: grouping by the chosen framework, evidence categories, the
processes-only flag, the period, placement through the mapping, permissions, HTML and PDF."""

import io
from datetime import UTC, date, datetime

import pytest
from pypdf import PdfReader

from server.audit.services import Actor
from server.common import vocab
from server.common.types import clock_at
from server.evidence import categories
from server.evidence.services import evidence_pack
from server.extensions import db
from server.findings.services import record_finding
from server.framework.services import ensure_bundled_frameworks
from server.log import services as log
from tests.support import framework as shared

pytestmark = pytest.mark.db

ASC = "asc-2026-draft"
MARCH = {"from": "2026-03-01", "to": "2026-03-31"}
FLAG = "Only processes: no evidence of people's experience"
GOOD = "Deputy manager audits 10 MAR charts every Friday and records the result"


# pytest finds fixtures among a module's globals: these come from tests/support/framework.py.
quick_passwords = shared.quick_passwords
only_saf_afterwards = shared.only_saf_afterwards


@pytest.fixture(autouse=True)
def frameworks(only_saf_afterwards):
    """Both bundled versions loaded (only_saf_afterwards tidies up around the test)."""
    ensure_bundled_frameworks()
    db.session.commit()


def at(day: int, month: int = 3) -> datetime:
    return datetime(2026, month, day, 10, 0, tzinfo=UTC)


@pytest.fixture
def log_book(world):
    """A March log in the home service, built at known moments (see each step)."""
    rm = Actor(world.users["registered_manager"])
    checker = world.users["deputy_manager"].id
    made = {}

    def entry(key, day, month=3, **fields):
        values = {
            "concern": f"Concern {key}",
            "source": "audit",
            "decision": GOOD,
            "owner_id": world.users["senior_carer"].id,
            "due_date": date(2026, 4, 30),
            "evidence_needed": "Weekly audit",
            **fields,
        }
        with clock_at(at(day, month)):
            made[key] = log.create_draft(rm, world.home, **values)
        return made[key]

    def evidence(key, type, day, month=3):
        with clock_at(at(day, month)):
            log.add_evidence(
                rm,
                made[key],
                type=type,
                location=f"{type} folder, {key}",
                evidence_date=date(2026, month, day),
                checked_by=checker,
            )

    # A: medicines, from an audit, proved by an audit and a training record: processes only.
    # Its observation is dated in April, after the period, so it does not count.
    entry("A", 2, statement_ids=["saf-2023:S8"], concern="MAR charts have gaps after lunch")
    evidence("A", "audit", 9)
    evidence("A", "training_record", 10)
    # B: learning culture, from a walkaround, with a relative's feedback linked, an
    # observation and an incident trend; opened, done and closed on 20 March.
    with clock_at(at(3)):
        heard = record_finding(
            rm,
            world.home,
            {
                "kind": "feedback",
                "area": "Lounge",
                "description": "Daughter not called back",
                "respondent_type": "relative",
                "question_id": "fu-1",
                "answer": "No",
                "sentiment": "negative",
            },
        )
    entry(
        "B",
        4,
        statement_ids=["saf-2023:S1"],
        source="walkaround",
        findings=[heard.id],
        concern="Falls learning not shared with night staff",
    )
    evidence("B", "observation", 12)
    evidence("B", "incident_trend", 18)
    with clock_at(at(20)):
        for action in ("open", "mark_done", "close"):
            log.transition(rm, made["B"], action)
    # C: tagged with the 2026 draft's SA6 only, which the mapping puts under S1.
    entry(
        "C",
        5,
        statement_ids=[f"{ASC}:SA6"],
        source="complaint",
        concern="Incident reports wait a week for review",
    )
    evidence("C", "feedback", 6)
    # D: recorded after the period; E: closed before it; G: has no statement at all.
    entry("D", 2, month=4, statement_ids=["saf-2023:S1"], concern="April concern")
    entry("E", 2, month=2, statement_ids=["saf-2023:S1"], concern="February concern")
    evidence("E", "audit", 3, month=2)
    with clock_at(at(10, 2)):
        for action in ("open", "mark_done", "close"):
            log.transition(rm, made["E"], action)
    entry("G", 15, concern="Untagged concern", source="staffing")
    evidence("A", "observation", 2, month=4)
    db.session.commit()
    return made


def statement(pack, code) -> dict:
    return next(s for kq in pack["key_questions"] for s in kq["statements"] if s["code"] == code)


def test_every_vocabulary_word_has_a_category_row():
    # As vocab.py grows, each new word needs its row in the categories' tables.
    uncovered = {
        "evidence types": set(vocab.ALL_EVIDENCE_TYPES) - set(categories.EVIDENCE_TYPE_CATEGORIES),
        "sources": set(vocab.SOURCES) - set(categories.SOURCE_CATEGORIES),
        "respondent types": set(vocab.RESPONDENT_TYPES) - set(categories.RESPONDENT_CATEGORIES),
        "finding kinds": set(vocab.FINDING_KINDS) - set(categories.FINDING_KIND_CATEGORIES),
    }
    assert uncovered == {
        "evidence types": set(),
        "sources": set(),
        "respondent types": set(),
        "finding kinds": set(),
    }


def test_pack_groups_by_key_question_and_statement_with_categories_and_flag(world, log_book):
    with clock_at(at(1, 4)):
        pack = evidence_pack(
            world.users["registered_manager"],
            world.home.id,
            date(2026, 3, 1),
            date(2026, 3, 31),
            "saf-2023",
        )
    assert [kq["label"] for kq in pack["key_questions"]] == [
        "Safe",
        "Effective",
        "Caring",
        "Responsive",
        "Well-led",
    ]
    assert [s["code"] for s in pack["key_questions"][0]["statements"]] == [
        "S1",
        "S2",
        "S3",
        "S4",
        "S5",
        "S6",
        "S7",
        "S8",
    ]
    s8, s1 = statement(pack, "S8"), statement(pack, "S1")
    assert [e["concern"] for e in s8["entries"]] == ["MAR charts have gaps after lunch"]
    assert s8["categories"] == ["processes"]
    assert s8["flags"] == [FLAG]
    assert [(r["type"], r["reference"], r["date"]) for r in s8["entries"][0]["evidence"]] == [
        ("audit", "audit folder, A", date(2026, 3, 9)),
        ("training_record", "training_record folder, A", date(2026, 3, 10)),
    ]
    assert [e["concern"] for e in s1["entries"]] == [
        "Falls learning not shared with night staff",
        "Incident reports wait a week for review",
    ]
    assert s1["categories"] == ["people_experience", "observation", "outcomes"]
    assert s1["flags"] == []
    assert [e["mapped_from"] for e in s1["entries"]] == [[], [f"{ASC} SA6"]]
    closed = s1["entries"][0]
    rm_name = world.users["registered_manager"].display_name
    assert (closed["status"], closed["owner"], closed["closed_on"], closed["outcome"]) == (
        "closed",
        world.users["senior_carer"].display_name,
        date(2026, 3, 20),
        # Who marked it done and who checked it, each named (issue 16, point 3).
        f"Closed on 20 March 2026. Marked done by {rm_name} on 20 March 2026, "
        f"checked by {rm_name} on 20 March 2026.",
    )
    assert closed["decision"] == GOOD
    assert [(f["kind"], f["respondent_type"], f["categories"]) for f in closed["findings"]] == [
        ("feedback", "relative", ["people_experience"])
    ]
    assert statement(pack, "S3") == {
        "id": "saf-2023:S3",
        "code": "S3",
        "title": "Safeguarding",
        "description": "",
        "entries": [],
        "categories": [],
        "flags": [],
        "note": "nothing recorded in this period",
    }
    assert [(e["concern"], e["reason"]) for e in pack["not_placed"]] == [
        ("Untagged concern", "No quality statement tagged.")
    ]
    assert pack["summary"] == {
        "entries": 4,
        "statements": 34,
        "statements_with_entries": 2,
        "flagged": 1,
        "not_placed": 1,
    }


def test_the_period_decides_which_entries_are_in(world, log_book):
    rm = world.users["registered_manager"]
    with clock_at(at(30, 4)):
        april = evidence_pack(rm, world.home.id, date(2026, 4, 1), date(2026, 4, 30))
        february = evidence_pack(rm, world.home.id, date(2026, 2, 1), date(2026, 2, 28))
    # B closed in March, so April has C (and D) under S1; A's April observation now counts.
    assert [e["concern"] for e in statement(april, "S1")["entries"]] == [
        "Incident reports wait a week for review",
        "April concern",
    ]
    assert statement(april, "S8")["categories"] == ["observation", "processes"]
    assert statement(april, "S8")["flags"] == []
    # February: only E, closed on 10 February, whose single audit flags S1.
    assert [e["concern"] for e in statement(february, "S1")["entries"]] == ["February concern"]
    assert statement(february, "S1")["flags"] == [FLAG]
    assert statement(february, "S8")["note"] == "nothing recorded in this period"


def test_the_draft_framework_places_2023_tags_through_the_mapping(world, log_book):
    with clock_at(at(1, 4)):
        pack = evidence_pack(
            world.users["nominated_individual"],
            world.home.id,
            date(2026, 3, 1),
            date(2026, 3, 31),
            ASC,
        )
    assert pack["framework"]["id"] == ASC
    assert [len(kq["statements"]) for kq in pack["key_questions"]] == [6, 7, 3, 3, 5]
    sa6, sa4 = statement(pack, "SA6"), statement(pack, "SA4")
    assert [(e["concern"], e["mapped_from"]) for e in sa6["entries"]] == [
        ("Falls learning not shared with night staff", ["saf-2023 S1"]),
        ("Incident reports wait a week for review", []),
    ]
    assert [(e["concern"], e["mapped_from"]) for e in sa4["entries"]] == [
        ("MAR charts have gaps after lunch", ["saf-2023 S8"])
    ]
    assert sa4["flags"] == [FLAG]
    assert sa6["categories"] == ["people_experience", "observation", "outcomes"]


# ---- over HTTP ---------------------------------------------------------------------------


def query(service, **changes) -> str:
    args = {"service_id": str(service.id), **MARCH, **changes}
    return "&".join(f"{k}={v}" for k, v in args.items())


@pytest.mark.parametrize(
    "role, where, status",
    [
        ("registered_manager", "home", 200),
        ("nominated_individual", "home", 200),
        ("provider_quality_lead", "other", 200),
        ("registered_manager", "other", 403),
        ("deputy_manager", "home", 403),
        ("care_worker", "home", 403),
        ("registered_manager", "rival_service", 404),
        ("nominated_individual", "rival_service", 404),
    ],
)
def test_who_may_read_the_pack(client, world, login, role, where, status):
    login(world.users[role])
    response = client.get("/api/v1/reports/evidence-pack?" + query(getattr(world, where)))
    assert response.status_code == status, response.get_json()
    if status == 200:
        assert response.get_json()["service"]["name"] == getattr(world, where).name
    elif status == 403:
        assert response.get_json()["error"]["message"] == (
            "Your role does not allow this (report.read)."
        )
    else:
        assert response.get_json()["error"]["message"] == "There is no such service."


def test_the_pack_needs_a_login(client, world):
    for suffix in ("", ".html", ".pdf"):
        response = client.get(f"/api/v1/reports/evidence-pack{suffix}?" + query(world.home))
        assert response.status_code == 401


@pytest.mark.parametrize(
    "changes, status, fields",
    [
        ({"to": "2026-02-28"}, 422, {"to": "Choose a date on or after the start date."}),
        ({"to": "2028-04-01"}, 422, {"to": "Choose a date at most 732 days after the start date."}),
        ({"from": "1 March"}, 422, {"from": "Not a valid date."}),
        ({"framework": "saf-2099"}, 404, {"framework": "No framework has this id."}),
        ({"colour": "red"}, 422, {"colour": "Unknown field."}),
    ],
)
def test_bad_queries_name_the_field(client, world, login, changes, status, fields):
    login(world.users["registered_manager"])
    response = client.get("/api/v1/reports/evidence-pack?" + query(world.home, **changes))
    assert response.status_code == status
    assert response.get_json()["error"]["fields"] == fields


def test_json_carries_the_dates_and_mapping_as_text(client, world, login, log_book):
    login(world.users["registered_manager"])
    got = client.get("/api/v1/reports/evidence-pack?" + query(world.home)).get_json()
    assert (got["from"], got["to"], got["framework"]["id"]) == (
        "2026-03-01",
        "2026-03-31",
        "saf-2023",
    )
    safe = got["key_questions"][0]["statements"]
    assert safe[0]["entries"][1]["mapped_from"] == [f"{ASC} SA6"]
    assert safe[7]["entries"][0]["evidence"][0]["date"] == "2026-03-09"
    assert safe[7]["flags"] == [FLAG]


def test_html_page_is_escaped_and_print_ready(client, world, login, log_book):
    with clock_at(at(21)):
        log.update_entry(
            Actor(world.users["registered_manager"]),
            log_book["A"],
            log_book["A"].version,
            {"concern": "<script>alert(1)</script> gaps"},
        )
    db.session.commit()
    login(world.users["registered_manager"])
    response = client.get("/api/v1/reports/evidence-pack.html?" + query(world.home))
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    assert (
        '<link rel="stylesheet" href="/css/report.css">\n<link rel="stylesheet" '
        'href="/css/pack.css">' in page
    )
    assert "&lt;script&gt;alert(1)&lt;/script&gt; gaps" in page
    assert "<script>" not in page
    assert "Ashdown House" in page and "1 March 2026 to 31 March 2026" in page
    assert FLAG.replace("'", "&#39;") in page


def test_pdf_text_has_the_statement_titles_and_the_flag(client, world, login, log_book):
    login(world.users["nominated_individual"])
    response = client.get("/api/v1/reports/evidence-pack.pdf?" + query(world.home))
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"] == (
        'inline; filename="evidence-pack-ashdown-house-2026-03-01-2026-03-31.pdf"'
    )
    reader = PdfReader(io.BytesIO(response.data))
    text = " ".join(" ".join(page.extract_text().split()) for page in reader.pages)
    for words in (
        "Inspection evidence pack",
        "Ashdown House",
        "S1 Learning culture",
        "S8 Medicines optimisation",
        "W8 Environmental sustainability",
        FLAG,
        "mapped from asc-2026-draft SA6",
        "Nothing recorded in this period.",
        "Falls learning not shared",
    ):
        assert words in text, words
