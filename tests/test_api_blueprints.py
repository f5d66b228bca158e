"""The API on flask-smorest: operationIds name the view that answers, a page says its paging
in its body (no X-Pagination header), and the layers point one way: the unit of work is
platform code, and no route module runs SQL."""

import re
from pathlib import Path

import pytest
from flask_smorest.spec.plugins import FlaskPlugin

from server.common import transaction

pytestmark = pytest.mark.db
SERVER = Path(__file__).parents[1] / "server"


def test_every_operation_id_is_the_name_of_the_view_that_answers_it(app, client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    seen = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/"):
            continue
        path = FlaskPlugin.flaskpath2openapi(rule.rule.removeprefix("/api/v1"))
        view = rule.endpoint.rsplit(".", 1)[1]
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            operation_id = paths[path][method.lower()]["operationId"]
            assert operation_id == view, (method, path)
            seen.append(operation_id)
    assert len(seen) == len(set(seen)) > 90


def test_a_page_says_its_paging_in_its_body_and_in_no_header(world, login):
    client = login(world.users["registered_manager"])
    answer = client.get("/api/v1/entries?per_page=1")
    assert answer.status_code == 200
    assert set(answer.get_json()) == {"items", "page", "per_page", "total", "has_more"}
    assert "X-Pagination" not in answer.headers
    spec = client.get("/api/v1/openapi.json").get_json()
    assert "PaginationMetadata" not in spec["components"]["schemas"]
    assert "headers" not in spec["paths"]["/entries"]["get"]["responses"]["200"]


def test_the_unit_of_work_is_platform_code_that_no_service_takes_from_the_http_layer():
    assert transaction.write_lock and transaction.begin_write and transaction.unit_of_work
    imports_api = re.compile(r"^\s*(from|import) server\.api\b", re.M)
    importers = sorted(
        str(path.relative_to(SERVER))
        for path in SERVER.rglob("*.py")
        if imports_api.search(path.read_text())
        and path.parent.name != "api"
        and path.name not in ("routes.py", "schemas.py")
    )
    assert importers == ["__init__.py"]  # create_app registers the API


def test_no_route_module_runs_sql():
    sql = re.compile(r"\bdb\.(select|session)\b|\bselect\(|\btext\(")
    running = sorted(
        str(path.relative_to(SERVER))
        for path in SERVER.glob("*/routes.py")
        if sql.search(path.read_text())
    )
    assert running == []
