"""Personal API tokens: shown once, stored hashed, act as their user, revocable, audited."""

import pytest
from django.test import Client

from gongzhi.accounts import tokens
from gongzhi.accounts.models import ApiToken
from gongzhi.audit.models import AuditEntry
from gongzhi.core.errors import NotFound

pytestmark = pytest.mark.django_db


def bearer(plaintext):
    return {"Authorization": f"Bearer {plaintext}"}


def test_token_is_stored_hashed_and_works(actor, small_tree):
    token, plaintext = tokens.api_token_create(actor=actor, name="统计脚本")
    assert plaintext.startswith("gz_")
    assert not ApiToken.objects.filter(token_hash=plaintext).exists()
    assert plaintext not in str(list(ApiToken.objects.values()))
    response = Client().get(f"/api/v1/nodes/{small_tree['district'].pk}", headers=bearer(plaintext))
    assert response.status_code == 200
    assert AuditEntry.objects.filter(action="accounts.token_created", object_id=str(token.pk)).exists()


def test_token_writes_without_csrf_and_audits_as_its_user(actor, small_tree):
    _, plaintext = tokens.api_token_create(actor=actor, name="导入工具")
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        "/api/v1/nodes",
        {"parent_id": small_tree["community"].pk, "name": "新小区", "level": "compound"},
        content_type="application/json",
        headers=bearer(plaintext),
    )
    assert response.status_code in (200, 201), response.content
    assert (
        AuditEntry.objects.filter(action="tree.node_created", actor=actor).latest("seq").after["name"]
        == "新小区"
    )


def test_revoked_or_unknown_token_is_401(actor, small_tree):
    token, plaintext = tokens.api_token_create(actor=actor, name="x")
    tokens.api_token_revoke(actor=actor, token_id=token.pk)
    for value in (plaintext, "gz_not-a-token", "nonsense"):
        response = Client().get("/api/v1/nodes", headers=bearer(value))
        assert response.status_code == 401
        assert response.json()["code"] == "unauthenticated"


def test_cannot_revoke_another_users_token(actor, django_user_model):
    other = django_user_model.objects.create_user(username="other", password=None)
    token, _ = tokens.api_token_create(actor=other, name="theirs")
    with pytest.raises(NotFound):
        tokens.api_token_revoke(actor=actor, token_id=token.pk)
    token.refresh_from_db()
    assert token.revoked_at is None


def test_token_cannot_mint_tokens(actor):
    _, plaintext = tokens.api_token_create(actor=actor, name="x")
    response = Client().post(
        "/api/v1/tokens", {"name": "more"}, content_type="application/json", headers=bearer(plaintext)
    )
    assert response.status_code == 401
    assert ApiToken.objects.count() == 1


def test_session_user_creates_lists_and_revokes(client, actor):
    client.force_login(actor)
    created = client.post("/api/v1/tokens", {"name": "手机"}, content_type="application/json")
    assert created.status_code == 201
    body = created.json()
    assert body["token"].startswith(body["prefix"])
    listed = client.get("/api/v1/tokens").json()
    assert [t["name"] for t in listed] == ["手机"] and "token" not in listed[0]
    revoked = client.post(f"/api/v1/tokens/{body['id']}/revoke")
    assert revoked.json()["revoked_at"] is not None


def test_tokens_page_shows_plaintext_once_and_revokes(client, actor):
    client.force_login(actor)
    page = client.post("/account/tokens/", {"name": "楼道长小程序"})
    token = ApiToken.objects.get()
    html = page.content.decode()
    assert page.status_code == 200 and token.prefix in html
    shown = html.split('id="new-token">')[1].split("<")[0]
    assert tokens.api_token_user(shown) == actor
    again = client.get("/account/tokens/").content.decode()
    assert shown not in again and token.prefix in again
    client.post("/account/tokens/", {"revoke": token.pk})
    assert tokens.api_token_user(shown) is None


def test_tokens_page_rejects_empty_name(client, actor):
    client.force_login(actor)
    response = client.post("/account/tokens/", {"name": "  "})
    assert response.status_code == 400
    assert not ApiToken.objects.exists()


def test_last_used_is_collected_and_written_per_minute(actor, small_tree, django_assert_max_num_queries):
    """A token's "last used" is bookkeeping: the request does not write it; the process writes the collected
    times every TOUCH_FLUSH_SECONDS, one statement per minute (tokens._touch)."""
    tokens.flush_token_touches()
    first, one = tokens.api_token_create(actor=actor, name="a")
    second, two = tokens.api_token_create(actor=actor, name="b")
    url = f"/api/v1/nodes/{small_tree['district'].pk}"
    for plaintext in (one, two, one):
        assert Client().get(url, headers=bearer(plaintext)).status_code == 200
    assert set(
        ApiToken.objects.filter(pk__in=[first.pk, second.pk]).values_list("last_used_at", flat=True)
    ) == {None}
    with django_assert_max_num_queries(2):  # one per minute the uses fall in
        assert tokens.flush_token_touches() == 2
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.last_used_at is not None and second.last_used_at is not None
    assert tokens.flush_token_touches() == 0


def test_last_used_is_written_by_the_request_once_the_flush_is_due(actor, small_tree, monkeypatch):
    tokens.flush_token_touches()
    token, plaintext = tokens.api_token_create(actor=actor, name="a")
    monkeypatch.setattr(tokens, "_flushed_at", [tokens.time.monotonic() - tokens.TOUCH_FLUSH_SECONDS])
    assert (
        Client().get(f"/api/v1/nodes/{small_tree['district'].pk}", headers=bearer(plaintext)).status_code
        == 200
    )
    token.refresh_from_db()
    assert token.last_used_at is not None
    # Used again within the minute: nothing to write.
    assert (
        Client().get(f"/api/v1/nodes/{small_tree['district'].pk}", headers=bearer(plaintext)).status_code
        == 200
    )
    assert tokens.flush_token_touches() == 0
