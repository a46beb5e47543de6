"""Audit pages: an object's history for whoever may see the object; the search for auditors only."""

import datetime as dt

import pytest

from gongzhi.accounts import services as accounts
from gongzhi.tree import services as tree

pytestmark = pytest.mark.django_db


def _user_with(actor, django_user_model, username, role, **scope):
    user = django_user_model.objects.create_user(username=username, password=None)
    accounts.role_assign(actor=actor, user=user, role=role, start=dt.date(2025, 1, 1), **scope)
    return user


def test_dwelling_history_shows_the_change(client, actor, small_tree):
    d = small_tree["dwellings"][0]
    tree.dwelling_update(actor=actor, dwelling=d, area="90.00")
    client.force_login(actor)
    html = client.get(f"/history/dwelling/{d.pk}/").content.decode()
    assert "tree.dwelling_updated" in html and "90.00" in html


def test_history_out_of_scope_is_404_like_missing(client, actor, small_tree, django_user_model):
    other = tree.node_create(actor=actor, parent=None, name="南浔区", level="district")
    worker = _user_with(actor, django_user_model, "w", "community_worker", node=small_tree["community"])
    client.force_login(worker)
    assert client.get(f"/history/dwelling/{small_tree['dwellings'][0].pk}/").status_code == 200
    assert client.get(f"/history/node/{other.pk}/").status_code == 404
    assert client.get("/history/node/999999/").status_code == 404
    assert client.get(f"/history/unknown/{other.pk}/").status_code == 404


def test_search_is_for_auditors_and_scoped(client, actor, small_tree, django_user_model):
    other = tree.node_create(actor=actor, parent=None, name="南浔区", level="district")
    officer = _user_with(actor, django_user_model, "s", "street_officer", node=small_tree["street"])
    worker = _user_with(actor, django_user_model, "w", "community_worker", node=small_tree["community"])
    client.force_login(worker)
    assert client.get("/audit/").status_code == 404
    client.force_login(officer)
    html = client.get("/audit/", {"action": "tree.node_created"}).content.decode()
    assert "锦绣小区" in html  # under the officer's street
    assert "南浔区" not in html and other.name not in html  # another district's entries stay hidden
    assert client.get("/audit/", {"since": "2026-02-01", "until": "2026-01-01"}).status_code == 400
