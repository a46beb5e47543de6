"""Scope: out-of-scope ids answer exactly like missing ones; read-only roles get 403 on writes."""

from __future__ import annotations

import datetime as dt

import pytest

from gongzhi.bodies import services as bodies
from gongzhi.people import services as people
from gongzhi.tree.models import Dwelling, Node

pytestmark = pytest.mark.django_db


def test_worker_sees_own_community_as_top(worker_api, other_community, small_tree):
    body = worker_api.get("/nodes").json()
    assert [n["name"] for n in body["items"]] == ["月河社区"]


@pytest.mark.parametrize(
    "url",
    [
        "/nodes/{node}",
        "/dwellings/{dwelling}",
        "/nodes/{node}/dwellings",
        "/communities/{community}/grids",
        "/bodies/{body}",
        "/people/{person}",
    ],
)
def test_out_of_scope_is_identical_to_missing(worker_api, actor, other_community, url):
    elsewhere = other_community
    body = bodies.body_create(
        actor=actor, kind="owners_committee", node=elsewhere["compound"], name="潮音业委会"
    )
    person = people.person_create(actor=actor, name="赵六")
    people.residency_move_in(
        actor=actor,
        dwelling=elsewhere["dwelling"],
        person=person,
        relation="owner",
        start=dt.date(2024, 1, 1),
    )
    ids = {
        "node": elsewhere["building"].pk,
        "dwelling": elsewhere["dwelling"].pk,
        "community": elsewhere["community"].pk,
        "body": body.pk,
        "person": person.pk,
    }
    hidden = worker_api.get(url.format(**ids))
    missing = worker_api.get(url.format(**{k: 999999 for k in ids}))
    assert (hidden.status_code, hidden.content) == (missing.status_code, missing.content)
    assert hidden.status_code == 404 and hidden.json()["code"] == "not_found"


def test_lists_are_scoped(worker_api, actor, small_tree, other_community):
    bodies.body_create(
        actor=actor, kind="owners_committee", node=other_community["compound"], name="潮音业委会"
    )
    bodies.body_create(actor=actor, kind="owners_committee", node=small_tree["compound"], name="锦绣业委会")
    assert [b["name"] for b in worker_api.get("/bodies").json()["items"]] == ["锦绣业委会"]
    people.person_create(actor=actor, name="外人")
    assert worker_api.get("/people", search="外人").json()["count"] == 0


def test_worker_writes_in_scope(worker_api, small_tree):
    response = worker_api.post(
        "/dwellings", {"stairwell_id": small_tree["stairwell"].pk, "number": "402", "area": "60"}
    )
    assert response.status_code == 201


def test_worker_write_out_of_scope_is_404_and_writes_nothing(worker_api, other_community, audit_count):
    before = audit_count()
    response = worker_api.post(
        "/dwellings", {"stairwell_id": other_community["stairwell"].pk, "number": "402", "area": "60"}
    )
    assert (response.status_code, response.json()["code"]) == (404, "not_found")
    assert audit_count() == before


def test_worker_cannot_create_a_district(worker_api, assert_error):
    response = worker_api.post("/nodes", {"name": "新区", "level": "district"})
    assert response.status_code == 403
    assert_error(response, "forbidden")
    assert not Node.objects.filter(name="新区").exists()


def test_worker_may_follow_up_on_a_person_they_registered(worker_api, small_tree):
    person = worker_api.post("/people", {"name": "新居民"}).json()
    assert worker_api.get(f"/people/{person['id']}").status_code == 200
    response = worker_api.post(
        "/residencies",
        {
            "person_id": person["id"],
            "dwelling_id": small_tree["dwellings"][0].pk,
            "relation": "tenant",
            "start": "2025-01-01",
        },
    )
    assert response.status_code == 201


def test_read_only_role_reads_but_gets_403_on_write(leader_api, small_tree, audit_count, assert_error):
    dwelling = small_tree["dwellings"][0]
    assert leader_api.get(f"/dwellings/{dwelling.pk}").status_code == 200
    before = audit_count()
    response = leader_api.patch(f"/dwellings/{dwelling.pk}", {"area": "1.00"}, lang="en")
    assert response.status_code == 403
    assert assert_error(response, "forbidden")["message"] == "You may view this but not change it."
    assert str(Dwelling.objects.get(pk=dwelling.pk).area) == "89.47"
    assert audit_count() == before


def test_read_only_role_cannot_see_above_its_scope(leader_api, small_tree):
    assert leader_api.get(f"/nodes/{small_tree['community'].pk}").status_code == 404
    assert leader_api.post("/people", {"name": "x"}).status_code == 403


def test_read_only_role_cannot_change_a_resident(leader_api, actor, small_tree, a_person, audit_count):
    people.residency_move_in(
        actor=actor,
        dwelling=small_tree["dwellings"][0],
        person=a_person,
        relation="owner",
        start=dt.date(2024, 1, 1),
    )
    assert leader_api.get(f"/people/{a_person.pk}").status_code == 200
    before = audit_count()
    response = leader_api.patch(f"/people/{a_person.pk}", {"name": "改名"})
    assert (response.status_code, response.json()["code"]) == (403, "forbidden")
    assert audit_count() == before


def test_person_details_hide_links_outside_scope(worker_api, actor, small_tree, other_community, a_person):
    people.ownership_open(
        actor=actor, dwelling=small_tree["dwellings"][0], person=a_person, start=dt.date(2020, 1, 1)
    )
    people.ownership_open(
        actor=actor, dwelling=other_community["dwelling"], person=a_person, start=dt.date(2020, 1, 1)
    )
    body = worker_api.get(f"/people/{a_person.pk}").json()
    assert [o["dwelling_id"] for o in body["ownerships"]] == [small_tree["dwellings"][0].pk]


def test_resident_reads_own_home_not_the_neighbours(actor, small_tree, django_user_model):
    """A resident's role covers one dwelling; the stairwell's other dwellings answer like missing ones."""
    from django.test import Client

    from gongzhi.accounts import services as accounts

    home, neighbour = small_tree["dwellings"][:2]
    user = django_user_model.objects.create_user(username="resident", password=None)
    accounts.role_assign(actor=actor, user=user, role="resident", dwelling=home, start=dt.date(2025, 1, 1))
    client = Client()
    client.force_login(user)
    assert client.get(f"/api/v1/dwellings/{home.pk}").status_code == 200
    missing = client.get("/api/v1/dwellings/999999")
    forbidden = client.get(f"/api/v1/dwellings/{neighbour.pk}")
    assert forbidden.status_code == missing.status_code == 404
    assert forbidden.json() == missing.json()
    assert client.get(f"/api/v1/nodes/{small_tree['stairwell'].pk}/dwellings").status_code == 404
