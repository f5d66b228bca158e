"""The OpenAPI document covers every route and every schema it names."""

import pytest
from flask_smorest.spec.plugins import FlaskPlugin

pytestmark = pytest.mark.db


def test_every_api_route_is_in_the_openapi_document(app, client):
    spec = client.get("/api/v1/openapi.json").get_json()
    assert spec["openapi"].startswith("3.")
    documented = {
        (path, method.upper())
        for path, operations in spec["paths"].items()
        for method in operations
    }
    missing = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/"):
            continue
        path = FlaskPlugin.flaskpath2openapi(rule.rule[len("/api/v1") :])
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            if (path, method) not in documented:
                missing.append(f"{method} {path}")
    assert missing == []


def test_documented_writes_describe_their_body_and_errors(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    login = spec["paths"]["/auth/login"]["post"]
    body = login["requestBody"]["content"]["application/json"]["schema"]
    assert body == {"$ref": "#/components/schemas/Login"}
    assert set(spec["components"]["schemas"]["Login"]["required"]) == {"email", "password"}
    assert login["responses"]["422"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Error"
    }
