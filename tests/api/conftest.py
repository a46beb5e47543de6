"""API fixtures: a logged-in superuser client, a community worker, a read-only building leader and a
second community that is out of the worker's scope."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.utils import translation

from gongzhi.accounts import services as accounts
from gongzhi.audit.models import AuditEntry
from gongzhi.tree import services as tree

START = dt.date(2025, 1, 1)


class Api:
    """A test client speaking JSON to /api/v1/."""

    def __init__(self, client: Client, lang: str | None = None):
        self.client = client
        self.headers = {"Accept-Language": lang} if lang else {}

    def get(self, url: str, **params: Any) -> Any:
        return self.client.get(f"/api/v1{url}", params, headers=self.headers)

    def post(self, url: str, data: Any = None, *, lang: str | None = None) -> Any:
        return self._send("post", url, data, lang)

    def patch(self, url: str, data: Any = None, *, lang: str | None = None) -> Any:
        return self._send("patch", url, data, lang)

    def _send(self, method: str, url: str, data: Any, lang: str | None) -> Any:
        headers = {"Accept-Language": lang} if lang else self.headers
        return getattr(self.client, method)(
            f"/api/v1{url}",
            data if data is not None else {},
            content_type="application/json",
            headers=headers,
        )


def api_for(user: Any) -> Api:
    client = Client()
    client.force_login(user)
    return Api(client)


@pytest.fixture
def api(actor):
    return api_for(actor)


@pytest.fixture
def anon():
    return Api(Client())


@pytest.fixture
def other_community(actor, small_tree):
    """A second community (with one dwelling) under the same street."""
    c = tree.node_create(
        actor=actor, parent=small_tree["street"], name="潮音社区", level="community", code="330502001002"
    )
    k = tree.node_create(actor=actor, parent=c, name="潮音小区", level="compound")
    b = tree.node_create(actor=actor, parent=k, name="9幢", level="building")
    w = tree.node_create(actor=actor, parent=b, name="1单元", level="stairwell")
    d = tree.dwelling_create(actor=actor, stairwell=w, number="901", area="70.00")
    return {"community": c, "compound": k, "building": b, "stairwell": w, "dwelling": d}


def _user(django_user_model: Any, username: str) -> Any:
    # No password: the client logs in with force_login, and hashing (PBKDF2) would dominate the run time.
    return django_user_model.objects.create_user(username=username, password=None)


@pytest.fixture
def actor(django_user_model):
    """The shared superuser, without a password hash (see _user)."""
    return django_user_model.objects.create_user(
        username="admin", password=None, is_staff=True, is_superuser=True
    )


@pytest.fixture
def worker(actor, small_tree, django_user_model):
    user = _user(django_user_model, "worker")
    accounts.role_assign(
        actor=actor, user=user, role="community_worker", start=START, node=small_tree["community"]
    )
    return user


@pytest.fixture
def worker_api(worker):
    return api_for(worker)


@pytest.fixture
def leader(actor, small_tree, django_user_model):
    """A building leader: sees the building, may not change it."""
    user = _user(django_user_model, "leader")
    accounts.role_assign(
        actor=actor, user=user, role="building_leader", start=START, node=small_tree["building"]
    )
    return user


@pytest.fixture
def leader_api(leader):
    return api_for(leader)


def _assert_error(response: Any, code: str) -> dict[str, Any]:
    """The response is our JSON error with `code`; returns the body."""
    assert response["Content-Type"].startswith("application/json"), response.content
    body: dict[str, Any] = response.json()
    assert set(body) == {"code", "message", "details"}, body
    assert body["code"] == code, body
    assert isinstance(body["message"], str) and body["message"]
    return body


@pytest.fixture
def assert_error():
    return _assert_error


@pytest.fixture
def audit_count():
    return lambda: AuditEntry.objects.count()


def _zh(msgid: str) -> str:
    """The Simplified Chinese text of `msgid`, which must have one (the API's default language)."""
    with translation.override("zh-hans"):
        text = translation.gettext(msgid)
    assert text != msgid, f"no Chinese translation for {msgid!r}"
    return text


@pytest.fixture
def zh():
    return _zh
