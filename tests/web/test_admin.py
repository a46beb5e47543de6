"""The back office: every list renders; saves go through the services and leave audit entries."""

from __future__ import annotations

import pytest

from gongzhi.audit.models import AuditEntry
from gongzhi.tree.models import Node

pytestmark = pytest.mark.django_db

MODELS = [
    "tree/node",
    "tree/grid",
    "tree/dwelling",
    "people/person",
    "people/ownership",
    "people/residency",
    "accounts/account",
    "accounts/roleassignment",
    "bodies/body",
    "policy/policyoverride",
]


@pytest.mark.parametrize("model", MODELS)
def test_changelists_render(admin_client_zh, site, model):
    assert admin_client_zh.get(f"/admin/{model}/").status_code == 200


@pytest.mark.parametrize("model", ["tree/node", "tree/dwelling", "people/person", "bodies/body"])
def test_change_forms_render(admin_client_zh, site, model):
    obj = {
        "tree/node": site["community"],
        "tree/dwelling": site["dwellings"][0],
        "people/person": site["person"],
        "bodies/body": site["committee"],
    }[model]
    assert admin_client_zh.get(f"/admin/{model}/{obj.pk}/change/").status_code == 200


@pytest.mark.parametrize("model", ["people/ownership", "people/residency", "accounts/account"])
def test_audit_relevant_models_are_read_only(admin_client_zh, site, model):
    assert admin_client_zh.get(f"/admin/{model}/add/").status_code == 403


def test_node_add_goes_through_service(admin_client_zh, site):
    response = admin_client_zh.post(
        "/admin/tree/node/add/",
        {
            "name": "2幢",
            "level": "building",
            "code": "",
            "community_kind": "",
            "policy_pack": "",
            "treebeard_position": "first-child",
            "treebeard_ref_node": site["compound"].pk,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    node = Node.objects.get(name="2幢")
    assert Node.objects.get_parent(node) == site["compound"]
    assert AuditEntry.objects.filter(action="tree.node_created", object_id=str(node.pk)).exists()


def test_node_rename_is_audited(admin_client_zh, site):
    node = site["compound"]
    response = admin_client_zh.post(
        f"/admin/tree/node/{node.pk}/change/",
        {
            "name": "锦绣花园",
            "code": "",
            "community_kind": "",
            "policy_pack": "",
            "treebeard_position": "first-child",
            "treebeard_ref_node": site["community"].pk,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    entry = AuditEntry.objects.get(action="tree.node_updated", object_id=str(node.pk))
    assert entry.after["name"] == "锦绣花园"


def test_service_refusal_changes_nothing(admin_client_zh, site):
    response = admin_client_zh.post(
        "/admin/tree/node/add/",
        {
            "name": "错层",
            "level": "stairwell",
            "code": "",
            "community_kind": "",
            "policy_pack": "",
            "treebeard_position": "first-child",
            "treebeard_ref_node": site["street"].pk,
        },
    )
    assert response.status_code == 302
    assert not Node.objects.filter(name="错层").exists()


def test_drag_and_drop_move_refused(admin_client_zh, site):
    response = admin_client_zh.post(
        "/admin/tree/node/move/",
        {"node": site["building"].pk, "target": site["community"].pk, "relation": "child"},
    )
    assert response.status_code == 403
    assert Node.objects.get_parent(Node.objects.get(pk=site["building"].pk)) == site["compound"]


def test_policy_override_added_and_withdrawn_through_services(admin_client_zh, site):
    from gongzhi.policy.models import PolicyOverride

    response = admin_client_zh.post(
        "/admin/policy/policyoverride/add/",
        {
            "node": site["compound"].pk,
            "key": "owners_committee.term_years.max",
            "value": "4",
            "reason": "业主大会议事规则第十条",
        },
    )
    assert response.status_code == 302
    override = PolicyOverride.objects.get(node=site["compound"])
    assert AuditEntry.objects.filter(action="policy.override_set", object_id=str(override.pk)).exists()
    admin_client_zh.post(
        "/admin/policy/policyoverride/", {"action": "withdraw", "_selected_action": [override.pk]}
    )
    override.refresh_from_db()
    assert override.withdrawn_at is not None
    assert AuditEntry.objects.filter(action="policy.override_withdrawn", object_id=str(override.pk)).exists()


def test_dwelling_change_and_grid_move_go_through_services(admin_client_zh, site):
    d = site["dwellings"][1]
    response = admin_client_zh.post(
        f"/admin/tree/dwelling/{d.pk}/change/",
        {
            "number": "201",
            "floor": "2",
            "use": "residential",
            "area": "90.10",
            "area_source": "survey",
            "is_sold": "on",
            "is_delivered": "on",
            "grid": site["grid"].pk,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    d.refresh_from_db()
    assert str(d.area) == "90.10" and d.grid_id == site["grid"].pk
    assert AuditEntry.objects.filter(action="tree.dwelling_updated", object_id=str(d.pk)).exists()
    assert AuditEntry.objects.filter(action="tree.grid_assigned", object_id=str(site["grid"].pk)).count() == 2


def test_person_tags_set_through_service(admin_client_zh, site):
    p = site["person"]
    response = admin_client_zh.post(
        f"/admin/people/person/{p.pk}/change/",
        {
            "name": p.name,
            "gender": p.gender,
            "id_number": p.id_number,
            "birth_date": p.birth_date.isoformat(),
            "phone": p.phone,
            "is_registered_resident": "on",
            "tags-TOTAL_FORMS": "1",
            "tags-INITIAL_FORMS": "0",
            "tags-MIN_NUM_FORMS": "0",
            "tags-MAX_NUM_FORMS": "1000",
            "tags-0-tag": "elderly_alone",
            "tags-0-person": p.pk,
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert list(p.tags.values_list("tag", flat=True)) == ["elderly_alone"]
    assert AuditEntry.objects.filter(action="people.tags_changed", object_id=str(p.pk)).exists()


def test_person_list_masks_numbers(admin_client_zh, site):
    content = admin_client_zh.get("/admin/people/person/").content.decode()
    assert "110105********002X" in content and "11010519491231002X" not in content


def test_body_member_added_through_service(admin_client_zh, site):
    body = site["committee"]
    response = admin_client_zh.post(
        f"/admin/bodies/body/{body.pk}/change/",
        {
            "name": body.name,
            "term_start": "2021-01-01",
            "term_end": "2026-01-01",
            "contract_start": "",
            "contract_end": "",
            "rules_size": "",
            "dissolved_on": "",
            "memberships-TOTAL_FORMS": "1",
            "memberships-INITIAL_FORMS": "1",
            "memberships-MIN_NUM_FORMS": "0",
            "memberships-MAX_NUM_FORMS": "1000",
            "memberships-0-id": body.memberships.get().pk,
            "memberships-0-body": body.pk,
            "new_memberships-TOTAL_FORMS": "1",
            "new_memberships-INITIAL_FORMS": "0",
            "new_memberships-MIN_NUM_FORMS": "0",
            "new_memberships-MAX_NUM_FORMS": "1000",
            "new_memberships-0-person": site["past_owner"].pk,
            "new_memberships-0-position": "member",
            "new_memberships-0-elected_how": "residents_election",
            "new_memberships-0-category": "",
            "new_memberships-0-term_start": "2021-01-01",
            "new_memberships-0-term_end": "",
            "new_memberships-0-body": body.pk,
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert body.memberships.filter(person=site["past_owner"]).exists()
    assert AuditEntry.objects.filter(action="bodies.member_added").count() == 2


def test_staff_without_superuser_cannot_enter_the_back_office(client, django_user_model, site):
    """Workers have is_staff for the web pages; the admin's unscoped tables are for administrators only."""
    worker = django_user_model.objects.create_user(username="staff1", password="pw-staff-123", is_staff=True)
    client.force_login(worker)
    for url in ["/admin/", "/admin/people/person/", f"/admin/people/person/{site['person'].pk}/change/"]:
        response = client.get(url)
        assert response.status_code == 302 and "/admin/login/" in response["Location"]
