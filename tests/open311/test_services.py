"""GET services and service definitions per city pack (issue 4 §3): categories as services, in JSON and XML."""

from __future__ import annotations

import pytest
from tests.appeals.cases_world import CODES, city_world

from gongzhi.appeals.ladder import city_ladders
from gongzhi.policy.packs import pack_policy

from .conftest import get_json, get_xml

pytestmark = pytest.mark.django_db

CITIES = ("binzhou", "cangzhou", "ningbo", "huzhou")
# Where each pack sends a safety and a parking appeal first (the ladders in policy/packs/*.yaml).
FIRST_BODY = {
    "binzhou": ("居民小组", "居民小组"),
    "cangzhou": ("社区党组织、居委会", "社区物业管理员"),
    "ningbo": ("小区居民自治议事会", "小区居民自治议事会"),
    "huzhou": ("网格长、楼道长", "小区议事会"),
}


@pytest.mark.parametrize("city", CITIES)
def test_services_of_each_city_pack(actor, city):
    """Catalogue §4.2 #17-#18: every category of the pack is a service; group = the ladder it enters."""
    city_world(actor, city)
    status, services = get_json("services.json", jurisdiction_id=CODES[city])
    assert status == 200
    ladders = city_ladders(pack_policy(city), city)
    assert [s["service_code"] for s in services] == list(ladders.categories)
    by_code = {s["service_code"]: s for s in services}
    for code in ladders.categories:
        ladder, step = ladders.entry(code)
        assert by_code[code]["type"] == "realtime" and by_code[code]["metadata"] is True
        assert step.clause in by_code[code]["description"]
        assert ladder.track in by_code[code]["keywords"]
    assert by_code["safety"]["service_name"] == "安全隐患"
    safety, parking = FIRST_BODY[city]
    assert safety in by_code["safety"]["description"] and parking in by_code["parking"]["description"]


def test_cangzhou_groups_property_matters_apart(actor):
    """CZ-III.6#2: property service, facilities, parking … climb the property ladder; safety the general one."""
    city_world(actor, "cangzhou")
    _, services = get_json("services.json", jurisdiction_id=CODES["cangzhou"])
    groups = {s["service_code"]: s["group"] for s in services}
    assert groups["parking"] == "物业事项" and groups["safety"] == "一般事项"


def test_a_street_code_gives_its_city_services_in_xml(actor):
    city_world(actor, "huzhou")
    status, root = get_xml("services.xml", jurisdiction_id=f"{CODES['huzhou']}001000")
    assert status == 200 and root.tag == "services"
    codes = [s.findtext("service_code") for s in root.findall("service")]
    assert codes == list(city_ladders(pack_policy("huzhou"), "huzhou").categories)
    first = root.find("service")
    assert [c.tag for c in first] == [
        "service_code", "service_name", "description", "metadata", "type", "keywords", "group",
    ]  # fmt: skip
    assert first.findtext("metadata") == "true"


def test_without_jurisdiction_every_pack_in_use_once_per_category(actor):
    city_world(actor, "huzhou")
    city_world(actor, "cangzhou")
    _, services = get_json("services.json")
    codes = [s["service_code"] for s in services]
    assert len(codes) == len(set(codes)) and "parking" in codes
    parking = next(s for s in services if s["service_code"] == "parking")
    assert "湖州" in parking["description"] and "沧州" in parking["description"]
    assert "huzhou" in parking["keywords"] and "cangzhou" in parking["keywords"]
    assert "binzhou" not in parking["keywords"]  # no node uses that pack


def test_service_definition_lists_severity_and_anonymous(actor):
    city_world(actor, "ningbo")
    status, definition = get_json("services/safety.json", jurisdiction_id=CODES["ningbo"])
    assert status == 200 and definition["service_code"] == "safety"
    attributes = {a["code"]: a for a in definition["attributes"]}
    assert [v["key"] for v in attributes["severity"]["values"]] == ["normal", "major", "emergency"]
    assert (
        attributes["anonymous"]["datatype"] == "singlevaluelist"
        and attributes["anonymous"]["required"] is False
    )
    _, root = get_xml("services/safety.xml", jurisdiction_id=CODES["ningbo"])
    assert root.tag == "service_definition"
    assert [a.findtext("code") for a in root.findall("attributes/attribute")] == ["severity", "anonymous"]
    assert root.findtext("attributes/attribute/values/value/key") == "normal"


def test_unknown_service_and_jurisdiction_are_404_in_the_error_format(actor):
    city_world(actor, "binzhou")
    status, errors = get_json("services/potholes.json", jurisdiction_id=CODES["binzhou"])
    assert status == 404 and errors[0]["code"] == 404 and errors[0]["description"] == "未知的 service_code。"
    status, root = get_xml("services.xml", jurisdiction_id="999999")
    assert status == 404 and root.tag == "errors" and root.findtext("error/code") == "404"


def test_errors_in_english_on_request(actor):
    from django.test import Client

    response = Client().get("/open311/v2/services.json", {"jurisdiction_id": "1"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 404
    assert response.json()[0]["description"].startswith("Unknown jurisdiction_id")
    city_world(actor, "huzhou")
    response = Client().get(
        "/open311/v2/services.json", {"jurisdiction_id": "330502"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    safety = next(s for s in response.json() if s["service_code"] == "safety")
    assert safety["service_name"] == "safety" and safety["group"] == "general matters"
    assert safety["description"] == "Handled first by: grid leader and building leader (HZ-5.1.3.2.2.5#2)"


def test_unknown_format_and_wrong_method():
    from django.test import Client

    assert Client().get("/open311/v2/services.html").status_code == 404
    response = Client().post("/open311/v2/services.json")
    assert response.status_code == 405 and response["Allow"] == "GET"
    assert response.json()[0]["code"] == 405
