"""The tiered-approval ladder and the request lifecycle (CZ-VI.3), swept exhaustively. Pure: no database."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

from gongzhi.accounts.roles import Role
from gongzhi.exports import approval
from gongzhi.exports.approval import Action, Party, Refusal, Status
from gongzhi.tree.levels import Level

NOW = dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.UTC)
ALL_ROLES = [r.value for r in Role] + [approval.PLATFORM_ADMIN]
PARTIES = [Party(is_requester=a, is_approver=b) for a in (False, True) for b in (False, True)]
EXPIRIES = [None, NOW + dt.timedelta(days=1), NOW, NOW - dt.timedelta(seconds=1)]

# The ladder restated from the clause's reading: each requesting tree role goes one level up.
LADDER = {
    "community_worker": "street_officer",
    "street_officer": "district_officer",
    "district_officer": "platform_admin",
}
IN_COMMUNITY = {"community", "compound", "resident_group", "cluster", "building"}
LEVELS_ALLOWED = {
    "community_worker": IN_COMMUNITY,
    "street_officer": IN_COMMUNITY | {"street"},
    "district_officer": IN_COMMUNITY | {"street", "district"},
}


def test_clause_is_cz_vi_3():
    assert approval.CLAUSE == "CZ-VI.3"


@pytest.mark.parametrize("role", ALL_ROLES)
def test_cz_vi_3_approver_is_one_level_up(role):
    assert approval.approver_role(role) == LADDER.get(role)
    up = approval.approver_role(role)
    if up is not None:
        assert approval.RANK[up] == approval.RANK[role] + 1


def test_cz_vi_3_ladder_ends_with_the_platform_administrator_who_requests_nothing():
    assert approval.approver_role(approval.PLATFORM_ADMIN) is None
    tops = set(approval.APPROVER_OF.values()) - set(approval.APPROVER_OF)
    assert tops == {approval.PLATFORM_ADMIN}


@pytest.mark.parametrize(("role", "level"), list(itertools.product(ALL_ROLES, [lv.value for lv in Level])))
def test_cz_vi_3_who_may_request_which_level(role, level):
    assert approval.may_request(role, level) == (level in LEVELS_ALLOWED.get(role, set()))


def test_no_role_may_export_a_single_stairwell():
    assert "stairwell" not in approval.ALL_EXPORTABLE_LEVELS


def test_senior_most_over_every_subset_of_roles():
    order = ["district_officer", "street_officer", "community_worker"]
    for n in range(len(ALL_ROLES) + 1):
        for combo in itertools.combinations(ALL_ROLES, n):
            ranked = [r for r in order if r in combo]
            assert approval.senior_most(set(combo)) == (ranked[0] if ranked else None), combo


def _expected_allowed(action, status, party, expires_at):
    """The process restated: who may take which step from which state (independent of TRANSITIONS)."""
    live = expires_at is None or expires_at > NOW
    if action in (Action.APPROVE, Action.REJECT):
        return status == Status.REQUESTED and party.is_approver and not party.is_requester
    if action == Action.WITHDRAW:
        return status == Status.REQUESTED and party.is_requester
    return status in (Status.APPROVED, Status.DOWNLOADED) and party.is_requester and live


@pytest.mark.parametrize(
    ("action", "status", "party", "expires_at"), list(itertools.product(Action, Status, PARTIES, EXPIRIES))
)
def test_lifecycle_exhaustive(action, status, party, expires_at):
    refused = approval.refusal(action, status=status, party=party, expires_at=expires_at, now=NOW)
    assert (refused is None) == _expected_allowed(action, status, party, expires_at)
    allowed = approval.allowed_actions(status=status, party=party, expires_at=expires_at, now=NOW)
    assert (action in allowed) == (refused is None)


@pytest.mark.parametrize("status", Status)
@pytest.mark.parametrize("action", Action)
def test_strangers_are_told_nothing_exists(action, status):
    party = Party(is_requester=False, is_approver=False)
    assert approval.refusal(action, status=status, party=party, expires_at=None, now=NOW) == Refusal.NOT_PARTY


@pytest.mark.parametrize("is_approver", [False, True])
@pytest.mark.parametrize("action", [Action.APPROVE, Action.REJECT])
def test_cz_vi_3_nobody_decides_their_own_request(action, is_approver):
    party = Party(is_requester=True, is_approver=is_approver)
    refused = approval.refusal(action, status=Status.REQUESTED, party=party, expires_at=None, now=NOW)
    assert refused == Refusal.OWN_REQUEST


def test_approver_may_not_withdraw_or_download():
    party = Party(is_requester=False, is_approver=True)
    for action, status in ((Action.WITHDRAW, Status.REQUESTED), (Action.DOWNLOAD, Status.APPROVED)):
        refused = approval.refusal(action, status=status, party=party, expires_at=None, now=NOW)
        assert refused == Refusal.WRONG_ACTOR


@pytest.mark.parametrize("status", [Status.APPROVED, Status.DOWNLOADED])
def test_expired_download_refused_at_the_exact_instant(status):
    party = Party(is_requester=True, is_approver=False)
    at = approval.refusal(Action.DOWNLOAD, status=status, party=party, expires_at=NOW, now=NOW)
    before = approval.refusal(
        Action.DOWNLOAD, status=status, party=party, expires_at=NOW + dt.timedelta(microseconds=1), now=NOW
    )
    assert (at, before) == (Refusal.EXPIRED, None)


@pytest.mark.parametrize("status", Status)
def test_shown_status_expired_only_for_usable_approvals(status):
    shown = approval.shown_status(status, NOW - dt.timedelta(days=1), NOW)
    expected = "expired" if status in (Status.APPROVED, Status.DOWNLOADED) else status.value
    assert shown == expected
    assert approval.shown_status(status, NOW + dt.timedelta(days=1), NOW) == status.value


def test_final_states_allow_nothing():
    for status in approval.FINAL:
        for party in PARTIES:
            assert approval.allowed_actions(status=status, party=party, expires_at=None, now=NOW) == []


def test_every_state_is_reachable_from_requested():
    reached = {approval.AWAITING}
    for _ in Status:
        reached |= {t.target for t in approval.TRANSITIONS.values() if t.sources & reached}
    assert reached == set(Status)


def test_expiry_adds_whole_days():
    assert approval.expiry(NOW, 7) == dt.datetime(2026, 3, 8, 12, 0, tzinfo=dt.UTC)
