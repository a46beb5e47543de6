"""A scoped user sees inside their scope, ancestors by name only, and gets 404 elsewhere."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from gongzhi.accounts import services as accounts

pytestmark = pytest.mark.django_db


def status(client, name, obj):
    return client.get(reverse(name, args=[obj.pk])).status_code


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("web:node", "other_district"),
        ("web:node", "other_community"),
        ("web:dwelling", "other_dwelling"),
        ("web:person", "stranger"),
        ("web:body", "other_body"),
        ("web:compliance", "other_community"),
    ],
)
def test_out_of_scope_is_404(worker_client, site, name, key):
    assert status(worker_client, name, site[key]) == 404


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("web:node", "community"),
        ("web:node", "stairwell"),
        ("web:node", "compound"),
        ("web:person", "person"),
        ("web:body", "committee"),
        ("web:compliance", "community"),
    ],
)
def test_in_scope_is_shown(worker_client, site, name, key):
    assert status(worker_client, name, site[key]) == 200


def test_dwelling_in_scope_is_shown(worker_client, site):
    assert status(worker_client, "web:dwelling", site["dwellings"][0]) == 200


def test_ancestor_shows_name_only(worker_client, site):
    response = worker_client.get(reverse("web:node", args=[site["street"].pk]))
    assert response.status_code == 200 and response.context["full"] is False
    content = response.content.decode()
    assert "月河街道" in content and "330502001000" not in content  # no details of the ancestor


def test_ancestor_children_only_on_the_way_to_scope(worker_client, site, actor):
    from gongzhi.tree import services as tree

    tree.node_create(
        actor=actor, parent=site["street"], name="潮音社区", level="community", code="330502001002"
    )
    response = worker_client.get(reverse("web:node", args=[site["street"].pk]))
    assert [c.name for c, _a, _c in response.context["children"]] == ["月河社区"]


def test_roots_only_the_users_district(worker_client, site):
    response = worker_client.get(reverse("web:tree"))
    assert [(c.name, counts) for c, _a, counts in response.context["children"]] == [("吴兴区", None)]


def test_ancestor_compliance_is_404(worker_client, site):
    assert status(worker_client, "web:compliance", site["street"]) == 404


def test_resident_sees_only_own_dwelling(actor, site, client):
    user = accounts.user_create(actor=actor, username="resident", password="pw-resident-123")
    accounts.role_assign(
        actor=actor, user=user, role="resident", dwelling=site["dwellings"][0], start=dt.date(2024, 1, 1)
    )
    client.force_login(user)
    assert status(client, "web:dwelling", site["dwellings"][0]) == 200
    assert status(client, "web:dwelling", site["dwellings"][1]) == 404
    stairwell = client.get(reverse("web:node", args=[site["stairwell"].pk]))
    assert [d.number for d in stairwell.context["dwellings"]] == ["101"]


def test_user_without_roles_sees_nothing(actor, site, client):
    user = accounts.user_create(actor=actor, username="nobody", password="pw-nobody-123")
    client.force_login(user)
    assert client.get(reverse("web:tree")).context["children"] == []
    assert status(client, "web:node", site["district"]) == 404


def test_ended_role_grants_nothing(actor, site, client):
    user = accounts.user_create(actor=actor, username="former", password="pw-former-123")
    accounts.role_assign(
        actor=actor,
        user=user,
        role="community_worker",
        node=site["community"],
        start=dt.date(2020, 1, 1),
        end=dt.date(2021, 1, 1),
    )
    client.force_login(user)
    assert status(client, "web:node", site["community"]) == 404
