"""A Binzhou street with two communities (BZ ladder: resident group → community → street → district), a
resident per community, and one user per handling role, for the dashboard and agenda tests."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from gongzhi.accounts import services as accounts
from gongzhi.appeals import cases
from gongzhi.people import services as people
from gongzhi.tree import services as tree

START = dt.date(2024, 1, 1)
PASSWORD = "pw-oversight-2026"


def _user(actor: Any, username: str, role: str, person: Any = None, **scope: Any) -> Any:
    user = accounts.user_create(actor=actor, username=username, password=PASSWORD, person=person)
    accounts.role_assign(actor=actor, user=user, role=role, start=START, **scope)
    return user


def _community(actor: Any, street: Any, n: int, name: str) -> dict[str, Any]:
    c = tree.node_create(actor=actor, parent=street, name=name, level="community", code=f"371602001{n:03d}")
    g = tree.node_create(actor=actor, parent=c, name=f"{name}一组", level="resident_group")
    b = tree.node_create(actor=actor, parent=g, name="1幢", level="building")
    w = tree.node_create(actor=actor, parent=b, name="1单元", level="stairwell")
    homes = [
        tree.dwelling_create(actor=actor, stairwell=w, number=f"{k}01", area=Decimal("80.00")) for k in (1, 2)
    ]
    users = {}
    for k, home in enumerate(homes):
        person = people.person_create(actor=actor, name=f"{name}居民{k}")
        people.residency_move_in(actor=actor, dwelling=home, person=person, relation="owner", start=START)
        users[f"resident{k}"] = _user(actor, f"ov{n}-r{k}", "resident", person, dwelling=home)
    users["leader"] = _user(actor, f"ov{n}-leader", "resident_group_leader", node=g)
    users["worker"] = _user(actor, f"ov{n}-worker", "community_worker", node=c)
    return {"node": c, "group": g, "homes": homes, "users": users}


def make_world(actor: Any) -> dict[str, Any]:
    d = tree.node_create(
        actor=actor, parent=None, name="滨城区", level="district", code="371602", policy_pack="binzhou"
    )
    s = tree.node_create(actor=actor, parent=d, name="市中街道", level="street", code="371602001000")
    east, west = _community(actor, s, 1, "东社区"), _community(actor, s, 2, "西社区")
    return {
        "district": d,
        "street": s,
        "east": east,
        "west": west,
        "street_officer": _user(actor, "ov-street", "street_officer", node=s),
        "district_officer": _user(actor, "ov-district", "district_officer", node=d),
    }


def submit(community: dict[str, Any], n: int = 0, category: str = "safety", **kw: Any) -> Any:
    kw.setdefault("description", "楼道灯坏了")
    user = community["users"][f"resident{n}"]
    return cases.appeal_submit(actor=user, dwelling=community["homes"][n], category=category, **kw).appeal


def act(user: Any, appeal: Any, name: str, **data: Any) -> Any:
    return cases.appeal_transition(actor=user, appeal_id=appeal.pk, transition=name, data=data)


def resolve_in_group(community: dict[str, Any], appeal: Any, rating: int | None = None) -> Any:
    leader = community["users"]["leader"]
    act(leader, appeal, "accept")
    appeal = act(leader, appeal, "resolve", resolution="已处理")
    if rating is not None:
        appeal = act(appeal.submitter, appeal, "confirm", rating=rating)
    return appeal


def escalate_to_street(community: dict[str, Any], appeal: Any, street_officer: Any = None) -> Any:
    leader, worker = community["users"]["leader"], community["users"]["worker"]
    act(leader, appeal, "accept")
    act(leader, appeal, "escalate", reason="本组无法解决")
    act(worker, appeal, "accept")
    act(worker, appeal, "convene_meeting", deliberation="居民议事会")
    return act(worker, appeal, "escalate", reason="需街道协调")
