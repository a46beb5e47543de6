"""What each role may do inside its scope: the one table every page, endpoint, export and admin check reads.

Pure data (no Django). Scope — *where* a role acts — comes from its assignment (accounts.roles.ROLE_SCOPE):
a node subtree, a grid, or one dwelling. This table says *what* it may do there, per object kind. A street or
district officer reads everything under their node and changes only the structure and the bodies
("read-mostly", issue 3 §1); registering people and homes is the community's and the grid's work (CZ-II.5,
HZ-A.6.1.1.1). Owners' committee members see their compound's governance and roll, and sensitive care tags
stay hidden from them through the privacy.* keys of the policy pack, not here.
"""

from __future__ import annotations

from enum import StrEnum

from gongzhi.accounts.roles import Role


class Kind(StrEnum):
    NODE = "node"
    DWELLING = "dwelling"
    GRID = "grid"
    PERSON = "person"
    RESIDENCY = "residency"
    OWNERSHIP = "ownership"
    BODY = "body"
    MEMBERSHIP = "membership"
    COMPLIANCE = "compliance"  # a community's body-compliance list
    HISTORY = "history"  # an object's audit history page
    VOTE = "vote"  # a vote, its roll, ballots and result (change: open, close, publish, enter paper ballots)
    DIRECTIVE = (
        "directive"  # a directive and its cascade (change: issue at one's node, act on one's assignment)
    )
    TOPIC = "topic"  # a deliberation topic, its steps and meetings (change: act on a step; which step: procedures)
    APPEAL = (
        "appeal"  # issue 4 §1: change = submit (own home, or on a resident's behalf) and act per the ladder
    )
    DASHBOARD = "dashboard"  # issue 4 §3: a node's dashboards and the street's weekly agenda (view only)


class Action(StrEnum):
    VIEW = "view"
    CHANGE = "change"  # create, update and close; creating checks the container (a node, a dwelling)


V, C = Action.VIEW, Action.CHANGE
_HOUSEHOLD = (Kind.DWELLING, Kind.PERSON, Kind.RESIDENCY, Kind.OWNERSHIP)
_GOVERNANCE = (Kind.BODY, Kind.MEMBERSHIP)
_EVERYTHING = (Kind.NODE, Kind.GRID, *_HOUSEHOLD, *_GOVERNANCE, Kind.COMPLIANCE, Kind.HISTORY, Kind.VOTE)


def _grant(kinds: tuple[Kind, ...], *actions: Action) -> dict[Kind, frozenset[Action]]:
    return {k: frozenset(actions) for k in kinds}


def _merge(*parts: dict[Kind, frozenset[Action]]) -> dict[Kind, frozenset[Action]]:
    out: dict[Kind, frozenset[Action]] = {}
    for part in parts:
        for kind, actions in part.items():
            out[kind] = out.get(kind, frozenset()) | actions
    return out


_OFFICER = _merge(_grant(_EVERYTHING, V), _grant((Kind.NODE, *_GOVERNANCE), C))

CAPABILITIES: dict[Role, dict[Kind, frozenset[Action]]] = {
    Role.DISTRICT_OFFICER: _OFFICER,
    Role.STREET_OFFICER: _OFFICER,
    Role.COMMUNITY_WORKER: _merge(
        _grant(_EVERYTHING, V), _grant((Kind.NODE, Kind.GRID, *_HOUSEHOLD, *_GOVERNANCE, Kind.VOTE), C)
    ),
    # Grid staff visit households and keep their records up to date (CZ-II.5#1, HZ-A.6.1.1.1).
    Role.GRID_LEADER: _merge(
        _grant((Kind.GRID, *_HOUSEHOLD, *_GOVERNANCE), V), _grant((Kind.PERSON, Kind.RESIDENCY), C)
    ),
    Role.GRID_WORKER: _merge(
        _grant((Kind.GRID, *_HOUSEHOLD, *_GOVERNANCE), V), _grant((Kind.PERSON, Kind.RESIDENCY), C)
    ),
    # Votes are the owners' business (LAW-CC-278): their committee runs them with the community worker, the
    # supervisory committee and the building leader follow them; grid and property staff have no part.
    Role.BUILDING_LEADER: _grant((Kind.NODE, *_HOUSEHOLD, *_GOVERNANCE, Kind.VOTE), V),
    Role.OWNERS_COMMITTEE_MEMBER: _merge(
        _grant((Kind.NODE, *_HOUSEHOLD, *_GOVERNANCE, Kind.VOTE), V), _grant((Kind.VOTE,), C)
    ),
    Role.SUPERVISORY_COMMITTEE_MEMBER: _grant((Kind.NODE, *_HOUSEHOLD, *_GOVERNANCE, Kind.VOTE), V),
    Role.PROPERTY_STAFF: _grant((Kind.NODE, *_HOUSEHOLD, *_GOVERNANCE), V),
    # A resident's own household; bodies and their members are published to the compound and community.
    Role.RESIDENT: _grant((*_HOUSEHOLD, *_GOVERNANCE, Kind.VOTE), V),
}

# --- directives (issue 4 §2) ---
# District and street officers and community workers issue directives at their own node and act on their
# unit's assignment; they read the cascade under their node (gongzhi.directives.selectors). A compound's
# assignment is carried by its community's workers: no role below the community represents a unit of work.
for _role in (Role.DISTRICT_OFFICER, Role.STREET_OFFICER, Role.COMMUNITY_WORKER):
    CAPABILITIES[_role] = _merge(CAPABILITIES[_role], _grant((Kind.DIRECTIVE,), V, C))
# --- deliberation (issue 5 §1) -----------------------------------------------------------------------------
# Topics: the staff and committees that take procedure steps may change them inside their scope (which step is
# theirs the procedure decides, by capacity: deliberation.rules); officers follow; residents see the topics of
# their stairwell, building, compound and community.
_TOPIC_GRANTS: dict[Role, tuple[Action, ...]] = {
    Role.DISTRICT_OFFICER: (V,),
    Role.STREET_OFFICER: (V,),
    Role.COMMUNITY_WORKER: (V, C),
    Role.GRID_LEADER: (V, C),
    Role.GRID_WORKER: (V, C),
    Role.BUILDING_LEADER: (V, C),
    Role.OWNERS_COMMITTEE_MEMBER: (V, C),
    Role.SUPERVISORY_COMMITTEE_MEMBER: (V, C),
    Role.PROPERTY_STAFF: (V, C),
    Role.RESIDENT: (V,),
}
for _role, _actions in _TOPIC_GRANTS.items():
    CAPABILITIES[_role] = _merge(CAPABILITIES[_role], _grant((Kind.TOPIC,), *_actions))
# --- end deliberation --------------------------------------------------------------------------------------
# --- appeals (issue 4 §1) ----------------------------------------------------------------------------------
# Who acts on a case is decided by the ladder (appeals.lifecycle capacities); this only says who may see cases
# in their scope and submit or act there at all. The supervisory committee watches; residents submit for their
# own home. The two ladder roles (BZ-4.4, CZ-III.3) see what a building leader or property staff see.
_APPEAL_SEE = frozenset({Role.SUPERVISORY_COMMITTEE_MEMBER})
CAPABILITIES[Role.RESIDENT_GROUP_LEADER] = _grant((Kind.NODE, *_HOUSEHOLD, *_GOVERNANCE, Kind.VOTE), V)
CAPABILITIES[Role.COMMUNITY_PROPERTY_MANAGER] = _grant((Kind.NODE, *_GOVERNANCE), V)
for _role in CAPABILITIES:
    _actions = (V,) if _role in _APPEAL_SEE else (V, C)
    CAPABILITIES[_role] = _merge(CAPABILITIES[_role], _grant((Kind.APPEAL,), *_actions))
# --- end appeals ----------------------------------------------------------------------------------------------
# --- owners' representatives (issue 5 §1, HZ-5.1.3.2.1.3) ------------------------------------------------------
# They see their compound's governance, votes and topics and take the steps the procedures give them (a proposal
# with 20% of their signatures); households stay hidden from them, and appeals they raise as residents.
CAPABILITIES[Role.OWNERS_REPRESENTATIVE] = _merge(
    _grant((Kind.NODE, *_GOVERNANCE, Kind.VOTE), V), _grant((Kind.TOPIC,), V, C)
)
# --- oversight (issue 4 §3) -----------------------------------------------------------------------------------
# Dashboards and the street's weekly agenda are the staff's: officers and community workers, over their node.
for _role in (Role.DISTRICT_OFFICER, Role.STREET_OFFICER, Role.COMMUNITY_WORKER):
    CAPABILITIES[_role] = _merge(CAPABILITIES[_role], _grant((Kind.DASHBOARD,), V))
# --- end oversight --------------------------------------------------------------------------------------------

# Kinds every role that may view them also sees on the nodes above its scope (published to it).
PUBLISHED_UPWARDS = frozenset(_GOVERNANCE)


def allows(role: str, kind: Kind, action: Action) -> bool:
    try:
        return action in CAPABILITIES[Role(role)].get(kind, frozenset())
    except ValueError:  # a role value no longer in the enum grants nothing
        return False


def roles_allowed(kind: Kind, action: Action) -> frozenset[Role]:
    return frozenset(r for r, caps in CAPABILITIES.items() if action in caps.get(kind, frozenset()))
