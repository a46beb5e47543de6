"""A stairwell with a building leader, a grid leader, a community worker and a resident (owner of 101)."""

from __future__ import annotations

import datetime as dt

import pytest

from gongzhi.accounts import services as accounts
from gongzhi.people import services as people

START = dt.date(2020, 1, 1)


@pytest.fixture
def delib(actor, small_tree):
    t = small_tree
    users = {}
    for key, role, where in [
        ("bl", "building_leader", {"node": t["building"]}),
        ("cw", "community_worker", {"node": t["community"]}),
        ("oc", "owners_committee_member", {"node": t["compound"]}),
    ]:
        users[key] = accounts.user_create(
            actor=actor, username=f"d-{key}", password="pw-delib-2026", is_staff=True
        )
        accounts.role_assign(actor=actor, user=users[key], role=role, start=START, **where)
    owner = people.person_create(actor=actor, name="张一")
    people.ownership_open(actor=actor, dwelling=t["dwellings"][0], person=owner, start=START)
    users["re"] = accounts.user_create(actor=actor, username="d-re", password="pw-delib-2026", person=owner)
    accounts.role_assign(
        actor=actor, user=users["re"], role="resident", dwelling=t["dwellings"][0], start=START
    )
    users["out"] = accounts.user_create(actor=actor, username="d-out", password="pw-delib-2026")
    return {**t, "users": users}
