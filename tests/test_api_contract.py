"""The API answers as its documents say: bounded pages, every error field and status in the
OpenAPI document, list answers described as lists, and the conflicts API's mutation_id."""

import json
import re
from pathlib import Path

import pytest

from server.api.schemas import MAX_PAGE
from server.extensions import db
from server.syncing.models import SyncConflict
from tests.support import log_api as log
from tests.support.openapi import document

pytestmark = pytest.mark.db

HUGE = 10**19  # past a 64-bit integer: it overflowed SQLite's OFFSET into a 500
PAGED = sorted(
    (path, param["name"])
    for path, operations in document()["paths"].items()
    for param in operations.get("get", {}).get("parameters", [])
    if param["in"] == "query" and param["name"].endswith("page")
)
REQUIRED = {"/reviews/scope": "service_id={service}&kind=rm_weekly"}  # besides the page


def _url(rule, world, entry) -> str:
    service = str(world.home.id)
    path = rule.replace("{entry_id}", entry["id"]).replace("{service_id}", service)
    return f"/api/v1{path}?" + REQUIRED.get(rule, "").format(service=service)


def _why(name: str, value: int) -> str:
    """The message naming the limit a page argument broke."""
    if name == "per_page":
        return r"Must be greater than or equal to 1 and less than or equal to \d+\."
    if value < 1:
        return re.escape("Must be greater than or equal to 1.")
    return re.escape(f"Must be less than or equal to {MAX_PAGE}.")


@pytest.mark.parametrize(("rule", "name"), PAGED)
@pytest.mark.parametrize("value", [HUGE, MAX_PAGE * 200 + 1, 0])
def test_a_page_out_of_range_is_refused_naming_the_field_on_every_paged_route(
    rule, name, value, world, rm_client, entry
):
    url = _url(rule, world, entry()) + f"&{name}={value}"
    response = rm_client.get(url)
    assert response.status_code == 422, response.get_json()
    error = response.get_json()["error"]
    assert (error["code"], list(error["fields"])) == ("invalid", [name])
    assert re.fullmatch(_why(name, value), error["fields"][name])
    assert error["message"] == f"Please check these fields: {name}."


def test_the_page_limit_is_documented(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    for rule, name in PAGED:
        params = spec["paths"][rule]["get"]["parameters"]
        schema = next(p["schema"] for p in params if p["name"] == name)
        assert schema["minimum"] == 1 and schema["maximum"] <= MAX_PAGE, (rule, name)


# ---- the error shape and every status ----------------------------------------------------


def test_the_error_schema_describes_every_field_an_error_carries(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    detail = spec["components"]["schemas"]["ErrorDetail"]
    assert set(detail["required"]) == {"code", "message", "fields"}
    assert {
        "action",
        "current",
        "limits",
        "rule",
        "retry_after",
        "protocol_version",
        "flags",
        "index",
        "status",
    } <= set(detail["properties"])
    assert "#/components/schemas/Limits" in json.dumps(detail["properties"]["limits"])
    assert spec["components"]["schemas"]["Limits"]["required"] == [
        "max_bytes",
        "max_mutations",
        "max_pull_limit",
    ]


def test_a_forbidden_answer_with_its_action_is_the_documented_error(client, world, login):
    login(world.users["care_worker"])
    error = client.get("/api/v1/admin/users").get_json()["error"]
    spec = client.get("/api/v1/openapi.json").get_json()
    documented = spec["components"]["schemas"]["ErrorDetail"]["properties"]
    assert error["action"] == "user.manage"
    assert set(error) <= set(documented)


@pytest.mark.parametrize(
    ("path", "method", "statuses"),
    [
        ("/sync/pull", "get", {"200", "400", "401", "403", "404", "410", "422"}),
        # Every write may also answer 503 busy: a lock lost twice (server.common.transaction).
        (
            "/sync/push",
            "post",
            {"200", "400", "401", "403", "404", "409", "413", "415", "422", "503"},
        ),
        (
            "/sync/devices",
            "post",
            {"200", "400", "401", "403", "404", "409", "413", "415", "422", "503"},
        ),
        ("/auth/login", "post", {"200", "400", "401", "403", "413", "415", "422", "429", "503"}),
        ("/health", "get", {"200", "503"}),
    ],
)
def test_every_status_a_route_answers_is_documented(client, path, method, statuses):
    spec = client.get("/api/v1/openapi.json").get_json()
    assert set(spec["paths"][path][method]["responses"]) == statuses


def test_pull_documents_update_required_and_resync(client):
    responses = client.get("/api/v1/openapi.json").get_json()["paths"]["/sync/pull"]["get"][
        "responses"
    ]
    assert "`update_required`" in responses["400"]["description"]
    assert "`resync`" in responses["410"]["description"]
    assert responses["410"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Error"
    }


def test_items_answers_are_described_as_lists(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    for path in (
        "/services",
        "/devices",
        "/services/{service_id}/people",
        "/admin/users/{user_id}/open-entries",
    ):
        schema = paths[path]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
        assert schema["required"] == ["items"], path
        assert schema["properties"]["items"]["type"] == "array", path


def test_a_device_registration_documents_its_limits(client, world, login):
    login(world.users["care_worker"])
    body = client.post(
        "/api/v1/sync/devices", json={"installation_id": "tablet-0001", "protocol_version": 1}
    ).get_json()
    spec = client.get("/api/v1/openapi.json").get_json()
    registered = spec["components"]["schemas"]["RegisteredDevice"]
    assert set(body) == set(registered["properties"])
    assert body["limits"] == {"max_mutations": 500, "max_bytes": 2097152, "max_pull_limit": 1000}


# ---- conflicts carry the mutation that made them -----------------------------------------


def _documented(after: str) -> dict:
    """The first JSON example in docs/sync-protocol.md after the text ``after``."""
    text = (Path(__file__).parents[1] / "docs" / "sync-protocol.md").read_text()
    block = text.split(after, 1)[1]
    return json.loads(block.split("```json", 1)[1].split("```", 1)[0])


def test_push_and_pull_answer_the_fields_their_examples_show(client, world, login):
    login(world.users["care_worker"])
    device = client.post(
        "/api/v1/sync/devices", json={"installation_id": "tablet-0001", "protocol_version": 1}
    ).get_json()["device_id"]
    pushed = client.post(
        "/api/v1/sync/push", json={"protocol_version": 1, "device_id": device, "mutations": []}
    ).get_json()
    pulled = client.get(f"/api/v1/sync/pull?device_id={device}&protocol_version=1").get_json()
    assert set(pushed) == set(_documented("### 3.3 Response"))
    assert set(pulled) == set(_documented("## 7. Pull"))


def test_the_conflicts_api_answers_the_mutation_that_made_each_conflict(client, world, login):
    carer = world.users["senior_carer"]
    login(carer)
    device = client.post(
        "/api/v1/sync/devices", json={"installation_id": "tablet-0001", "protocol_version": 1}
    ).get_json()["device_id"]
    create = {
        "mutation_id": "m-create",
        "device_id": device,
        "seq": 1,
        "entity_type": "finding",
        "entity_id": "0b5c8f5e-3a8e-4c55-9d53-1f1f6f0a8c11",
        "op": "create",
        "author_id": str(carer.id),
        "changes": {
            "service_id": str(world.home.id),
            "kind": "walkaround_issue",
            "area": "Lounge",
            "source": "walkaround",
            "risk": "medium",
            "description": "Call bell out of reach",
            "follow_up_needed": True,
            "recorded_at": "2026-11-27T09:00:00+00:00",
        },
    }

    def edit(seq, text):
        return {
            **create,
            "mutation_id": f"m-edit-{seq}",
            "seq": seq,
            "op": "update",
            "base_version": 1,
            "changes": {"description": text},
            "base_values": {"description": "Call bell out of reach"},
        }

    for mutations in ([create], [edit(2, "Moved back")], [edit(3, "Call bell missing")]):
        client.post(
            "/api/v1/sync/push",
            json={"protocol_version": 1, "device_id": device, "mutations": mutations},
        )
    conflict = db.session.scalars(db.select(SyncConflict)).one()
    client.post("/api/v1/auth/logout")
    login(world.users["registered_manager"])

    listed = client.get("/api/v1/conflicts").get_json()["items"]
    one = client.get(f"/api/v1/conflicts/{conflict.id}").get_json()
    resolved = client.post(
        f"/api/v1/conflicts/{conflict.id}/resolve", json={"choice": "kept"}
    ).get_json()
    assert [c["mutation_id"] for c in listed] == ["m-edit-3"]
    assert one["mutation_id"] == resolved["mutation_id"] == "m-edit-3"
    assert set(_documented("A conflict record, as listed by the conflicts API:")) <= set(one)


@pytest.fixture
def rm_client(world, login):
    return login(world.users["registered_manager"])


@pytest.fixture
def entry(world, rm_client):
    """An entry the registered manager made, for the routes that list an entry's things."""
    made = {}

    def _entry():
        if not made:
            response = rm_client.post("/api/v1/entries", json=log.body(world))
            assert response.status_code == 201, response.get_json()
            made.update(response.get_json())
        return made

    return _entry
