"""Bulk export of personal data: who may ask, who approves, and the request's lifecycle. Pure Python.

CZ-VI.3 asks for "permission management, tiered approval and accountability tracing" (权限管理、分级审批、责任追查)
before personal data leaves the platform in bulk. The tiers are the roles of the territorial tree: a request is
approved by the role one level up from the role it was made in, whose scope covers the exported subtree. The top
of the ladder is the platform administrator (a superuser), who holds no scope in the tree.

Everything here is data read by the services (guards), the pages and the API (which buttons to show) and the
tests (tests/exports/test_approval.py sweeps it exhaustively). No Django import.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

CLAUSE = "CZ-VI.3"

# The role a superuser acts in on the ladder: the platform administrator, above every tree role.
PLATFORM_ADMIN = "platform_admin"

COMMUNITY_WORKER = "community_worker"
STREET_OFFICER = "street_officer"
DISTRICT_OFFICER = "district_officer"

# CZ-VI.3 tiered approval: requesting role → the role that approves (one level up). A role that is not a key
# here may not request a bulk export at all (grid workers, building leaders, committees, property staff,
# residents: they see people one at a time, and the reveal service is their tool).
APPROVER_OF: dict[str, str] = {
    COMMUNITY_WORKER: STREET_OFFICER,
    STREET_OFFICER: DISTRICT_OFFICER,
    DISTRICT_OFFICER: PLATFORM_ADMIN,
}
REQUESTING_ROLES = frozenset(APPROVER_OF)
# Seniority on the ladder; when a user holds several exporting roles over a node, the request is made in the
# most senior one, so it climbs to the highest approver that user's own post answers to.
RANK: dict[str, int] = {COMMUNITY_WORKER: 1, STREET_OFFICER: 2, DISTRICT_OFFICER: 3, PLATFORM_ADMIN: 4}

# The subtrees each requesting role may export (the node's level); its scope must also cover the node. A
# community is the smallest whole roster; compounds, resident groups, clusters and buildings are parts of one.
_IN_COMMUNITY = frozenset({"community", "compound", "resident_group", "cluster", "building"})
EXPORTABLE_LEVELS: dict[str, frozenset[str]] = {
    COMMUNITY_WORKER: _IN_COMMUNITY,
    STREET_OFFICER: _IN_COMMUNITY | {"street"},
    DISTRICT_OFFICER: _IN_COMMUNITY | {"street", "district"},
}
ALL_EXPORTABLE_LEVELS = frozenset().union(*EXPORTABLE_LEVELS.values())

# A purpose must say something: "工作需要" (4 characters) does not state why a whole roster is needed.
PURPOSE_MIN_CHARS = 8
PURPOSE_MAX_CHARS = 500
NOTE_MAX_CHARS = 500


def approver_role(requester_role: str) -> str | None:
    """The role that approves a request made in `requester_role` (None: that role may not request)."""
    return APPROVER_OF.get(requester_role)


def may_request(role: str, level: str) -> bool:
    return level in EXPORTABLE_LEVELS.get(role, frozenset())


def senior_most(roles: set[str] | frozenset[str]) -> str | None:
    """Of the requesting roles given, the most senior one (the role the request is made in)."""
    eligible = [r for r in roles if r in REQUESTING_ROLES]
    return max(eligible, key=RANK.__getitem__) if eligible else None


@dataclass(frozen=True)
class Party:
    """Who someone is towards one request: the requester, and/or holder of the approving role over its node."""

    is_requester: bool
    is_approver: bool  # holds approver_role(request role) with a scope covering the node (or is a superuser)


# --- the lifecycle ------------------------------------------------------------------------------------------


class Status(StrEnum):
    REQUESTED = "requested"
    APPROVED = "approved"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"
    DOWNLOADED = "downloaded"


class Action(StrEnum):
    APPROVE = "approve"
    REJECT = "reject"
    WITHDRAW = "withdraw"
    DOWNLOAD = "download"


class Actor(StrEnum):
    REQUESTER = "requester"
    APPROVER = "approver"


@dataclass(frozen=True)
class Transition:
    sources: frozenset[Status]
    target: Status
    actor: Actor
    live_only: bool = False  # refused once the approval has expired


# The one declaration of the process. "downloaded" may be downloaded again while the approval lasts (each time
# is an audit entry); requested → withdrawn only by the requester; nobody approves their own request (guard
# in `allowed`, and a database constraint).
TRANSITIONS: dict[Action, Transition] = {
    Action.APPROVE: Transition(frozenset({Status.REQUESTED}), Status.APPROVED, Actor.APPROVER),
    Action.REJECT: Transition(frozenset({Status.REQUESTED}), Status.REJECTED, Actor.APPROVER),
    Action.WITHDRAW: Transition(frozenset({Status.REQUESTED}), Status.WITHDRAWN, Actor.REQUESTER),
    Action.DOWNLOAD: Transition(
        frozenset({Status.APPROVED, Status.DOWNLOADED}), Status.DOWNLOADED, Actor.REQUESTER, live_only=True
    ),
}
FINAL = frozenset({Status.REJECTED, Status.WITHDRAWN})
AWAITING = Status.REQUESTED


class Refusal(StrEnum):
    """Why an action is refused (the services map these to errors and messages)."""

    NOT_PARTY = "not_party"  # neither requester nor approver: the request is not theirs to see
    WRONG_ACTOR = "wrong_actor"  # a party, but the action belongs to the other side
    OWN_REQUEST = "own_request"
    WRONG_STATE = "wrong_state"
    EXPIRED = "expired"


def is_expired(expires_at: dt.datetime | None, now: dt.datetime) -> bool:
    """An approval is usable up to, not including, `expires_at`."""
    return expires_at is not None and now >= expires_at


def shown_status(status: Status, expires_at: dt.datetime | None, now: dt.datetime) -> str:
    """The status to display: an approval past its time shows as "expired" (not stored: it is just time)."""
    if status in TRANSITIONS[Action.DOWNLOAD].sources and is_expired(expires_at, now):
        return "expired"
    return str(status)


def refusal(
    action: Action, *, status: Status, party: Party, expires_at: dt.datetime | None, now: dt.datetime
) -> Refusal | None:
    """None when `party` may take `action` on a request in `status`; otherwise why not (first reason wins)."""
    if not (party.is_requester or party.is_approver):
        return Refusal.NOT_PARTY
    rule = TRANSITIONS[action]
    if rule.actor == Actor.APPROVER:
        if party.is_requester:  # even when they also hold the approving role (a superuser district officer)
            return Refusal.OWN_REQUEST
        if not party.is_approver:
            return Refusal.WRONG_ACTOR
    elif not party.is_requester:
        return Refusal.WRONG_ACTOR
    if status not in rule.sources:
        return Refusal.WRONG_STATE
    if rule.live_only and is_expired(expires_at, now):
        return Refusal.EXPIRED
    return None


def allowed_actions(
    *, status: Status, party: Party, expires_at: dt.datetime | None, now: dt.datetime
) -> list[Action]:
    """The actions this party may take now, in declaration order (the buttons a page shows)."""
    return [
        a
        for a in TRANSITIONS
        if refusal(a, status=status, party=party, expires_at=expires_at, now=now) is None
    ]


def expiry(decided_at: dt.datetime, valid_days: int) -> dt.datetime:
    """When an approval given at `decided_at` stops allowing downloads (policy `exports.approval_valid_days`)."""
    return decided_at + dt.timedelta(days=valid_days)
