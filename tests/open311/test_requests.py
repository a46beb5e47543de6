"""Requests through Open311 (issue 4 §3): POST through appeal_submit end to end, GET one and many with the
caller's visibility, filters, refusals that write nothing, the household merge, anonymity."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.test import Client
from tests.appeals.cases_world import CODES, city_world

from gongzhi.appeals import cases
from gongzhi.appeals.models import Appeal

from .conftest import counts, get_json, get_xml, key_of, post, post_json_body

pytestmark = pytest.mark.django_db


@pytest.fixture
def bz(actor):
    w = city_world(actor, "binzhou")
    w["keys"] = {name: key_of(user) for name, user in w["users"].items()}
    return w


def submit(w, who="resident0", home=0, **extra):
    data = {
        "api_key": w["keys"][who],
        "service_code": "facilities",
        "address_id": f"d{w['homes'][home].pk}",
        "description": "楼道灯坏了",
        **extra,
    }
    return post(**data)


def act(w, who, appeal_id, name, **data):
    return cases.appeal_transition(actor=w["users"][who], appeal_id=appeal_id, transition=name, data=data)


def test_post_creates_an_appeal_seen_on_the_pages_and_the_api(bz):
    """BZ-5.2.1: a resident's request goes through appeal_submit to the resident group, audited."""
    before = counts()
    response = submit(bz)
    assert response.status_code == 201, response.content
    [record] = response.json()
    appeal = Appeal.objects.get(pk=int(record["service_request_id"]))
    assert (appeal.submitter, appeal.category, appeal.step) == (
        bz["users"]["resident0"],
        "facilities",
        "resident_group",
    )
    assert "居民小组" in record["service_notice"] and record["account_id"] is None
    after = counts()
    assert after["Appeal"] == before["Appeal"] + 1 and after["AuditEntry"] > before["AuditEntry"]
    resident = Client()
    resident.force_login(bz["users"]["resident0"])
    assert f"/appeals/{appeal.pk}/" in resident.get("/appeals/").content.decode()
    mine = resident.get("/api/v1/appeals", {"mine": "true"}).json()
    assert [a["id"] for a in mine["items"]] == [appeal.pk]
    assert "楼道灯坏了" in resident.get(f"/appeals/{appeal.pk}/").content.decode()


def test_post_in_xml_and_with_a_json_body(bz):
    response = submit(bz, fmt="xml")
    assert response.status_code == 201 and response["Content-Type"].startswith("text/xml")
    from xml.etree import ElementTree as ET

    root = ET.fromstring(response.content)
    assert root.tag == "service_requests" and root.find("request/service_request_id").text.isdigit()
    assert [c.tag for c in root.find("request")] == ["service_request_id", "service_notice", "account_id"]
    body = {
        "api_key": bz["keys"]["resident1"],
        "service_code": "safety",
        "address_id": str(bz["homes"][1].pk),  # a bare number is a dwelling id
        "description": "井盖松动",
        "attribute": {"severity": "major"},
    }
    created = post_json_body(body)
    assert created.status_code == 201, created.content
    appeal = Appeal.objects.get(pk=int(created.json()[0]["service_request_id"]))
    assert appeal.severity == "major" and appeal.step == "resident_group"


def test_get_request_follows_the_case_to_closed(bz):
    """§5 #27: open while handled and while waiting for the submitter's confirmation; closed once confirmed."""
    rid = submit(bz).json()[0]["service_request_id"]
    key = bz["keys"]["resident0"]
    status, [req] = get_json(f"requests/{rid}.json", api_key=key)
    assert status == 200 and req["status"] == "open" and req["description"] == "楼道灯坏了"
    assert req["status_notes"] == "已提交 · 诉求人"
    assert req["requested_datetime"].endswith("+08:00") and req["expected_datetime"].endswith(
        "T23:59:59+08:00"
    )
    assert req["agency_responsible"].startswith("居民小组") and req["address"].endswith("1单元")
    assert req["lat"] is None and req["address_id"].startswith("n")
    act(bz, "resident_group_leader", int(rid), "accept")
    act(bz, "resident_group_leader", int(rid), "resolve", resolution="已更换灯泡")
    _, [req] = get_json(f"requests/{rid}.json", api_key=key)
    assert req["status"] == "open" and "已更换灯泡" in req["status_notes"]
    act(bz, "resident0", int(rid), "confirm", rating=5)
    _, [req] = get_json(f"requests/{rid}.json", api_key=key)
    assert req["status"] == "closed" and req["expected_datetime"] is None
    assert req["status_notes"].startswith("确认并评价")
    _, root = get_xml(f"requests/{rid}.xml", api_key=key)
    assert root.tag == "service_requests" and root.findtext("request/status") == "closed"
    assert [c.tag for c in root.find("request")][:3] == ["service_request_id", "status", "status_notes"]


def test_list_filters(bz):
    first = int(submit(bz).json()[0]["service_request_id"])
    second = int(submit(bz, who="resident1", home=1, service_code="parking").json()[0]["service_request_id"])
    Appeal.objects.filter(pk=first).update(
        created_at=Appeal.objects.get(pk=first).created_at - dt.timedelta(days=100)
    )
    key = bz["keys"]["community_worker"]

    def ids(**params):
        status, body = get_json("requests.json", api_key=key, **params)
        assert status == 200, body
        return [int(r["service_request_id"]) for r in body]

    assert ids() == [second]  # the last 90 days by default
    assert ids(service_request_id=f"{first},{second}") == [second, first]
    assert ids(service_code="facilities") == []
    assert ids(service_code="parking,facilities", status="open") == [second]
    assert ids(status="closed") == []
    old = (dt.date.today() - dt.timedelta(days=120)).isoformat()
    assert ids(start_date=old, end_date=(dt.date.today() - dt.timedelta(days=40)).isoformat()) == [first]
    assert ids(jurisdiction_id=CODES["binzhou"]) == [second]
    status, errors = get_json("requests.json", api_key=key, status="pending")
    assert status == 400 and errors[0]["code"] == 400


def test_a_bad_key_is_403_and_writes_nothing(bz):
    before = counts()
    response = post(api_key="gz_not-a-key", service_code="facilities", address_id=f"d{bz['homes'][0].pk}",
                    description="x")  # fmt: skip
    assert response.status_code == 403 and response.json()[0]["code"] == 403
    assert "api_key" in response.json()[0]["description"]
    assert post(service_code="facilities", address_id=f"d{bz['homes'][0].pk}").status_code == 403
    status, _ = get_json("requests.json", api_key="gz_wrong")
    assert status == 403
    assert counts() == before


def test_a_revoked_key_is_refused(bz):
    from gongzhi.accounts.models import ApiToken
    from gongzhi.accounts.tokens import api_token_revoke

    user = bz["users"]["resident0"]
    api_token_revoke(actor=user, token_id=ApiToken.objects.filter(user=user).get().pk)
    assert submit(bz).status_code == 403


@pytest.mark.parametrize(
    "extra,status,words",
    [
        ({"service_code": "potholes"}, 400, "service_code"),
        ({"service_code": ""}, 400, "service_code"),
        ({"address_id": ""}, 400, "address_id"),
        ({"address_id": "", "lat": "37.4", "long": "118.0"}, 400, "经纬度"),
        ({"address_id": "x12"}, 400, "address_id"),
        ({"address_id": "d987654321"}, 404, "未找到"),
        ({"media_url": "ftp://example.com/a.jpg"}, 400, "media_url"),
        ({"attribute[severity]": "huge"}, 400, "severity"),
        ({"attribute[colour]": "red"}, 400, "属性"),
        ({"description": ""}, 400, "4000"),
        ({"jurisdiction_id": "130902"}, 404, "jurisdiction_id"),
    ],
)
def test_refusals_are_4xx_in_the_error_format_and_write_nothing(bz, extra, status, words):
    before = counts()
    response = submit(bz, **extra)
    assert response.status_code == status, response.content
    [error] = response.json()
    assert error["code"] == status and words in error["description"]
    assert counts() == before


def test_refusals_in_english(bz):
    response = Client().post(
        "/open311/v2/requests.json",
        {"api_key": bz["keys"]["resident0"], "service_code": "facilities", "lat": "1", "long": "2"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    assert response.json()[0]["description"].startswith("Locations by lat/long")


def test_someone_elses_home_is_404_and_a_watching_role_403(bz, actor):
    hz = city_world(actor, "huzhou")
    watcher = key_of(hz["users"]["supervisory_committee_member"])
    before = counts()
    assert submit(bz, who="resident1", home=0).status_code == 404  # not their home: like a missing one
    response = post(
        api_key=watcher, service_code="sanitation", address_id=f"d{hz['homes'][0].pk}", description="x"
    )
    assert response.status_code == 403
    assert counts() == before


def test_media_url_is_recorded_not_fetched(bz):
    rid = submit(bz, media_url="https://example.com/photo.jpg").json()[0]["service_request_id"]
    appeal = Appeal.objects.get(pk=rid)
    assert appeal.description.endswith("media_url: https://example.com/photo.jpg")
    assert not appeal.photos.exists()


def test_a_photo_is_the_media_url_for_those_who_see_the_case(bz):
    from django.core.files.uploadedfile import SimpleUploadedFile

    photo = SimpleUploadedFile("p.png", b"\x89PNG photo", content_type="image/png")
    done = cases.appeal_submit(actor=bz["users"]["resident0"], dwelling=bz["homes"][0], category="safety",
                               description="井盖", photos=[photo])  # fmt: skip
    _, [req] = get_json(f"requests/{done.appeal.pk}.json", api_key=bz["keys"]["resident0"])
    assert req["media_url"].startswith("http://testserver/") and req["media_url"].endswith(".png")
    _, [public] = get_json(f"requests/{done.appeal.pk}.json")
    assert public["media_url"] is None


def test_the_household_merge_is_visible(bz):
    """BZ-5.2.1 one household speaks once: the second request joins the first (same id, a notice)."""
    first = submit(bz).json()[0]
    again = submit(bz, description="还是没修")
    assert again.status_code == 201
    [record] = again.json()
    assert record["service_request_id"] == first["service_request_id"]
    assert "并入诉求" in record["service_notice"]
    _, listed = get_json("requests.json", api_key=bz["keys"]["resident0"])
    assert [r["service_request_id"] for r in listed] == [first["service_request_id"]]
    assert listed[0]["status_notes"].startswith("同一户就同一事项再次反映")
    assert "还是没修" in listed[0]["status_notes"]  # the merged submission is the latest timeline line
    assert Appeal.objects.count() == 1


def test_a_handler_sees_cases_in_reach_and_nothing_else(bz, actor):
    rid = submit(bz).json()[0]["service_request_id"]
    hz = city_world(actor, "huzhou")
    elsewhere = key_of(hz["users"]["community_worker"])
    assert get_json(f"requests/{rid}.json", api_key=elsewhere)[0] == 404
    assert get_json("requests.json", api_key=elsewhere)[1] == []
    status, [req] = get_json(f"requests/{rid}.json", api_key=bz["keys"]["resident_group_leader"])
    assert status == 200 and req["description"] == "楼道灯坏了"
    assert get_json("requests/abc.json")[0] == 404


def test_anonymous_case_never_exposes_its_submitter(bz):
    """§5 #37: no name anywhere; without a key only what the board shows (no description, no home)."""
    rid = submit(bz, **{"attribute[anonymous]": "true", "description": "邻居噪音扰民"}).json()[0][
        "service_request_id"
    ]
    assert Appeal.objects.get(pk=rid).anonymous
    user = bz["users"]["resident0"]
    person = user.account.person.name
    for params in (
        {},
        {"api_key": bz["keys"]["resident_group_leader"]},
        {"api_key": bz["keys"]["community_worker"]},
    ):
        for path in (f"requests/{rid}.json", "requests.json", f"requests/{rid}.xml"):
            body = Client().get(f"/open311/v2/{path}", params).content.decode()
            assert person not in body and user.username not in body
    _, [public] = get_json(f"requests/{rid}.json")
    assert public["description"] is None and public["media_url"] is None and public["address_id"] is None
    assert "邻居噪音扰民" not in json.dumps(public, ensure_ascii=False)
    assert public["address"] == "binzhou区 街道 社区 小区"  # cut at the resident group: no building, no home
    assert public["status_notes"] == "待受理" and public["agency_responsible"] == "居民小组"


def test_without_a_key_the_board_cases_only(bz):
    """A merged duplicate is not on the board (appeals.selectors.board): nor in the public list."""
    a = int(submit(bz).json()[0]["service_request_id"])
    b = Appeal.objects.get(pk=a)
    other = cases.appeal_submit(actor=bz["users"]["resident0"], dwelling=bz["homes"][0], category="parking",
                                description="车位")  # fmt: skip
    act(bz, "resident_group_leader", other.appeal.pk, "merge", into_case=b.pk)
    _, listed = get_json("requests.json")
    assert [int(r["service_request_id"]) for r in listed] == [a]
    assert get_json(f"requests/{other.appeal.pk}.json")[0] == 404
    _, [mine] = get_json(f"requests/{other.appeal.pk}.json", api_key=bz["keys"]["resident0"])
    assert mine["status"] == "closed"


@pytest.mark.parametrize(
    "city,step",
    [
        ("binzhou", "resident_group"),
        ("cangzhou", "property_manager"),
        ("ningbo", "compound"),
        ("huzhou", "compound"),
    ],
)
def test_each_city_routes_an_open311_request_by_its_ladder(actor, city, step):
    """BZ-3.1, CZ-III.6#2, NB-4.6.2, HZ-5.1.3.2.2.5#2: parking enters each city's lowest rung for it."""
    w = city_world(actor, city)
    key = key_of(w["users"]["resident0"])
    response = post(api_key=key, service_code="parking", address_id=f"d{w['homes'][0].pk}", description="车位被占",
                    jurisdiction_id=CODES[city])  # fmt: skip
    assert response.status_code == 201, response.content
    appeal = Appeal.objects.get(pk=response.json()[0]["service_request_id"])
    assert (appeal.city, appeal.step) == (city, step)
    _, [req] = get_json(f"requests/{appeal.pk}.json", api_key=key, jurisdiction_id=CODES[city])
    assert req["service_code"] == "parking" and req["status"] == "open" and req["agency_responsible"]


def test_a_building_leader_raises_a_case_on_patrol_at_a_node(actor):
    """An n<id> address: a case raised on patrol (channel patrol), the key's user its recorder."""
    w = city_world(actor, "huzhou")
    city_world(actor, "cangzhou")
    key = key_of(w["users"]["building_leader"])
    response = post(
        api_key=key, service_code="sanitation", address_id=f"n{w['building'].pk}", description="楼道堆物"
    )
    assert response.status_code == 201, response.content
    appeal = Appeal.objects.get(pk=response.json()[0]["service_request_id"])
    assert (appeal.channel, appeal.submitter, appeal.recorded_by) == (
        "patrol",
        None,
        w["users"]["building_leader"],
    )
    resident = key_of(w["users"]["resident0"])
    before = counts()
    refused = post(
        api_key=resident, service_code="sanitation", address_id=f"n{w['building'].pk}", description="x"
    )
    assert refused.status_code in (403, 404) and counts() == before
    outside = post(api_key=key, service_code="sanitation", address_id=f"n{w['building'].pk}", description="x",
                   jurisdiction_id=CODES["cangzhou"])  # fmt: skip
    assert outside.status_code == 400, outside.content
    assert "jurisdiction_id" in outside.json()[0]["description"]
    assert counts() == before


def test_huge_ids_are_simply_not_found(bz):
    key = bz["keys"]["resident0"]
    assert get_json("requests/999999999999.json", api_key=key)[0] == 404
    assert get_json("requests.json", api_key=key, service_request_id="999999999999") == (200, [])
    assert submit(bz, address_id="d999999999999").status_code == 404
    assert submit(bz, address_id="n999999999999").status_code == 404
