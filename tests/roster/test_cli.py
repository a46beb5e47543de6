"""`gongzhi import-roster` and `gongzhi export-roster`."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from .conftest import counts, dwelling, write_xlsx

pytestmark = pytest.mark.django_db


def test_import_then_again_then_export(capsys, actor, small_tree, good_file, tmp_path):
    call_command("import-roster", str(good_file), "--as-user", "admin", "--no-progress")
    assert "dwellings_created=3" in capsys.readouterr().out
    call_command("import-roster", str(good_file), "--no-progress")
    assert "no changes" in capsys.readouterr().out
    out = tmp_path / "out.xlsx"
    call_command("export-roster", "--community", "330502001001", "--purpose", "年度花名册核对备份", str(out))
    assert out.read_bytes()[:2] == b"PK"


def test_export_needs_a_purpose_is_audited_and_watermarked(capsys, actor, small_tree, good_file, tmp_path):
    from openpyxl import load_workbook

    from gongzhi.audit.models import AuditEntry
    from gongzhi.exports.watermark import OPERATOR
    from gongzhi.roster.columns import WATERMARK_MARK

    call_command("import-roster", str(good_file), "--no-progress")
    out = tmp_path / "out.xlsx"
    with pytest.raises(CommandError, match="purpose|用途"):
        call_command("export-roster", "--community", "330502001001", "--purpose", "备份", str(out))
    assert not out.exists() and not AuditEntry.objects.filter(action__startswith="exports.").exists()
    call_command(
        "export-roster",
        "--community",
        "330502001001",
        "--purpose",
        "年度花名册核对备份",
        "--as-user",
        "admin",
        str(out),
    )
    entry = AuditEntry.objects.get(action="exports.operator_exported")
    assert entry.actor == actor and entry.after["purpose"] == "年度花名册核对备份"
    assert entry.after["sha256"] in capsys.readouterr().out
    wb = load_workbook(out)
    for ws in wb.worksheets:
        assert ws["A1"].value.startswith(WATERMARK_MARK) and OPERATOR in ws["A1"].value
    people = list(wb["人员"].iter_rows(min_row=3, values_only=True))
    assert people and all("*" in (row[6] or "*") for row in people)  # ID numbers masked by default


def test_invalid_file_fails_with_report_on_stderr(capsys, small_tree, tmp_path):
    path = write_xlsx(tmp_path / "bad.xlsx", [dwelling(area="abc")], [])
    before = counts()
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import-roster", str(path), "--no-progress")
    assert "房屋\t2\tH 面积(㎡)\t" in capsys.readouterr().err
    assert counts() == before


def test_progress_bar_does_not_break(capsys, small_tree, good_file):
    call_command("import-roster", str(good_file))
    assert "写入" in capsys.readouterr().err


def test_export_unknown_community(tmp_path):
    with pytest.raises(CommandError, match="no community"):
        call_command(
            "export-roster",
            "--community",
            "999999999999",
            "--purpose",
            "年度花名册核对备份",
            str(tmp_path / "x.xlsx"),
        )
