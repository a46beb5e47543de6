"""The scoped-list benchmark runs end to end on a small tree (its figure is measured by `make bench`)."""

from __future__ import annotations

import pytest

from gongzhi.access.bench import bench_scoped_list

pytestmark = pytest.mark.django_db


def test_bench_scoped_list_reports_a_p95(world):
    result = bench_scoped_list(runs=2)
    assert set(result) == {"scoped_list_p95_ms"} and result["scoped_list_p95_ms"] > 0
