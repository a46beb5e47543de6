"""Sensitive categories (LAW-PIPL art. 28, §5 #33) only for roles that need them, per the policy pack."""

import datetime as dt

import pytest
from django.test import Client

from gongzhi.accounts import services as accounts
from gongzhi.people import services as people
from gongzhi.people.privacy import person_view_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def resident(actor, small_tree):
    person = people.person_create(
        actor=actor, name="赵六", is_party_member=True, tags=["disabled", "migrant"]
    )
    people.ownership_open(
        actor=actor, dwelling=small_tree["dwellings"][0], person=person, start=dt.date(2020, 1, 1)
    )
    return person


def _client_with(actor, django_user_model, username, role, node):
    user = django_user_model.objects.create_user(username=username, password=None)
    accounts.role_assign(actor=actor, user=user, role=role, node=node, start=dt.date(2025, 1, 1))
    client = Client()
    client.force_login(user)
    return user, client


def test_pure_view_filters_only_sensitive_tags(actor, django_user_model, small_tree):
    user, _ = _client_with(actor, django_user_model, "oc", "owners_committee_member", small_tree["compound"])
    view = person_view_for(user)
    assert view.tags(["disabled", "migrant", "key_person"]) == ["migrant"]
    assert view.party(True) is None
    assert person_view_for(actor).tags(["disabled"]) == ["disabled"]  # administrators see all


def test_owners_committee_member_does_not_see_disability_or_party(
    actor, django_user_model, small_tree, resident
):
    _, client = _client_with(
        actor, django_user_model, "oc", "owners_committee_member", small_tree["compound"]
    )
    body = client.get(f"/api/v1/people/{resident.pk}").json()
    assert body["tags"] == ["migrant"] and body["is_party_member"] is None
    html = client.get(f"/people/{resident.pk}/").content.decode()
    assert "残" not in html and 'id="tags"' in html  # migrant shown, disability not


def test_community_worker_sees_them(actor, django_user_model, small_tree, resident):
    _, client = _client_with(actor, django_user_model, "cw", "community_worker", small_tree["community"])
    body = client.get(f"/api/v1/people/{resident.pk}").json()
    assert body["tags"] == ["disabled", "migrant"] and body["is_party_member"] is True
    listed = client.get("/api/v1/people").json()["items"]
    assert [p["tags"] for p in listed if p["id"] == resident.pk] == [["disabled", "migrant"]]


def test_web_page_shows_disability_to_the_community_worker(actor, django_user_model, small_tree, resident):
    _, client = _client_with(actor, django_user_model, "cw", "community_worker", small_tree["community"])
    html = client.get(f"/people/{resident.pk}/").content.decode()
    assert "残" in html  # the label the owners' committee member must not see


def test_reveal_needs_the_role_and_a_purpose_and_is_audited(actor, django_user_model, small_tree, resident):
    from gongzhi.audit.models import AuditEntry

    people.person_update(actor=actor, person=resident, id_number="11010519491231002X", phone="13812345678")
    _, worker = _client_with(actor, django_user_model, "cw", "community_worker", small_tree["community"])
    _, oc = _client_with(actor, django_user_model, "oc", "owners_committee_member", small_tree["compound"])
    url = f"/api/v1/people/{resident.pk}/reveal"
    assert oc.post(url, {"purpose": "核实身份"}, content_type="application/json").status_code == 403
    assert worker.post(url, {"purpose": " "}, content_type="application/json").status_code == 400
    assert not AuditEntry.objects.filter(action="people.revealed").exists()
    _verify_second_factor(worker)  # a new authenticator, replacing the one its log-in used
    body = worker.post(url, {"purpose": "核实低保申请"}, content_type="application/json").json()
    assert body == {"id_number": "11010519491231002X", "phone": "13812345678"}
    entry = AuditEntry.objects.get(action="people.revealed")
    assert entry.after == {"purpose": "核实低保申请"} and entry.actor.username == "cw"
    html = worker.post(f"/people/{resident.pk}/", {"purpose": "上门核实"}).content.decode()
    assert "11010519491231002X" in html and AuditEntry.objects.filter(action="people.revealed").count() == 2
    assert "11010519491231002X" not in worker.get(f"/people/{resident.pk}/").content.decode()  # masked again


def _verify_second_factor(client):
    """Set up and confirm an authenticator through the security page, as the user would."""
    from django_otp.oath import totp
    from django_otp.plugins.otp_totp.models import TOTPDevice

    client.post("/account/security/", {"action": "start"})
    device = TOTPDevice.objects.filter(confirmed=False).latest("pk")
    response = client.post(
        "/account/security/", {"action": "confirm", "token": f"{totp(device.bin_key):06d}"}
    )
    assert 'id="otp-status"' in response.content.decode()


def test_second_factor_wrong_code_is_refused(actor, django_user_model, small_tree):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    user, client = _client_with(actor, django_user_model, "cw", "community_worker", small_tree["community"])
    confirmed = list(TOTPDevice.objects.filter(user=user, confirmed=True))
    client.post("/account/security/", {"action": "start"})
    response = client.post("/account/security/", {"action": "confirm", "token": "000000x"})
    assert response.status_code == 400
    assert list(TOTPDevice.objects.filter(user=user, confirmed=True)) == confirmed  # the old one stays


def test_a_token_can_never_reveal(actor, small_tree, resident):
    """API tokens cannot carry a verified second factor, so they cannot reveal personal data."""
    from gongzhi.accounts import tokens

    _, plaintext = tokens.api_token_create(actor=actor, name="x")
    response = Client().post(
        f"/api/v1/people/{resident.pk}/reveal",
        {"purpose": "核实身份信息"},
        content_type="application/json",
        headers={"Authorization": f"Bearer {plaintext}"},
    )
    assert response.status_code == 403 and response.json()["code"] == "second_factor_required"
