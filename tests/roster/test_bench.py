"""The benchmark's workbook is a valid roster (the timing itself runs against PostgreSQL in bench/run.py)."""

from __future__ import annotations

import pytest

from gongzhi.roster.bench import _bench_community, write_bench_workbook
from gongzhi.roster.services import roster_import

pytestmark = pytest.mark.django_db


def test_bench_workbook_imports_cleanly(actor, tmp_path):
    code = _bench_community()
    path = tmp_path / "bench.xlsx"
    write_bench_workbook(path, code, 40)
    result = roster_import(actor=actor, source=path)
    assert result.ok, [e.message for e in result.errors[:3]]
    assert result.counts["dwellings_created"] == 20 and result.counts["residencies_opened"] == 20
    assert not roster_import(actor=actor, source=path).changed
