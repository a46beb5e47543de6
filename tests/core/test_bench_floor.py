"""The benchmark's floor view (gongzhi.core.bench_floor) is served only when GONGZHI_BENCH_FLOOR is set."""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test import RequestFactory

from gongzhi.core.bench_floor import FLOOR_TABLE_SQL, floor

pytestmark = pytest.mark.django_db


def test_not_mounted_unless_the_benchmark_asks(client, settings):
    assert settings.GONGZHI_BENCH_FLOOR is False
    assert client.post("/bench/floor", "{}", content_type="application/json").status_code == 404


def test_inserts_one_row_per_post():
    if connection.vendor != "postgresql":
        pytest.skip(
            "PostgreSQL only: the floor table is PostgreSQL DDL, as the benchmark runs there (SQLite run)"
        )
    with connection.cursor() as cur:
        cur.execute(FLOOR_TABLE_SQL)
        cur.execute("SELECT count(*) FROM bench_floor")
        (before,) = cur.fetchone()
    response = floor(RequestFactory().post("/bench/floor", '{"a": 1}', content_type="application/json"))
    assert response.status_code == 201 and json.loads(response.content)["id"] > 0
    with connection.cursor() as cur:
        cur.execute("SELECT count(*), max(body) FROM bench_floor")
        assert cur.fetchone() == (before + 1, '{"a": 1}')
    assert floor(RequestFactory().get("/bench/floor")).status_code == 405
