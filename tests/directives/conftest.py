"""A district with its access list, a street with two communities and a compound; an officer or worker at
each, and a helper to issue a directive from the street."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from gongzhi.accounts import services as accounts
from gongzhi.directives import services
from gongzhi.tree import services as tree

START = dt.date(2020, 1, 1)
SIX = {
    "project": "老旧小区加装电梯",
    "plan": "摸排、公示、施工、验收",
    "responsible_leader": "王副主任",
    "working_group": "街道城建办、社区两委",
    "timetable": "一月摸排，二月公示",
}


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def site(actor, small_tree):
    t = dict(small_tree)
    t["community2"] = tree.node_create(
        actor=actor, parent=t["street"], name="潘公桥社区", level="community", code="330502001002"
    )
    county = t["district"]
    t["items"] = {
        kind: services.access_item_create(
            actor=actor, county=county, code=f"Z{i:02d}", title=f"事项{kind}", kind=kind
        )
        for i, kind in enumerate(
            [
                "allowed",
                "assisted",
                "statutory_duty",
                "enforcement",
                "demolition",
                "environmental_rectification",
                "urban_management",
                "investment_attraction",
            ]
        )
    }
    users = {}
    for key, role, node in [
        ("do", "district_officer", t["district"]),
        ("so", "street_officer", t["street"]),
        ("cw", "community_worker", t["community"]),
        ("cw2", "community_worker", t["community2"]),
        ("oc", "owners_committee_member", t["compound"]),
    ]:
        users[key] = accounts.user_create(
            actor=actor, username=f"d-{key}", password="pw-dir-2026", is_staff=True
        )
        accounts.role_assign(actor=actor, user=users[key], role=role, node=node, start=START)
    t["users"] = users
    return t


def due(days=30):
    return timezone.localdate() + dt.timedelta(days=days)


def issue(actor, node, targets, *, item=None, staff="", fen=0, days=30, title="加装电梯摸排"):
    return services.directive_issue(
        actor=actor,
        node=node,
        title=title,
        content="请各社区摸排老旧小区加装电梯意愿。",
        basis="区政府2026年民生实事",
        due_date=due(days),
        targets=[services.Target(n, due(days)) for n in targets],
        access_item=item,
        support_staff=staff,
        support_funding_fen=fen,
        **SIX,
    )
