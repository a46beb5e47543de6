"""The TOTP second factor at log-in (issue 3 §4): required for roles that may reveal personal data (the pack's
`privacy.reveal.roles`), optional for other staff; nothing works until it is passed; throttled and audited.

These tests log in through the log-in page (the password step), never with force_login (see tests/conftest.py).
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from gongzhi.accounts import services as accounts
from gongzhi.accounts import tokens
from gongzhi.accounts.models import ApiToken
from gongzhi.accounts.two_factor import second_factor_required, totp_setup_start
from gongzhi.audit.models import AuditEntry
from gongzhi.core.errors import Forbidden

pytestmark = pytest.mark.django_db
START = dt.date(2025, 1, 1)
PASSWORD = "pw-second-factor-1"


def _user(actor, username, role, **scope):
    user = accounts.user_create(actor=actor, username=username, password=PASSWORD)
    accounts.role_assign(actor=actor, user=user, role=role, start=START, **scope)
    return user


@pytest.fixture
def worker(actor, small_tree):
    """A community worker: the national pack lets this role reveal, so a second factor is required."""
    return _user(actor, "cw", "community_worker", node=small_tree["community"])


@pytest.fixture
def device(worker):
    return TOTPDevice.objects.create(user=worker, name="phone", confirmed=True)


def _log_in(client, username, **headers):
    response = client.post(
        reverse("web:login"), {"username": username, "password": PASSWORD}, headers=headers
    )
    assert response.status_code == 302, response.content
    return client.get(response["Location"], headers=headers)


def _code(device):
    return f"{totp(device.bin_key):06d}"


def test_reveal_roles_require_it_others_do_not(actor, worker, small_tree):
    leader = _user(actor, "bl", "building_leader", node=small_tree["building"])
    assert second_factor_required(worker) and second_factor_required(actor)  # superusers may reveal
    assert not second_factor_required(leader)


def test_after_the_password_only_the_code_page_opens(client, worker, device, small_tree):
    response = _log_in(client, "cw")
    assert response.status_code == 302 and response["Location"].startswith(reverse("web:second_factor"))
    page = client.get(response["Location"])
    assert page.status_code == 200 and 'id="otp-verify"' in page.content.decode()
    for url in (
        "/",
        f"/tree/{small_tree['community'].pk}/",
        "/account/tokens/",
        "/account/security/",
        "/admin/",
    ):
        assert client.get(url).status_code == 302, url
    assert client.get(f"/tree/{small_tree['community'].pk}/")["Location"] == (
        f"/account/verify/?next=%2Ftree%2F{small_tree['community'].pk}%2F"
    )


def zh(msgid):
    from django.utils import translation

    with translation.override("zh-hans"):
        return translation.gettext(msgid)


def test_the_api_session_answers_json_until_the_code_is_entered(client, worker, device):
    _log_in(client, "cw")
    response = client.get("/api/v1/nodes")
    assert response.status_code == 403
    assert response.json()["code"] == "second_factor_required"
    assert (
        response.json()["message"]
        != "Enter your authenticator code on the web site first (or set up an authenticator)."
    )
    assert response.json()["message"] == zh(
        "Enter your authenticator code on the web site first (or set up an authenticator)."
    )
    created = client.post("/api/v1/tokens", {"name": "x"}, content_type="application/json")
    assert created.status_code == 403 and not ApiToken.objects.exists()  # a password alone mints no token


def test_right_code_opens_the_session_and_is_audited(client, worker, device, small_tree):
    _log_in(client, "cw")
    url = f"/tree/{small_tree['community'].pk}/"
    response = client.post(reverse("web:second_factor"), {"token": _code(device), "next": url})
    assert response.status_code == 302 and response["Location"] == url
    assert client.get(url).status_code == 200
    assert client.get("/api/v1/nodes").status_code == 200
    entry = AuditEntry.objects.get(action="accounts.second_factor_verified")
    assert entry.actor == worker and entry.object_id == str(device.pk)


def test_next_may_not_leave_the_site(client, worker, device):
    _log_in(client, "cw")
    response = client.post(
        reverse("web:second_factor"), {"token": _code(device), "next": "https://evil.example"}
    )
    assert response["Location"] == reverse("web:home")


def test_wrong_codes_are_refused_throttled_and_audited(client, worker, device):
    _log_in(client, "cw")
    url = reverse("web:second_factor")
    wrong = client.post(url, {"token": "000000"}, headers={"Accept-Language": "en"})
    assert wrong.status_code == 400
    assert "That code is not right." in wrong.content.decode()
    # At once the right code is refused too: django-otp waits 1, 2, 4, … s after each failure.
    throttled = client.post(url, {"token": _code(device)}, headers={"Accept-Language": "zh-hans"})
    assert throttled.status_code == 429
    assert "错误次数过多" in throttled.content.decode()
    assert client.get("/").status_code == 302  # still not in
    actions = list(AuditEntry.objects.filter(actor=worker).order_by("seq").values_list("action", flat=True))
    assert actions[-2:] == ["accounts.second_factor_failed", "accounts.second_factor_throttled"]
    TOTPDevice.objects.filter(pk=device.pk).update(
        throttling_failure_timestamp=timezone.now() - dt.timedelta(minutes=1)
    )
    assert client.post(url, {"token": _code(device)}).status_code == 302
    assert client.get("/").status_code == 200


def test_without_an_authenticator_the_security_page_until_one_is_set_up(client, worker, small_tree):
    response = _log_in(client, "cw")
    assert response.status_code == 302 and response["Location"].startswith(reverse("web:security"))
    page = client.get(reverse("web:security")).content.decode()
    assert 'id="otp-required"' in page
    assert client.get(f"/tree/{small_tree['community'].pk}/").status_code == 302
    assert client.get("/api/v1/nodes").status_code == 403
    client.post(reverse("web:security"), {"action": "start"})
    pending = TOTPDevice.objects.get(user=worker, confirmed=False)
    done = client.post(reverse("web:security"), {"action": "confirm", "token": _code(pending)})
    assert 'id="otp-status"' in done.content.decode()
    assert client.get(f"/tree/{small_tree['community'].pk}/").status_code == 200


def test_other_staff_and_residents_need_none(client, actor, small_tree):
    _user(actor, "bl", "building_leader", node=small_tree["building"])
    assert _log_in(client, "bl").status_code == 200


def test_optional_authenticator_is_asked_for_too(client, actor, small_tree):
    leader = _user(actor, "bl", "building_leader", node=small_tree["building"])
    TOTPDevice.objects.create(user=leader, name="phone", confirmed=True)
    response = _log_in(client, "bl")
    assert response["Location"].startswith(reverse("web:second_factor"))


def test_log_out_stays_possible(client, worker, device):
    _log_in(client, "cw")
    assert client.post(reverse("web:logout")).status_code == 302
    assert "_auth_user_id" not in client.session


def test_an_unverified_session_cannot_replace_the_authenticator(client, worker, device):
    _log_in(client, "cw")
    client.post(reverse("web:security"), {"action": "start"})
    assert not TOTPDevice.objects.filter(user=worker, confirmed=False).exists()
    with pytest.raises(Forbidden):
        totp_setup_start(actor=worker, verified=False)
    assert list(TOTPDevice.objects.filter(user=worker)) == [device]


def test_personal_tokens_do_not_depend_on_the_session(client, worker, device):
    """A token acts without any session; it was created from a verified session, and can never reveal."""
    _, plaintext = tokens.api_token_create(actor=worker, name="script")
    response = client.get("/api/v1/nodes", headers={"Authorization": f"Bearer {plaintext}"})
    assert response.status_code == 200
