"""The error format: {"code", "message", "details"} in the request's language, and nothing written."""

from __future__ import annotations

import pytest

from gongzhi.tree.models import Dwelling, Node

pytestmark = pytest.mark.django_db


def test_unauthenticated_is_401_json(anon, small_tree, assert_error, zh):
    response = anon.get(f"/nodes/{small_tree['district'].pk}")
    assert response.status_code == 401
    body = assert_error(response, "unauthenticated")
    assert body["message"] == zh("Please log in.")


def test_unauthenticated_write_is_401_and_writes_nothing(anon, small_tree):
    before = Node.objects.count()
    response = anon.post("/nodes", {"parent_id": None, "name": "x", "level": "district"})
    assert response.status_code == 401
    assert Node.objects.count() == before


def test_unknown_level_is_422_with_field_details_in_chinese(api, small_tree, assert_error, zh):
    before = Node.objects.count()
    response = api.post("/nodes", {"parent_id": small_tree["street"].pk, "name": "x", "level": "village"})
    assert response.status_code == 422
    body = assert_error(response, "validation_error")
    assert body["message"] == zh("Some fields are not valid.")
    assert body["details"] == [
        {"field": "level", "code": "enum", "message": zh("Choose one of the allowed values.")}
    ]
    assert Node.objects.count() == before


def test_validation_message_in_english_on_request(api, small_tree, assert_error):
    response = api.post("/nodes", {"name": "x", "level": "village"}, lang="en")
    body = assert_error(response, "validation_error")
    assert body["message"] == "Some fields are not valid."
    assert body["details"][0]["message"] == "Choose one of the allowed values."


def test_missing_and_extra_fields_are_reported_per_field(api, small_tree, assert_error):
    response = api.post("/dwellings", {"number": "1", "colour": "red"}, lang="en")
    fields = {d["field"]: d["code"] for d in assert_error(response, "validation_error")["details"]}
    assert fields == {"stairwell_id": "missing", "area": "missing", "colour": "extra_forbidden"}


def test_service_error_is_400_with_its_code(api, small_tree, assert_error):
    response = api.post("/nodes", {"parent_id": small_tree["street"].pk, "name": "x", "level": "building"})
    assert response.status_code == 400
    assert assert_error(response, "level_not_allowed")["message"]


def test_missing_object_is_404_json(api, assert_error, zh):
    response = api.get("/nodes/999999")
    assert response.status_code == 404
    assert assert_error(response, "not_found")["message"] == zh("Not found.")


def test_unexpected_exception_is_500_without_trace(api, small_tree, monkeypatch, assert_error):
    from gongzhi.tree import api as tree_api

    def boom(node):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(tree_api, "node_detail", boom)
    response = api.get(f"/nodes/{small_tree['district'].pk}")
    assert response.status_code == 500
    body = assert_error(response, "server_error")
    assert "secret" not in response.content.decode()
    assert "Traceback" not in body["message"]


def test_csrf_is_enforced_for_session_writes(actor, small_tree):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(actor)
    before = Dwelling.objects.count()
    response = client.post("/api/v1/dwellings", {}, content_type="application/json")
    assert response.status_code == 403
    assert response.json()["code"] == "csrf_failed"
    assert Dwelling.objects.count() == before


def test_unknown_endpoint_is_json_404(api, assert_error):
    response = api.get("/no-such-thing/1")
    assert response.status_code == 404
    assert_error(response, "not_found")


def test_unparsable_body_says_so(api, assert_error, zh):
    response = api.client.post("/api/v1/nodes", "{not json", content_type="application/json")
    assert response.status_code == 400
    assert assert_error(response, "bad_request")["message"] == zh("The request body is not valid JSON.")


def test_wrong_method_is_our_json_error(client, actor):
    client.force_login(actor)
    response = client.delete("/api/v1/nodes")
    assert response.status_code == 405
    body = response.json()
    assert body["code"] == "method_not_allowed" and body["message"] and body["details"] == []
    assert "GET" in response["Allow"]


def test_wrong_method_message_in_chinese_by_default(client, actor):
    client.force_login(actor)
    assert client.delete("/api/v1/nodes").json()["message"] == "此处不允许使用该请求方法。"
