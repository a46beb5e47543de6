"""Export services: each transition, its audit entry, and refusals that change nothing (CZ-VI.3)."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from gongzhi.accounts.models import RoleAssignment
from gongzhi.audit.models import AuditEntry
from gongzhi.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from gongzhi.exports import selectors, services
from gongzhi.exports.models import ExportRequest
from gongzhi.policy.services import policy_override_set

from .conftest import PURPOSE, actions, give, make_user, state, verified

pytestmark = pytest.mark.django_db


# --- request ----------------------------------------------------------------------------------------------


def test_worker_requests_their_community(worker, small_tree):
    before = AuditEntry.objects.count()
    r = services.export_request_create(actor=worker, node=small_tree["community"], purpose=PURPOSE)
    assert (r.status, r.requester_role, r.requester_id, r.clear_identifiers) == (
        "requested",
        "community_worker",
        worker.pk,
        False,
    )
    entry = AuditEntry.objects.get(action="exports.requested")
    assert AuditEntry.objects.count() == before + 1
    assert entry.actor_id == worker.pk and entry.object_id == str(r.pk)
    assert entry.after["purpose"] == PURPOSE and entry.after["approver_role"] == "street_officer"
    assert entry.node_path == small_tree["community"].path


@pytest.mark.parametrize("level", ["compound", "building"])
def test_worker_may_request_part_of_their_community(worker, small_tree, level):
    r = services.export_request_create(actor=worker, node=small_tree[level], purpose=PURPOSE)
    assert r.node == small_tree[level]


def test_stairwell_cannot_be_exported_alone(worker, small_tree):
    before = state()
    with pytest.raises(InvalidInput) as exc:
        services.export_request_create(actor=worker, node=small_tree["stairwell"], purpose=PURPOSE)
    assert exc.value.code == "level_not_exportable" and state() == before


def test_worker_may_not_request_the_street(worker, small_tree):
    """The street is above the worker's scope: as if it did not exist."""
    before = state()
    with pytest.raises(NotFound):
        services.export_request_create(actor=worker, node=small_tree["street"], purpose=PURPOSE)
    assert state() == before


def test_out_of_scope_community_is_not_found(worker, other_street):
    before = state()
    with pytest.raises(NotFound) as exc:
        services.export_request_create(actor=worker, node=other_street["community"], purpose=PURPOSE)
    assert exc.value.code == "not_found" and state() == before


def test_role_that_may_not_export_is_forbidden(leader, small_tree):
    before = state()
    with pytest.raises(Forbidden) as exc:
        services.export_request_create(actor=leader, node=small_tree["building"], purpose=PURPOSE)
    assert exc.value.code == "role_may_not_export" and state() == before


def test_grid_worker_does_not_see_the_community_as_a_unit(actor, small_tree, django_user_model):
    """A grid worker's reach is their grid's homes, not the community node (gongzhi.access): as if missing."""
    from gongzhi.accounts import services as accounts
    from gongzhi.tree import services as tree

    grid = tree.grid_create(actor=actor, community=small_tree["community"], name="第一网格")
    user = make_user(django_user_model, "gridder")
    accounts.role_assign(actor=actor, user=user, role="grid_worker", start=dt.date(2025, 1, 1), grid=grid)
    before = state()
    with pytest.raises(NotFound):
        services.export_request_create(actor=user, node=small_tree["community"], purpose=PURPOSE)
    assert state() == before


def test_superuser_requests_through_the_operator_command_not_the_ladder(actor, small_tree):
    before = state()
    with pytest.raises(Forbidden):
        services.export_request_create(actor=actor, node=small_tree["community"], purpose=PURPOSE)
    assert state() == before


@pytest.mark.parametrize("purpose", ["", "   ", "工作需要", "x" * 501])
def test_purpose_is_required_and_bounded(worker, small_tree, purpose):
    before = state()
    with pytest.raises(InvalidInput) as exc:
        services.export_request_create(actor=worker, node=small_tree["community"], purpose=purpose)
    assert exc.value.code in ("purpose_required", "purpose_too_long") and state() == before


def test_ended_role_may_not_request(actor, worker, small_tree):
    RoleAssignment.objects.filter(user=worker).update(end=dt.date(2025, 6, 30))
    with pytest.raises(NotFound):
        services.export_request_create(actor=worker, node=small_tree["community"], purpose=PURPOSE)


def test_street_officer_requests_the_whole_street(street_officer, small_tree):
    r = services.export_request_create(actor=street_officer, node=small_tree["street"], purpose=PURPOSE)
    assert r.requester_role == "street_officer"


def test_user_with_two_roles_requests_in_the_senior_one(actor, worker, small_tree):
    give(actor, worker, "street_officer", small_tree["street"])
    r = services.export_request_create(actor=worker, node=small_tree["community"], purpose=PURPOSE)
    assert r.requester_role == "street_officer"


# --- approve / reject / withdraw --------------------------------------------------------------------------


def test_street_officer_approves_a_community_workers_request(requested, street_officer):
    r = services.export_request_approve(actor=street_officer, request=requested, note="同意")
    assert r.status == "approved" and r.approver == street_officer
    assert r.expires_at == r.decided_at + dt.timedelta(days=7)  # national pack default
    entry = AuditEntry.objects.get(action="exports.approved")
    assert entry.before == {"status": "requested"} and entry.after["valid_days"] == 7
    assert actions(r) == ["exports.requested", "exports.approved"]


def test_validity_follows_a_local_policy_override(actor, worker, street_officer, small_tree):
    policy_override_set(
        actor=actor,
        node=small_tree["street"],
        key="exports.approval_valid_days",
        value=2,
        reason="街道从严管理",
    )
    r = services.export_request_create(actor=worker, node=small_tree["community"], purpose=PURPOSE)
    r = services.export_request_approve(actor=street_officer, request=r)
    assert r.expires_at - r.decided_at == dt.timedelta(days=2)


@pytest.mark.parametrize("who", ["district_officer", "other_street_officer", "leader", "actor"])
def test_only_the_role_one_level_up_approves(requested, who, request):
    """A district officer is two levels up, a street officer elsewhere out of scope, a superuser off the rung."""
    user = request.getfixturevalue(who)
    before = state()
    with pytest.raises(NotFound):
        services.export_request_approve(actor=user, request=requested)
    assert state() == before


def test_street_request_is_approved_by_the_district(street_officer, district_officer, small_tree):
    r = services.export_request_create(actor=street_officer, node=small_tree["street"], purpose=PURPOSE)
    r = services.export_request_approve(actor=district_officer, request=r)
    assert r.status == "approved"


def test_district_request_is_approved_by_a_superuser(actor, district_officer, small_tree):
    r = services.export_request_create(actor=district_officer, node=small_tree["district"], purpose=PURPOSE)
    r = services.export_request_approve(actor=actor, request=r)
    assert r.approver == actor


def test_nobody_approves_their_own_request(actor, small_tree, django_user_model):
    """A superuser who also holds a district role: their request climbs to the platform administrator, which
    they are, and still they may not decide it."""
    boss = make_user(django_user_model, "boss", is_superuser=True)
    give(actor, boss, "district_officer", small_tree["district"])
    r = services.export_request_create(actor=boss, node=small_tree["district"], purpose=PURPOSE)
    before = state()
    for step in (services.export_request_approve, services.export_request_reject):
        with pytest.raises(Forbidden) as exc:
            step(actor=boss, request=r, note="自己批")
        assert exc.value.code == "own_request"
    assert state() == before


def test_database_refuses_a_self_decided_request(requested, worker):
    with pytest.raises(IntegrityError), transaction.atomic():
        ExportRequest.objects.filter(pk=requested.pk).update(
            status="rejected", approver=worker, decided_at=timezone.now()
        )


def test_reject_needs_a_note(requested, street_officer):
    before = state()
    with pytest.raises(InvalidInput) as exc:
        services.export_request_reject(actor=street_officer, request=requested, note="  ")
    assert exc.value.code == "note_required" and state() == before
    r = services.export_request_reject(actor=street_officer, request=requested, note="用途不明确")
    assert (r.status, r.decision_note, r.expires_at) == ("rejected", "用途不明确", None)
    assert actions(r)[-1] == "exports.rejected"


def test_requester_withdraws_while_waiting(requested, worker, street_officer):
    with pytest.raises(Forbidden):
        services.export_request_withdraw(actor=street_officer, request=requested)
    r = services.export_request_withdraw(actor=worker, request=requested)
    assert r.status == "withdrawn" and r.approver is None and r.decided_at is not None
    assert actions(r)[-1] == "exports.withdrawn"


@pytest.mark.parametrize("step", ["approve", "reject", "withdraw"])
def test_decided_request_cannot_be_decided_again(approved, worker, street_officer, step):
    before = state()
    with pytest.raises(Conflict) as exc:
        if step == "withdraw":
            services.export_request_withdraw(actor=worker, request=approved)
        else:
            getattr(services, f"export_request_{step}")(actor=street_officer, request=approved, note="再议")
    assert exc.value.code == "wrong_state" and state() == before


# --- download ---------------------------------------------------------------------------------------------


def test_download_before_approval_is_refused(requested, worker):
    before = state()
    with pytest.raises(Conflict):
        services.export_download(actor=worker, request=requested)
    assert state() == before


def test_only_the_requester_downloads(approved, street_officer, other_street_officer):
    before = state()
    with pytest.raises(Forbidden):
        services.export_download(actor=street_officer, request=approved)
    with pytest.raises(NotFound):
        services.export_download(actor=other_street_officer, request=approved)
    assert state() == before


def test_download_counts_and_audits_each_time(approved, worker):
    first = services.export_download(actor=worker, request=approved)
    second = services.export_download(actor=worker, request=approved)
    approved.refresh_from_db()
    assert approved.status == "downloaded" and approved.download_count == 2
    assert first.content[:2] == b"PK" and approved.last_downloaded_at is not None
    entries = AuditEntry.objects.filter(action="exports.downloaded").order_by("seq")
    assert [e.after["downloads"] for e in entries] == [1, 2]
    assert [e.after["sha256"] for e in entries] == [
        hashlib.sha256(first.content).hexdigest(),
        hashlib.sha256(second.content).hexdigest(),
    ]
    assert entries[0].after["dwellings"] == 3 and entries[0].after["people"] == 2


def test_expired_approval_is_refused(approved, worker):
    ExportRequest.objects.filter(pk=approved.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    before = state()
    with pytest.raises(Conflict) as exc:
        services.export_download(actor=worker, request=approved)
    assert exc.value.code == "approval_expired" and state() == before


def test_requester_who_left_the_post_may_not_download(approved, worker):
    RoleAssignment.objects.filter(user=worker).update(end=timezone.localdate() - dt.timedelta(days=1))
    before = state()
    with pytest.raises(Forbidden) as exc:
        services.export_download(actor=worker, request=approved)
    assert exc.value.code == "role_no_longer_held" and state() == before


def test_clear_identifiers_need_the_second_factor(worker, street_officer, small_tree, residents):
    r = services.export_request_create(
        actor=worker, node=small_tree["community"], purpose=PURPOSE, clear_identifiers=True
    )
    r = services.export_request_approve(actor=street_officer, request=r)
    before = state()
    with pytest.raises(Forbidden) as exc:
        services.export_download(actor=worker, request=r)
    assert exc.value.code == "second_factor_required" and state() == before
    made = services.export_download(actor=verified(worker), request=r)
    assert made.counts["people"] == 2


# --- reads ------------------------------------------------------------------------------------------------


def test_lists_and_access(requested, worker, street_officer, district_officer, other_street_officer):
    assert list(selectors.requests_of(worker)) == [requested]
    assert list(selectors.requests_awaiting(street_officer)) == [requested]
    assert list(selectors.requests_awaiting(worker)) == []
    assert list(selectors.requests_awaiting(district_officer)) == []
    assert list(selectors.requests_awaiting(other_street_officer)) == []
    assert selectors.request_get_for(street_officer, requested.pk) == requested
    for stranger in (district_officer, other_street_officer):
        with pytest.raises(NotFound):
            selectors.request_get_for(stranger, requested.pk)
    with pytest.raises(NotFound):
        selectors.request_get_for(worker, requested.pk + 1000)


def test_decider_still_sees_a_request_after_leaving_the_post(approved, street_officer):
    RoleAssignment.objects.filter(user=street_officer).update(end=timezone.localdate() - dt.timedelta(days=1))
    assert selectors.request_get_for(street_officer, approved.pk) == approved
    assert list(selectors.requests_decided_by(street_officer)) == [approved]


def test_cz_vi_3_validity_is_a_delegable_product_default_in_the_national_pack():
    from gongzhi.policy.packs import pack_policy

    value = pack_policy("").get("exports.approval_valid_days")
    assert value is not None and value.value == 7
    assert (value.clause, value.force, value.delegable) == ("CZ-VI.3", "default", True)


def test_cz_vi_3_whole_lifecycle_is_traced_in_the_chained_audit_trail(approved, worker, small_tree):
    """Accountability tracing: who asked, who approved, each download, in order, on the unit's path, and the
    hash chain still verifies."""
    from gongzhi.audit.selectors import audit_verify

    services.export_download(actor=worker, request=approved)
    services.export_download(actor=worker, request=approved)
    entries = list(
        AuditEntry.objects.filter(object_type="exports.exportrequest", object_id=str(approved.pk)).order_by(
            "seq"
        )
    )
    assert [(e.action, e.actor.username) for e in entries] == [
        ("exports.requested", "worker"),
        ("exports.approved", "street"),
        ("exports.downloaded", "worker"),
        ("exports.downloaded", "worker"),
    ]
    assert {e.node_path for e in entries} == {small_tree["community"].path}
    assert all(e.object_repr == approved.number for e in entries)
    checked, broken = audit_verify()
    assert broken is None and checked >= len(entries)
