"""A small tree per city pack with a resident, and one user per handling role, for the appeal service tests."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from gongzhi.accounts import services as accounts
from gongzhi.people import services as people
from gongzhi.tree import services as tree

START = dt.date(2024, 1, 1)
CODES = {"binzhou": "371602", "cangzhou": "130902", "ningbo": "330203", "huzhou": "330502"}


def city_world(actor: Any, city: str) -> dict[str, Any]:
    """district → street → community → compound (BZ: resident group) → building → stairwell → dwelling."""
    code = CODES[city]
    d = tree.node_create(
        actor=actor, parent=None, name=f"{city}区", level="district", code=code, policy_pack=city
    )
    s = tree.node_create(actor=actor, parent=d, name="街道", level="street", code=f"{code}001000")
    c = tree.node_create(actor=actor, parent=s, name="社区", level="community", code=f"{code}001001")
    middle = "resident_group" if city == "binzhou" else "compound"
    k = tree.node_create(actor=actor, parent=c, name="小区", level=middle)
    b = tree.node_create(actor=actor, parent=k, name="1幢", level="building")
    w = tree.node_create(actor=actor, parent=b, name="1单元", level="stairwell")
    homes = [
        tree.dwelling_create(actor=actor, stairwell=w, number=f"{n}01", area=Decimal("80.00")) for n in (1, 2)
    ]
    grid = tree.grid_create(actor=actor, community=c, name="一网格")
    tree.grid_assign(actor=actor, grid=grid, buildings=[], dwellings=homes)
    nodes = {"district": d, "street": s, "community": c, "compound": k, "building": b, "stairwell": w}
    users = {}
    for n, home in enumerate(homes):
        person = people.person_create(actor=actor, name=f"居民{n}")
        people.residency_move_in(actor=actor, dwelling=home, person=person, relation="owner", start=START)
        users[f"resident{n}"] = _user(actor, f"{city}-r{n}", "resident", {"dwelling": home}, person)
    where = {
        "district_officer": {"node": d},
        "street_officer": {"node": s},
        "community_worker": {"node": c},
        "community_property_manager": {"node": c},
        "grid_leader": {"grid": grid},
        "grid_worker": {"grid": grid},
        "building_leader": {"node": b},
        "supervisory_committee_member": {"node": k} if middle == "compound" else None,
        "owners_committee_member": {"node": k} if middle == "compound" else None,
        "property_staff": {"node": k} if middle == "compound" else None,
        "resident_group_leader": {"node": k} if middle == "resident_group" else None,
    }
    for role, scope in where.items():
        if scope is not None:
            users[role] = _user(actor, f"{city}-{role}", role, scope)
    return {**nodes, "homes": homes, "grid": grid, "users": users}


def _user(actor: Any, username: str, role: str, scope: dict[str, Any], person: Any = None) -> Any:
    user = accounts.user_create(actor=actor, username=username, password="pw-appeal-2026", person=person)
    accounts.role_assign(actor=actor, user=user, role=role, start=START, **scope)
    return user
