"""Open311 test helpers: the appeal tests' city worlds, a personal API token per user, and request helpers."""

from __future__ import annotations

import json
from typing import Any
from xml.etree import ElementTree as ET

import pytest
from django.test import Client

BASE = "/open311/v2"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def key_of(user: Any) -> str:
    from gongzhi.accounts.tokens import api_token_create

    return api_token_create(actor=user, name="311 client")[1]


def get(path: str, **params: Any) -> Any:
    return Client().get(f"{BASE}/{path}", params)


def get_json(path: str, **params: Any) -> Any:
    response = get(path, **params)
    assert response["Content-Type"].startswith("application/json"), response.content
    return response.status_code, json.loads(response.content)


def get_xml(path: str, **params: Any) -> Any:
    response = get(path, **params)
    assert response["Content-Type"].startswith("text/xml"), response.content
    return response.status_code, ET.fromstring(response.content)


def post(fmt: str = "json", **data: Any) -> Any:
    return Client().post(f"{BASE}/requests.{fmt}", data)


def post_json_body(data: dict[str, Any]) -> Any:
    return Client().post(f"{BASE}/requests.json", json.dumps(data), content_type="application/json")


def counts() -> dict[str, int]:
    """Every table a submission writes: a refusal leaves them all as they were."""
    from gongzhi.appeals.models import Appeal, AppealEvent, AppealPhoto
    from gongzhi.audit.models import AuditEntry
    from gongzhi.notices.models import Notice

    return {m.__name__: m.objects.count() for m in (Appeal, AppealEvent, AppealPhoto, Notice, AuditEntry)}
