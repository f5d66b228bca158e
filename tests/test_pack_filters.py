"""The evidence pack for chosen statements, one service and a period: it holds only the
matching entries, summarises routine low-risk actions in a table, and its cover says what
it covers. build_pack is a plain function of (provider, params) for a background job."""

import io
from datetime import UTC, date, datetime

import pytest
from pypdf import PdfReader

from server.audit.services import Actor
from server.common.types import clock_at
from server.evidence.services import build_pack
from server.extensions import db
from server.log import services as log
from tests.support import framework as shared

pytestmark = pytest.mark.db

quick_passwords = shared.quick_passwords
only_saf_afterwards = shared.only_saf_afterwards
GOOD = "Deputy manager audits 10 MAR charts every Friday and records the result"
CHOSEN = "Quality statements chosen: S8 Medicines optimisation."


@pytest.fixture
def book(world):
    rm = Actor(world.users["registered_manager"])
    other_rm = world.users["registered_manager"]

    def entry(service, concern, day, statements, risk="high", month=3):
        with clock_at(datetime(2026, month, day, 10, tzinfo=UTC)):
            log.create_draft(
                rm if service is world.home else Actor(other_rm),
                service,
                concern=concern,
                source="audit",
                risk=risk,
                decision=GOOD,
                owner_id=world.users["senior_carer"].id,
                due_date=date(2026, 4, 30),
                evidence_needed="Weekly audit",
                statement_ids=statements,
            )

    entry(world.home, "Insulin given late twice", 3, ["saf-2023:S8"])
    entry(world.home, "Cream chart unsigned", 4, ["saf-2023:S8"], risk="low")
    entry(world.home, "Fire door wedged open", 5, ["saf-2023:S5"])
    entry(world.home, "Night staff not told about falls", 6, ["saf-2023:S1", "saf-2023:S8"])
    entry(world.home, "Untagged worry", 7, [])
    entry(world.home, "April medicines worry", 2, ["saf-2023:S8"], month=4)
    db.session.commit()


def params(world, **changes) -> dict:
    return {
        "service_id": str(world.home.id),
        "from": "2026-03-01",
        "to": "2026-03-31",
        "framework": None,
        "statement_ids": [],
        **changes,
    }


def test_a_pack_for_one_statement_holds_only_its_entries(world, book):
    pack = build_pack(world.provider, params(world, statement_ids=["saf-2023:S8"]))
    assert [kq["label"] for kq in pack["key_questions"]] == ["Safe"]
    (s8,) = pack["key_questions"][0]["statements"]
    assert s8["code"] == "S8"
    assert [e["concern"] for e in s8["entries"]] == [
        "Insulin given late twice",
        "Night staff not told about falls",
    ]
    assert [e["concern"] for e in s8["routine"]] == ["Cream chart unsigned"]
    assert pack["not_placed"] == []
    assert pack["summary"] == {
        "entries": 3,
        "statements": 1,
        "statements_with_entries": 1,
        "flagged": 1,
        "not_placed": 0,
        "routine": 1,
    }
    assert pack["filter"]["label"] == CHOSEN.removesuffix(".")


def test_the_whole_pack_keeps_every_statement_and_the_untagged(world, book):
    pack = build_pack(world.provider, params(world))
    assert pack["summary"]["statements"] == 34
    assert [e["concern"] for e in pack["not_placed"]] == ["Untagged worry"]
    assert pack["filter"]["label"] == "Every quality statement of the framework"
    s8 = next(s for s in pack["key_questions"][0]["statements"] if s["code"] == "S8")
    assert len(s8["entries"]) == 3 and s8["routine"] == []


def test_two_statements_and_the_period_and_the_service(world, book):
    pack = build_pack(
        world.provider,
        params(world, statement_ids=["saf-2023:S5", "saf-2023:S1"], to="2026-03-05"),
    )
    got = {
        s["code"]: [e["concern"] for e in s["entries"]]
        for s in pack["key_questions"][0]["statements"]
    }
    assert got == {"S1": [], "S5": ["Fire door wedged open"]}
    other = build_pack(world.provider, params(world, service_id=str(world.other.id)))
    assert other["summary"]["entries"] == 0


@pytest.mark.parametrize(
    "changes, error",
    [
        ({"statement_ids": ["asc-2026-draft:SA4"]}, "statement_ids"),
        ({"statement_ids": ["saf-2023:S8"], "framework": "saf-2099"}, "framework"),
        ({"service_id": "rival"}, None),
    ],
)
def test_build_pack_refuses_what_is_not_of_the_provider_or_framework(world, changes, error):
    from server.errors import AppError

    if changes.get("service_id") == "rival":
        changes["service_id"] = str(world.rival_service.id)
    with pytest.raises(AppError) as raised:
        build_pack(world.provider, params(world, **changes))
    assert list(raised.value.fields) == [error or "service_id"]


def pack_url(world, kind, statements) -> str:
    return (
        f"/api/v1/reports/evidence-pack{kind}?service_id={world.home.id}"
        f"&from=2026-03-01&to=2026-03-31&statement_ids={statements}"
    )


def test_the_page_and_the_pdf_say_the_filter_and_hold_only_matching_entries(
    client, world, login, book
):
    login(world.users["registered_manager"])
    page = client.get(pack_url(world, ".html", "saf-2023:S8")).get_data(as_text=True)
    assert CHOSEN in page
    assert "Routine low-risk actions (1)" in page
    for concern in ("Insulin given late twice", "Night staff not told", "Cream chart unsigned"):
        assert concern in page
    for concern in ("Fire door wedged open", "Untagged worry", "April medicines worry"):
        assert concern not in page
    assert "S5 Safe environments" not in page
    response = client.get(pack_url(world, ".pdf", "saf-2023:S8"))
    assert response.status_code == 200
    reader = PdfReader(io.BytesIO(response.data))
    text = " ".join(" ".join(p.extract_text().split()) for p in reader.pages)
    assert CHOSEN in text and "Insulin given late twice" in text
    assert "Fire door wedged open" not in text and "Untagged worry" not in text
    bad = client.get(pack_url(world, "", "saf-2023:S8,saf-2023:Q1"))
    assert bad.status_code == 422
    assert bad.get_json()["error"]["fields"] == {
        "statement_ids": "Choose statements of the framework saf-2023."
    }


def test_a_pack_for_one_statement_prepared_in_the_background_holds_only_its_entries(
    client, world, login, book
):
    """The Reports screen sends the link's query as the prepare call's JSON body: the
    statements chosen reach the background job, and a different choice is a different file."""
    login(world.users["registered_manager"])
    body = {
        "service_id": str(world.home.id),
        "from": "2026-03-01",
        "to": "2026-03-31",
        "statement_ids": "saf-2023:S8",
    }
    job = client.post("/api/v1/reports/evidence-pack/prepare", json=body).get_json()
    assert job["status"] == "done"
    reader = PdfReader(io.BytesIO(client.get(job["download_url"]).data))
    text = " ".join(" ".join(p.extract_text().split()) for p in reader.pages)
    assert CHOSEN in text and "Insulin given late twice" in text
    assert "Fire door wedged open" not in text and "Untagged worry" not in text
    whole = client.post(
        "/api/v1/reports/evidence-pack/prepare", json={**body, "statement_ids": ""}
    ).get_json()
    assert whole["cached"] is False
    reader = PdfReader(io.BytesIO(client.get(whole["download_url"]).data))
    assert "Fire door wedged open" in " ".join(p.extract_text() for p in reader.pages)
