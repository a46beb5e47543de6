"""Export writes the import template: export → import changes nothing, and imports into an empty tree alike.

Exports go through gongzhi.exports (here the operator's path, with full identifiers so the file re-imports);
the watermark band above each sheet's header does not disturb the importer."""

from __future__ import annotations

import pytest
from openpyxl import load_workbook

from gongzhi.exports.services import export_by_operator
from gongzhi.roster.columns import WATERMARK_MARK
from gongzhi.roster.services import roster_import, roster_template
from gongzhi.tree import services as tree

from .conftest import counts

pytestmark = pytest.mark.django_db


PURPOSE = "核对花名册后重新导入（测试）"


def roster_export(*, actor, community, target):
    target.write_bytes(
        export_by_operator(node=community, purpose=PURPOSE, clear_identifiers=True, actor=actor).content
    )


def _rows(path):
    """The data sheets without the watermark bands (first and last row), whose text holds the export time."""
    wb = load_workbook(path, read_only=True)
    return {
        name: [
            tuple(r) for r in wb[name].iter_rows(values_only=True) if not str(r[0]).startswith(WATERMARK_MARK)
        ]
        for name in ("房屋", "人员")
    }


def test_export_then_import_changes_nothing(actor, small_tree, good_file, tmp_path):
    roster_import(actor=actor, source=good_file)
    grid = tree.grid_create(actor=actor, community=small_tree["community"], name="第一网格")
    tree.grid_assign(actor=actor, grid=grid, buildings=[small_tree["building"]])
    out = tmp_path / "export.xlsx"
    roster_export(actor=actor, community=small_tree["community"], target=out)
    before = counts()
    result = roster_import(actor=actor, source=out)
    assert result.ok, [e.message for e in result.errors]
    assert not result.changed
    assert counts() == before


def test_round_trip_reproduces_the_same_file(actor, small_tree, good_file, tmp_path):
    roster_import(actor=actor, source=good_file)
    first, second = tmp_path / "1.xlsx", tmp_path / "2.xlsx"
    roster_export(actor=actor, community=small_tree["community"], target=first)
    roster_import(actor=actor, source=first)
    roster_export(actor=actor, community=small_tree["community"], target=second)
    rows = _rows(first)
    assert rows == _rows(second)
    assert len(rows["房屋"]) == 1 + 6 and len(rows["人员"]) == 1 + 4
    assert rows["人员"][1][:6] == ("330502001001", "锦绣小区", "2幢", "1单元", "101", "王芳")


def test_template_has_instructions_and_headers(tmp_path):
    path = tmp_path / "t.xlsx"
    roster_template(path)
    wb = load_workbook(path, read_only=True)
    assert wb.sheetnames == ["说明", "房屋", "人员"]
    assert next(wb["房屋"].iter_rows(values_only=True))[:5] == (
        "社区代码",
        "小区/居民小组",
        "楼栋",
        "单元",
        "房号",
    )
