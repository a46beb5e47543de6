"""A populated tree for the page tests: owners, a household, a grid, a body, and an out-of-scope district."""

from __future__ import annotations

import datetime as dt

import pytest

from gongzhi.accounts import services as accounts
from gongzhi.bodies import services as bodies
from gongzhi.people import services as people
from gongzhi.tree import services as tree


@pytest.fixture
def site(actor, small_tree, a_person):
    t = small_tree
    start = dt.date(2020, 5, 1)
    d0 = t["dwellings"][0]
    people.ownership_open(
        actor=actor, dwelling=d0, person=a_person, start=start, document="浙(2020)湖州市不动产权第0001号"
    )
    people.residency_move_in(
        actor=actor, dwelling=d0, person=a_person, relation="owner", start=start, is_representative=True
    )
    li = people.person_create(actor=actor, name="李四", phone="13900001111")
    people.ownership_open(actor=actor, dwelling=d0, person=li, start=dt.date(2010, 1, 1))
    old = people.ownership_close(actor=actor, ownership=li.ownerships.get(), end=start)
    grid = tree.grid_create(actor=actor, community=t["community"], name="第一网格")
    tree.grid_assign(actor=actor, grid=grid, dwellings=[d0])
    committee = bodies.body_create(
        actor=actor,
        kind="residents_committee",
        node=t["community"],
        name="月河社区居委会",
        term_start=dt.date(2021, 1, 1),
        term_end=dt.date(2026, 1, 1),
    )
    bodies.member_add(
        actor=actor,
        body=committee,
        person=a_person,
        term_start=dt.date(2021, 1, 1),
        position="chair",
        elected_how="residents_election",
    )
    other_d = tree.node_create(actor=actor, parent=None, name="南浔区", level="district", code="330503")
    other_s = tree.node_create(
        actor=actor, parent=other_d, name="南浔镇", level="street", code="330503100000"
    )
    other_c = tree.node_create(
        actor=actor, parent=other_s, name="适园社区", level="community", code="330503100001"
    )
    ok = tree.node_create(actor=actor, parent=other_c, name="南园小区", level="compound")
    ob = tree.node_create(actor=actor, parent=ok, name="9幢", level="building")
    ow = tree.node_create(actor=actor, parent=ob, name="2单元", level="stairwell")
    other_dwelling = tree.dwelling_create(actor=actor, stairwell=ow, number="902", area="120.00")
    stranger = people.person_create(actor=actor, name="王五")
    people.residency_move_in(
        actor=actor, dwelling=other_dwelling, person=stranger, relation="owner", start=start
    )
    other_body = bodies.body_create(
        actor=actor, kind="residents_committee", node=other_c, name="适园社区居委会"
    )
    return {
        **t,
        "person": a_person,
        "past_owner": li,
        "old_ownership": old,
        "grid": grid,
        "committee": committee,
        "other_district": other_d,
        "other_community": other_c,
        "other_dwelling": other_dwelling,
        "stranger": stranger,
        "other_body": other_body,
    }


@pytest.fixture
def admin_client_zh(client, actor):
    client.force_login(actor)
    return client


@pytest.fixture
def worker(actor, site, django_user_model):
    """A community worker of 月河社区 (scope: that community)."""
    user = accounts.user_create(actor=actor, username="worker", password="pw-worker-123")
    accounts.role_assign(
        actor=actor, user=user, role="community_worker", node=site["community"], start=dt.date(2024, 1, 1)
    )
    return user


@pytest.fixture
def worker_client(client, worker):
    client.force_login(worker)
    return client


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Log-ins are not what these tests check; the default hasher costs most of a second per user."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
