"""Scope edges the matrix does not reach: a grid inside one community, a resident's single home, nesting."""

from __future__ import annotations

import pytest

from gongzhi.access import selectors as access
from gongzhi.access.capabilities import CAPABILITIES, Action, Kind, allows
from gongzhi.access.reach import Grant, NodeAccess, Reach, outermost
from gongzhi.accounts.roles import Role

pytestmark = pytest.mark.django_db


def _numbers(qs):
    return sorted(d.number for d in qs)


def test_a_grid_worker_sees_their_grid_not_the_rest_of_the_community(world):
    gw = world.users["GW"]
    assert _numbers(access.dwellings_for(gw)) == ["101", "201"]  # 301 lies in the other grid
    third = world.ins["dwelling"].stairwell.dwellings.get(number="301")
    with pytest.raises(access.NotFound):
        access.dwelling_get_for(gw, third.pk)
    response = world.clients["GW"].get(f"/api/v1/dwellings/{third.pk}")
    assert response.status_code == 404


def test_the_dwelling_list_page_shows_each_role_its_own(world):
    expected = {"GW": 2, "BL": 3, "RE": 1, "CW": 3, "NB": 0, "SU": 6}
    for role, count in expected.items():
        body = world.clients[role].get("/api/v1/dwellings").json()
        assert body["count"] == count, role
        page = world.clients[role].get("/dwellings/")
        assert page.status_code == 200 and page.context["page"].paginator.count == count, role


def test_a_grid_filter_outside_ones_reach_is_not_found(world):
    response = world.clients["GW"].get("/api/v1/dwellings", {"grid": world.out["grid"].pk})
    assert response.status_code == 404


def test_a_resident_sees_the_nodes_above_their_home_by_name_only(world):
    reach = Reach(False, (Grant("resident", world.ins["stairwell"].path, dwelling_id=1),))
    assert reach.node_access(world.ins["community"].path) == NodeAccess.NAME_ONLY
    assert reach.node_access(world.out["community"].path) is None
    page = world.clients["RE"].get(f"/tree/{world.ins['building'].pk}/")
    assert page.status_code == 200 and page.context["full"] is False
    assert "counts" not in page.context


def test_outermost_drops_nested_scopes():
    assert outermost(["0001", "00010002", "0003", "0001"]) == ["0001", "0003"]


def test_every_role_has_a_row_in_the_capability_table():
    assert set(CAPABILITIES) == set(Role)


def test_street_officers_read_everything_and_change_only_structure_and_bodies():
    """Read-mostly (issue 3 §1): homes and people are registered by the community and its grids."""
    assert all(allows("street_officer", kind, Action.VIEW) for kind in Kind)
    changes = {kind for kind in Kind if allows("street_officer", kind, Action.CHANGE)}
    # ...and issue directives at their street, acting on its assignments (issue 4 §2).
    # and they act on appeals at the street rung (issue 4 §1: the ladder decides what they may do there)
    assert changes == {Kind.NODE, Kind.BODY, Kind.MEMBERSHIP, Kind.DIRECTIVE, Kind.APPEAL}


def test_owners_committee_members_do_not_change_households():
    changes = {kind for kind in Kind if allows("owners_committee_member", kind, Action.CHANGE)}
    # They run the compound's votes (LAW-CC-278), take its deliberation steps (HZ-5.1.3.2.1.3) and handle
    # appeals at the compound rung (issue 4 §1), nothing else.
    assert changes == {Kind.VOTE, Kind.TOPIC, Kind.APPEAL}
    assert not allows("unknown_role", Kind.NODE, Action.VIEW)
