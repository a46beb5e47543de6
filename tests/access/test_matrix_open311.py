"""The permission matrix (matrix.py) swept over the Open311 rows, each role calling with its own api_key.

Same checks as sweep.check_row, in the GeoReport error format: a denial changes nothing; an out-of-scope
object answers byte for byte like a missing one; nothing mentions the out-of-scope world. Without a key the
lists are the board's anonymised cases (tests/open311), so the sweep is about what a key's user reaches.
"""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from django.db import transaction
from django.test import Client
from django.urls import get_resolver

from .matrix import OPEN311_ROWS, Row
from .sweep import MISSING, audit_head, snapshot
from .test_matrix_web import _url_names
from .world import OUT_MARK, ROLES, World

pytestmark = pytest.mark.django_db


@pytest.fixture
def keys(world) -> dict[str, str]:
    from gongzhi.accounts.tokens import api_token_create

    plain = {role: api_token_create(actor=user, name="311")[1] for role, user in world.users.items()}
    world.baseline = snapshot()
    return plain


def _call(world: World, key: str, row: Row, ids: dict[str, int]) -> tuple[int, str, bool]:
    url = row.url.format(**ids)
    with transaction.atomic():
        if row.method == "GET":
            response = Client().get(url + ("&" if "?" in url else "?") + urlencode({"api_key": key}))
            changed = response.status_code >= 400 and audit_head() != world.baseline["audit"]
        else:
            response = Client().post(url, {**(row.payload(ids) if row.payload else {}), "api_key": key})
            changed = response.status_code >= 400 and snapshot() != world.baseline
        transaction.set_rollback(True)
    return response.status_code, response.content.decode(), changed


def _check(world: World, keys: dict[str, str], row: Row) -> list[str]:
    problems = []
    for role in ROLES:
        status, body, changed = _call(world, keys[role], row, world.ids("in"))
        expected = 200 if role in row.allow else 403 if role in row.forbid else 404
        if (status < 400) != (expected == 200) or (expected != 200 and status != expected):
            problems.append(f"{row.method} {row.endpoint} as {role}: {status}, expected {expected}")
            continue
        if changed:
            problems.append(f"{row.method} {row.endpoint} as {role}: denied but data changed")
        if expected != 200 and f'"code": {expected}' not in body:
            problems.append(
                f"{row.method} {row.endpoint} as {role}: not the Open311 error format: {body[:80]}"
            )
        if role != "SU" and OUT_MARK in body:
            problems.append(f"{row.method} {row.endpoint} as {role}: mentions the out-of-scope world")
        if row.has_object and role != "SU":
            out = _call(world, keys[role], row, world.ids("out"))
            missing = _call(world, keys[role], row, {k: MISSING for k in world.ids("out")})
            if out[:2] != missing[:2] or out[0] < 400 or out[2]:
                problems.append(
                    f"{row.method} {row.endpoint} as {role}: out of scope {out[:2]} ≠ missing {missing[:2]}"
                )
    return problems


@pytest.mark.parametrize("endpoint", sorted({r.endpoint for r in OPEN311_ROWS}))
def test_open311_matrix(world, keys, endpoint):
    rows = [r for r in OPEN311_ROWS if r.endpoint == endpoint]
    problems = [p for row in rows for p in _check(world, keys, row)]
    assert not problems, "\n".join(problems)


def test_every_open311_row_names_a_url_and_every_url_has_a_row():
    names = {n for n in _url_names(get_resolver()) if n.startswith("open311:")}
    assert names == {r.endpoint for r in OPEN311_ROWS}


def test_open311_without_a_key_reads_only_and_posts_nothing(world):
    """No key: services and the board's anonymised cases are readable, a POST is refused (403) unwritten."""
    world.baseline = snapshot()
    anonymous = Client()
    for row in OPEN311_ROWS:
        url = row.url.format(**world.ids("in"))
        if row.method == "GET":
            assert anonymous.get(url).status_code == 200, url
        else:
            response = anonymous.post(url, row.payload(world.ids("in")) if row.payload else {})
            assert response.status_code == 403 and snapshot() == world.baseline
    body = anonymous.get("/open311/v2/requests.json").content.decode()
    assert "楼道堆放杂物" not in body and "李居民" not in body  # no description, no name
