"""Roster import: the happy path, idempotence, and malformed files that must write nothing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import translation

from gongzhi.audit.models import AuditEntry
from gongzhi.people.models import Ownership, Person, Residency
from gongzhi.roster.columns import DWELLING_COLUMNS, PEOPLE_COLUMNS
from gongzhi.roster.services import ImportOptions, roster_import
from gongzhi.tree import services as tree
from gongzhi.tree.models import Dwelling, Node

from .conftest import ID_A, counts, dwelling, person, write_csv, write_xlsx

pytestmark = pytest.mark.django_db


def test_happy_path(actor, small_tree, good_file):
    result = roster_import(actor=actor, source=good_file)
    assert result.ok, [e.message for e in result.errors]
    assert result.counts["dwellings_created"] == 3
    assert result.counts["nodes_created"] == 3  # 2幢, 2幢/1单元, 2幢/2单元
    d = Dwelling.objects.get(number="101", building__name="2幢")
    assert (d.area, d.area_source, d.community, d.path) == (
        Decimal("95.50"),
        "survey",
        small_tree["community"],
        d.stairwell.path,
    )
    assert not Dwelling.objects.get(number="102", building__name="2幢").is_sold
    wang = Person.objects.get(id_number=ID_A)
    assert wang.birth_date == dt.date(1970, 5, 1)
    assert Ownership.objects.filter(person=wang, end__isnull=True).count() == 2
    home = Residency.objects.get(person=wang)
    assert (home.is_representative, home.start, home.path) == (True, dt.date(2015, 7, 1), d.path)
    assert set(Person.objects.get(name="李强").tags.values_list("tag", flat=True)) == {
        "elderly_alone",
        "disabled",
    }
    assert Person.objects.get(name="赵敏").is_party_member


def test_import_is_audited_with_summary(actor, small_tree, good_file):
    last = AuditEntry.objects.order_by("-id").values_list("id", flat=True).first()
    result = roster_import(actor=actor, source=good_file)
    new = AuditEntry.objects.filter(id__gt=last)
    summary = new.get(action="roster.imported")
    assert summary.after["sha256"] == result.sha256 and summary.after["file"] == "roster.xlsx"
    assert new.get(action="tree.dwellings_created", actor=actor).after["count"] == 3
    assert new.get(action="people.residencies_opened").after["count"] == 3


def test_second_import_changes_nothing(actor, small_tree, good_file):
    roster_import(actor=actor, source=good_file)
    before = counts()
    result = roster_import(actor=actor, source=good_file)
    assert result.ok and not result.changed
    assert counts() == before


def test_changed_area_is_updated(actor, small_tree, tmp_path):
    roster_import(actor=actor, source=write_xlsx(tmp_path / "a.xlsx", [dwelling()], []))
    result = roster_import(actor=actor, source=write_xlsx(tmp_path / "b.xlsx", [dwelling(area="96")], []))
    assert result.counts["dwellings_updated"] == 1
    assert Dwelling.objects.get(number="101", building__name="2幢").area == Decimal("96.00")
    assert AuditEntry.objects.get(action="tree.dwelling_updated").before["area"] == "95.50"


def test_csv_in_gb18030(actor, small_tree, tmp_path):
    a = write_csv(tmp_path / "房屋.csv", DWELLING_COLUMNS, [dwelling()], encoding="gb18030")
    b = write_csv(tmp_path / "人员.csv", PEOPLE_COLUMNS, [person()])
    result = roster_import(actor=actor, source=[a, b])
    assert result.ok, [e.message for e in result.errors]
    assert result.counts["people_created"] == 1


def test_people_of_registered_dwelling(actor, small_tree, tmp_path):
    path = write_xlsx(tmp_path / "p.xlsx", [], [person(building="1幢", number="201")])
    result = roster_import(actor=actor, source=path)
    assert result.ok, [e.message for e in result.errors]
    assert Residency.objects.get().dwelling == small_tree["dwellings"][1]


# --- malformed files: each writes nothing --------------------------------------------------------------------


def _rejected(actor, source, options=None):
    before = counts()
    result = roster_import(actor=actor, source=source, options=options or ImportOptions())
    assert not result.ok
    assert counts() == before
    return result


def _codes(result):
    return {(e.sheet, e.row, e.code) for e in result.errors}


def test_bad_area(actor, small_tree, tmp_path):
    path = write_xlsx(
        tmp_path / "x.xlsx",
        [dwelling(), dwelling(number="102", area="-3"), dwelling(number="103", area="12.345")],
        [],
    )
    result = _rejected(actor, path)
    assert _codes(result) == {("房屋", 3, "area_invalid"), ("房屋", 4, "area_invalid")}
    assert result.errors[0].column == "H 面积(㎡)"


def test_unknown_building_when_structure_must_exist(actor, small_tree, tmp_path):
    path = write_xlsx(tmp_path / "x.xlsx", [dwelling(building="9幢")], [])
    result = _rejected(actor, path, ImportOptions(create_structure=False))
    assert _codes(result) == {("房屋", 2, "unknown_building")}


def test_unknown_building_for_people_rows(actor, small_tree, tmp_path):
    result = _rejected(actor, write_xlsx(tmp_path / "x.xlsx", [], [person(building="9幢")]))
    assert _codes(result) == {("人员", 2, "unknown_building")}


def test_unknown_community(actor, small_tree, tmp_path):
    result = _rejected(actor, write_xlsx(tmp_path / "x.xlsx", [dwelling(community_code="330502001999")], []))
    assert _codes(result) == {("房屋", 2, "unknown_community")}


def test_duplicate_dwelling_and_duplicate_id(actor, small_tree, tmp_path):
    path = write_xlsx(
        tmp_path / "x.xlsx",
        [dwelling(), dwelling()],
        [person(), person(number="102", name="王小芳", relation="", is_representative="否")],
    )
    assert _codes(_rejected(actor, path)) == {("房屋", 3, "duplicate_dwelling"), ("人员", 3, "duplicate_id")}


def test_bad_id_checksum(actor, small_tree, tmp_path):
    bad = ID_A[:-1] + ("0" if ID_A[-1] != "0" else "1")
    result = _rejected(actor, write_xlsx(tmp_path / "x.xlsx", [dwelling()], [person(id_number=bad)]))
    assert _codes(result) == {("人员", 2, "id_checksum")}


def test_id_number_stored_as_excel_number(actor, small_tree, tmp_path):
    result = _rejected(
        actor, write_xlsx(tmp_path / "x.xlsx", [dwelling()], [person(id_number=int(ID_A[:17]))])
    )
    assert _codes(result) == {("人员", 2, "id_characters")}


def test_csv_not_decodable(actor, small_tree, tmp_path):
    path = tmp_path / "房屋.csv"
    path.write_bytes("社区代码,房号\n".encode() + b"\xff\xfe\x80\x81\n")
    assert _codes(_rejected(actor, path)) == {("房屋.csv", 0, "encoding")}


def test_xlsx_that_is_not_a_zip(actor, small_tree, tmp_path):
    path = tmp_path / "roster.xlsx"
    path.write_text("社区代码,房号\n", encoding="utf-8")
    assert _codes(_rejected(actor, path)) == {("roster.xlsx", 0, "not_xlsx")}


def test_empty_sheet(actor, small_tree, tmp_path):
    path = write_xlsx(tmp_path / "x.xlsx", [dwelling()], [])
    from openpyxl import load_workbook

    wb = load_workbook(path)
    wb.remove(wb["人员"])
    wb.create_sheet("人员")
    wb.save(path)
    assert _codes(_rejected(actor, path)) == {("人员", 0, "empty_sheet")}


def test_no_rows_at_all(actor, small_tree, tmp_path):
    assert _codes(_rejected(actor, write_xlsx(tmp_path / "x.xlsx", [], []))) == {("x.xlsx", 0, "no_rows")}


def test_missing_column_and_bad_values(actor, small_tree, tmp_path):
    rows = [person(relation="邻居", is_owner="也许", moved_in="2020-13-01", phone="123", id_number="")]
    result = _rejected(actor, write_xlsx(tmp_path / "x.xlsx", [dwelling(use="工厂")], rows))
    assert {e.code for e in result.errors} == {
        "choice_invalid",
        "bool_invalid",
        "date_invalid",
        "phone_invalid",
        "no_role",
        "representative_not_resident",
    }


def test_errors_in_chinese_by_default_and_english_on_request(actor, small_tree, tmp_path):
    result = _rejected(actor, write_xlsx(tmp_path / "x.xlsx", [dwelling(area="abc")], []))
    assert "面积" in result.errors[0].message
    with translation.override("en"):
        assert result.errors[0].message.startswith("The floor area must be")


def test_dry_run_writes_nothing(actor, small_tree, good_file):
    before = counts()
    result = roster_import(actor=actor, source=good_file, options=ImportOptions(dry_run=True))
    assert result.ok and counts() == before


def test_structure_is_not_duplicated(actor, small_tree, tmp_path):
    roster_import(
        actor=actor, source=write_xlsx(tmp_path / "a.xlsx", [dwelling(building="1幢", number="999")], [])
    )
    assert Node.objects.filter(name="1幢").count() == 1


def test_source_path_type(tmp_path):
    assert isinstance(tmp_path, Path)


def test_created_structure_is_a_valid_tree(actor, small_tree, good_file):
    roster_import(actor=actor, source=good_file)
    assert all(not problems for problems in Node.objects.find_problems())
    compound = Node.objects.get(pk=small_tree["compound"].pk)
    assert [n.name for n in Node.objects.get_children(compound)] == ["1幢", "2幢"]
    later = tree.node_create(actor=actor, parent=compound, name="3幢", level="building")
    assert later.path > Node.objects.get(name="2幢").path
    assert AuditEntry.objects.filter(action="tree.node_created", after__name="2单元").exists()


def test_table_may_start_below_and_right_of_a1(actor, small_tree, tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "房屋"
    row = dwelling(area="abc")
    for col, column in enumerate(DWELLING_COLUMNS, start=3):
        ws.cell(row=3, column=col, value=column.header)
        ws.cell(row=4, column=col, value=row[column.key])
    wb.save(tmp_path / "offset.xlsx")
    result = _rejected(actor, tmp_path / "offset.xlsx")
    assert [(e.row, e.column, e.code) for e in result.errors] == [(4, "J 面积(㎡)", "area_invalid")]
