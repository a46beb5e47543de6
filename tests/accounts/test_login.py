"""Log-in: argon2 hashes in production, lock-out after repeated failures with a clear message."""

import pytest
from django.conf import settings
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_production_hasher_is_argon2():
    # tests/conftest.py swaps in a fast hasher per test; the configured first hasher is what production uses.
    from gongzhi import settings as project_settings

    assert project_settings.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")


def test_login_succeeds(client, django_user_model):
    django_user_model.objects.create_user(username="w", password="right-pass-1")
    response = client.post(reverse("web:login"), {"username": "w", "password": "right-pass-1"})
    assert response.status_code == 302


def test_locked_after_repeated_failures(client, django_user_model):
    django_user_model.objects.create_user(username="w", password="right-pass-1")
    url = reverse("web:login")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert client.post(url, {"username": "w", "password": "wrong"}).status_code == 200
    locked = client.post(url, {"username": "w", "password": "wrong"}, headers={"Accept-Language": "zh-hans"})
    assert locked.status_code == 429
    assert "登录失败次数过多" in locked.content.decode()
    # Even the right password is refused while locked.
    assert client.post(url, {"username": "w", "password": "right-pass-1"}).status_code == 429
    assert "_auth_user_id" not in client.session
