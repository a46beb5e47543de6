"""Kinds of body (catalogue §2.2–2.4) and the tree levels each may be attached to. Pure Python."""

from __future__ import annotations

from enum import StrEnum


class BodyKind(StrEnum):
    COMMUNITY_PARTY_ORG = "community_party_org"
    COMPOUND_PARTY_ORG = "compound_party_org"
    GRID_PARTY_BRANCH = "grid_party_branch"
    BUILDING_PARTY_GROUP = "building_party_group"
    RESIDENTS_COMMITTEE = "residents_committee"
    VILLAGERS_COMMITTEE = "villagers_committee"
    RESIDENTS_AFFAIRS_SUPERVISORY_COMMITTEE = "residents_affairs_supervisory_committee"
    RESIDENTS_REPRESENTATIVE_MEETING = "residents_representative_meeting"
    OWNERS_GENERAL_ASSEMBLY = "owners_general_assembly"
    OWNERS_COMMITTEE = "owners_committee"
    OWNERS_SUPERVISORY_COMMITTEE = "owners_supervisory_committee"
    PROPERTY_COMPANY = "property_company"
    COMMUNITY_PMC = "community_pmc"
    STREET_PMC = "street_pmc"
    PEOPLE_MEDIATION_COMMITTEE = "people_mediation_committee"
    SOCIAL_ORG = "social_org"
    RESIDENT_GROUP = "resident_group"


# Levels a body of each kind may be attached to. A grid Party branch sits on the community (and names its
# grid), since grids are an overlay, not tree nodes.
ATTACH_LEVELS: dict[BodyKind, frozenset[str]] = {
    BodyKind.COMMUNITY_PARTY_ORG: frozenset({"community"}),
    BodyKind.COMPOUND_PARTY_ORG: frozenset({"compound"}),
    BodyKind.GRID_PARTY_BRANCH: frozenset({"community", "compound"}),
    BodyKind.BUILDING_PARTY_GROUP: frozenset({"building", "stairwell"}),
    BodyKind.RESIDENTS_COMMITTEE: frozenset({"community"}),
    BodyKind.VILLAGERS_COMMITTEE: frozenset({"community"}),
    BodyKind.RESIDENTS_AFFAIRS_SUPERVISORY_COMMITTEE: frozenset({"community"}),
    BodyKind.RESIDENTS_REPRESENTATIVE_MEETING: frozenset({"community"}),
    BodyKind.OWNERS_GENERAL_ASSEMBLY: frozenset({"compound"}),
    BodyKind.OWNERS_COMMITTEE: frozenset({"compound"}),
    BodyKind.OWNERS_SUPERVISORY_COMMITTEE: frozenset({"compound"}),
    BodyKind.PROPERTY_COMPANY: frozenset({"compound"}),
    BodyKind.COMMUNITY_PMC: frozenset({"community"}),
    BodyKind.STREET_PMC: frozenset({"street"}),
    BodyKind.PEOPLE_MEDIATION_COMMITTEE: frozenset({"community", "street"}),
    BodyKind.SOCIAL_ORG: frozenset({"street", "community", "compound"}),
    BodyKind.RESIDENT_GROUP: frozenset({"resident_group"}),
}


class Position(StrEnum):
    SECRETARY = "secretary"
    DEPUTY_SECRETARY = "deputy_secretary"
    CHAIR = "chair"
    VICE_CHAIR = "vice_chair"
    MEMBER = "member"
    HEAD = "head"
    LEADER = "leader"
    PART_TIME_MEMBER = "part_time_member"
    MANAGER = "manager"
    STAFF = "staff"


class ElectedHow(StrEnum):
    OWNERS_ASSEMBLY = "owners_assembly"
    RESIDENTS_ELECTION = "residents_election"
    PARTY_ELECTION = "party_election"
    REPRESENTATIVES_MEETING = "representatives_meeting"
    APPOINTED = "appointed"
    EX_OFFICIO = "ex_officio"
    CO_OPTED = "co_opted"
    EMPLOYED = "employed"
    VOLUNTEER = "volunteer"


class RepresentativeCategory(StrEnum):
    """Composition of a residents' representatives meeting (NB-2.3.7)."""

    RESIDENT_REPRESENTATIVE = "resident_representative"
    COMMITTEE_MEMBER = "committee_member"
    UNIT_REPRESENTATIVE = "unit_representative"
    OTHER = "other"
