"""`filters.home_allows` (a dwelling's values in hand, no query) and `filters.home_q` (the ORM filter) are one rule:
for every grant a user can hold, alone and in pairs, they pick the same dwellings."""

from __future__ import annotations

import itertools

import pytest
from tests.appeals.cases_world import city_world

from gongzhi.access.capabilities import Action, Kind, Role
from gongzhi.access.filters import DWELLING, home_allows, home_q
from gongzhi.access.reach import Grant, Reach
from gongzhi.tree.models import Dwelling

pytestmark = pytest.mark.django_db


def _grants(worlds):
    out = []
    for w in worlds:
        for role in Role:
            for key in ("district", "street", "community", "compound", "building", "stairwell"):
                out.append(Grant(role.value, w[key].path))
            out.append(Grant(role.value, w["community"].path, grid_id=w["grid"].pk))
            for home in w["homes"]:
                out.append(Grant(role.value, home.path, dwelling_id=home.pk))
    return out


def test_home_allows_agrees_with_home_q(actor):
    worlds = [city_world(actor, "huzhou"), city_world(actor, "binzhou")]
    dwellings = list(Dwelling.objects.all())
    grants = _grants(worlds)
    reaches = [Reach(superuser=False, grants=(g,)) for g in grants]
    reaches += [Reach(superuser=False, grants=pair) for pair in itertools.combinations(grants[::7], 2)]
    reaches += [Reach(superuser=True, grants=()), Reach(superuser=False, grants=())]
    checked = 0
    for reach in reaches:
        for kind, action in ((Kind.APPEAL, Action.CHANGE), (Kind.DWELLING, Action.VIEW)):
            q = home_q(reach, kind, action, DWELLING)
            by_q = set(
                (Dwelling.objects.filter(q) if q is not None else Dwelling.objects).values_list(
                    "pk", flat=True
                )
            )
            by_values = {
                d.pk
                for d in dwellings
                if home_allows(
                    reach,
                    kind,
                    action,
                    dwelling_id=d.pk,
                    path=d.path,
                    grid_id=d.grid_id,
                    micro_grid_id=d.micro_grid_id,
                )
            }
            assert by_q == by_values, (reach, kind, action)
            checked += bool(by_q)
    assert checked > 50  # the comparison is not between empty sets
