"""The OpenAPI document and the interactive docs."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db

METHODS = {"get", "post", "patch", "put", "delete"}


@pytest.fixture
def schema(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    return response.json()


def test_document_loads(schema):
    assert schema["info"] == {
        "title": "Gongzhi API",
        "version": "1",
        "description": schema["info"]["description"],
    }
    assert "/api/v1/nodes/{node_id}" in schema["paths"]


def test_every_operation_has_a_success_and_error_schema(schema):
    operations = [
        (path, m, op) for path, item in schema["paths"].items() for m, op in item.items() if m in METHODS
    ]
    assert len(operations) >= 29
    for path, method, op in operations:
        ok = [c for c in op["responses"] if c.startswith("2")]
        assert ok, (path, method)
        for code in [*ok, "404", "422"]:
            content = op["responses"][code]["content"]["application/json"]
            assert "schema" in content, (path, method, code)


def test_area_is_a_string_in_the_schema(schema):
    assert schema["components"]["schemas"]["DwellingOut"]["properties"]["area"]["type"] == "string"


def test_interactive_docs(client):
    assert client.get("/api/v1/docs").status_code == 200
