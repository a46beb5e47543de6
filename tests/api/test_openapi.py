"""The OpenAPI document and the interactive docs."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db

METHODS = {"get", "post", "patch", "put", "delete"}


# Operations whose success response is a file (the approved, watermarked export), with its media type.
FILE_DOWNLOADS = {
    ("/api/v1/exports/{request_id}/download", "post"): (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    ),
    ("/api/v1/votes/{vote_id}/notice.pdf", "get"): "application/pdf",
    ("/api/v1/directives/{directive_id}/files/{attachment_id}", "get"): "application/octet-stream",
}


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
        if (path, method) in FILE_DOWNLOADS:  # a file, not JSON, on success; errors stay JSON
            assert "schema" in op["responses"]["200"]["content"][FILE_DOWNLOADS[path, method]]
            ok = []
        for code in [*ok, "404", "422"]:
            content = op["responses"][code]["content"]["application/json"]
            assert "schema" in content, (path, method, code)


def test_area_is_a_string_in_the_schema(schema):
    assert schema["components"]["schemas"]["DwellingOut"]["properties"]["area"]["type"] == "string"


def test_interactive_docs(client):
    assert client.get("/api/v1/docs").status_code == 200


SENSITIVE = {"id_number", "phone"}


# The one operation whose purpose is to return clear values: role-gated, purpose-stated and audited.
REVEAL_PATHS = {"/api/v1/people/{person_id}/reveal"}


def _response_schema_names(schema):
    """Names of the component schemas reachable from any response (following $ref, items, allOf …)."""
    components = schema["components"]["schemas"]
    seen: set[str] = set()
    stack = [
        content["schema"]
        for path, item in schema["paths"].items()
        if path not in REVEAL_PATHS
        for op in item.values()
        if isinstance(op, dict)
        for response in op.get("responses", {}).values()
        for content in response.get("content", {}).values()
        if "schema" in content
    ]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            ref = node.get("$ref")
            if ref:
                name = ref.rsplit("/", 1)[-1]
                if name not in seen:
                    seen.add(name)
                    stack.append(components[name])
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return seen


def test_no_response_carries_a_clear_id_number_or_phone(schema):
    """Masking over every API schema (issue 3 §5): responses name only *_masked ID and phone fields."""
    components = schema["components"]["schemas"]
    names = _response_schema_names(schema)
    masked = [n for n in names if "phone_masked" in components[n].get("properties", {})]
    assert masked, "the walk must reach the person schemas"
    for name in names:
        properties = set(components[name].get("properties", {}))
        assert not properties & SENSITIVE, (name, properties & SENSITIVE)
        for prop in properties:
            if "id_number" in prop or "phone" in prop:
                assert prop.endswith("_masked"), (name, prop)
