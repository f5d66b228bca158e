"""The API's OpenAPI document as the server serves it, read while pytest collects."""

import functools
import tempfile

from server import create_app


@functools.cache
def document() -> dict:
    """/api/v1/openapi.json of an app of its own (no database needed to write it)."""
    app = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": "sqlite://",
            "SECRET_KEY": "openapi",
            "INSTANCE_PATH": tempfile.mkdtemp(prefix="careloop-openapi-"),
        }
    )
    answer = app.test_client().get("/api/v1/openapi.json")
    assert answer.status_code == 200, answer.get_data(as_text=True)
    return answer.get_json()
