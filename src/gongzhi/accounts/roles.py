"""Roles from catalogue §2.6 and the level of the tree (or overlay) each one is held at."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    DISTRICT_OFFICER = "district_officer"
    STREET_OFFICER = "street_officer"
    COMMUNITY_WORKER = "community_worker"
    GRID_LEADER = "grid_leader"
    GRID_WORKER = "grid_worker"
    BUILDING_LEADER = "building_leader"
    OWNERS_COMMITTEE_MEMBER = "owners_committee_member"
    SUPERVISORY_COMMITTEE_MEMBER = "supervisory_committee_member"
    PROPERTY_STAFF = "property_staff"
    RESIDENT = "resident"
    # Issue 4 appeal ladders: the resident-group leader (BZ-4.4) and the community property manager (CZ-III.3).
    RESIDENT_GROUP_LEADER = "resident_group_leader"
    COMMUNITY_PROPERTY_MANAGER = "community_property_manager"
    # Issue 5 §1: HZ-5.1.3.2.1.3 lets 20% of the owners' representatives (业主代表, glossary §2.4) propose a
    # compound deliberation with their signatures; they represent the compound's owners.
    OWNERS_REPRESENTATIVE = "owners_representative"


class ScopeKind(StrEnum):
    NODE = "node"
    GRID = "grid"
    DWELLING = "dwelling"


# What a role assignment points at: node levels allowed, or a grid, or a dwelling.
ROLE_SCOPE: dict[Role, tuple[ScopeKind, frozenset[str]]] = {
    Role.DISTRICT_OFFICER: (ScopeKind.NODE, frozenset({"district"})),
    Role.STREET_OFFICER: (ScopeKind.NODE, frozenset({"street"})),
    Role.COMMUNITY_WORKER: (ScopeKind.NODE, frozenset({"community"})),
    Role.GRID_LEADER: (ScopeKind.GRID, frozenset()),
    Role.GRID_WORKER: (ScopeKind.GRID, frozenset()),
    Role.BUILDING_LEADER: (ScopeKind.NODE, frozenset({"building", "stairwell"})),
    Role.OWNERS_COMMITTEE_MEMBER: (ScopeKind.NODE, frozenset({"compound"})),
    Role.SUPERVISORY_COMMITTEE_MEMBER: (ScopeKind.NODE, frozenset({"compound"})),
    Role.PROPERTY_STAFF: (ScopeKind.NODE, frozenset({"compound"})),
    Role.RESIDENT: (ScopeKind.DWELLING, frozenset()),
    Role.RESIDENT_GROUP_LEADER: (ScopeKind.NODE, frozenset({"resident_group"})),
    Role.COMMUNITY_PROPERTY_MANAGER: (ScopeKind.NODE, frozenset({"community"})),
    Role.OWNERS_REPRESENTATIVE: (ScopeKind.NODE, frozenset({"compound"})),
}
