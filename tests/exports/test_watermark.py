"""The produced workbook: watermark on every sheet and in the document properties, masking, the subtree, and
an approved export that imports again unchanged."""

from __future__ import annotations

import io
import zipfile

import pytest
from openpyxl import load_workbook
from python_calamine import CalamineWorkbook

from gongzhi.exports import kinds, services, watermark
from gongzhi.people.masking import mask_id_number, mask_phone
from gongzhi.people.privacy import PersonView
from gongzhi.roster.columns import PEOPLE_COLUMNS, WATERMARK_MARK
from gongzhi.roster.services import roster_import
from gongzhi.tree.models import Dwelling

from .conftest import ID_WANG, PHONE_WANG, PURPOSE, verified

pytestmark = pytest.mark.django_db
POS = {c.key: i for i, c in enumerate(PEOPLE_COLUMNS)}


def _book(content):
    return load_workbook(io.BytesIO(content))


def _data(ws):
    """The rows between the header (below the band) and the closing band."""
    return list(ws.iter_rows(min_row=3, max_row=ws.max_row - 1, values_only=True))


def _people(content):
    """Data rows of 人员 (after the band and the header), read with calamine like the importer."""
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_name("人员")
    return sheet.to_python()[2:-1]


@pytest.fixture
def downloaded(approved, worker):
    made = services.export_download(actor=worker, request=approved)
    approved.refresh_from_db()
    return approved, made


def test_every_sheet_carries_the_band(downloaded):
    request, made = downloaded
    wb = _book(made.content)
    assert wb.sheetnames == ["说明", "房屋", "人员"]
    for ws in wb.worksheets:
        band = ws["A1"].value
        assert band.startswith(WATERMARK_MARK)
        for text in (request.number, "小张（worker）", "社区工作者", PURPOSE, "老李（street）", "北京时间"):
            assert text in band, (ws.title, text)
        assert "月河社区" in band and "已脱敏" in band
        assert request.number in ws.oddHeader.center.text
        assert "老李" in ws.oddFooter.center.text


def test_data_sheets_close_with_a_band_counting_their_rows(downloaded):
    _, made = downloaded
    wb = _book(made.content)
    for title, rows in (("房屋", 3), ("人员", 2)):
        last = wb[title].cell(row=wb[title].max_row, column=1).value
        assert wb[title].max_row == 1 + 1 + rows + 1  # band, header, rows, closing band
        assert last.startswith(WATERMARK_MARK) and f"本表共{rows}行数据" in last and PURPOSE in last


def test_watermark_time_is_the_download_time_in_shanghai(downloaded):
    request, made = downloaded
    local = watermark.local_time(request.last_downloaded_at)
    assert local in _book(made.content)["房屋"]["A1"].value


def test_document_properties_name_who_when_why(downloaded):
    request, made = downloaded
    wb = _book(made.content)
    props = wb.properties
    assert props.creator.startswith("小张（worker）") and props.subject == PURPOSE
    assert request.number in props.title and request.number in props.keywords
    custom = {p.name: p.value for p in wb.custom_doc_props.props}
    assert custom["申请号"] == request.number and custom["用途"] == PURPOSE
    assert custom["审批人"].startswith("老李（street）") and "北京时间" in custom["导出时间"]


def test_identifiers_are_masked_unless_approved_in_full(downloaded):
    _, made = downloaded
    rows = {r[POS["name"]]: r for r in _people(made.content)}
    assert rows["王芳"][POS["id_number"]] == mask_id_number(ID_WANG)
    assert rows["王芳"][POS["phone"]] == mask_phone(PHONE_WANG)
    with zipfile.ZipFile(io.BytesIO(made.content)) as package:  # nowhere in the package, not even unused
        text = "".join(package.read(name).decode("utf-8", "replace") for name in package.namelist())
    assert ID_WANG not in text and PHONE_WANG not in text and mask_phone(PHONE_WANG) in text


def test_clear_identifiers_when_approved_for_them(worker, street_officer, small_tree, residents):
    r = services.export_request_create(
        actor=worker, node=small_tree["community"], purpose=PURPOSE, clear_identifiers=True
    )
    r = services.export_request_approve(actor=street_officer, request=r)
    made = services.export_download(actor=verified(worker), request=r)
    rows = {row[POS["name"]]: row for row in _people(made.content)}
    assert (rows["王芳"][POS["id_number"]], rows["王芳"][POS["phone"]]) == (ID_WANG, PHONE_WANG)
    assert "含完整身份证号和电话" in _book(made.content)["人员"]["A1"].value


def test_subtree_export_holds_only_that_building(actor, worker, street_officer, small_tree, residents):
    from gongzhi.tree import services as tree

    b2 = tree.node_create(actor=actor, parent=small_tree["compound"], name="2幢", level="building")
    w2 = tree.node_create(actor=actor, parent=b2, name="1单元", level="stairwell")
    tree.dwelling_create(actor=actor, stairwell=w2, number="909", area="60.00")
    r = services.export_request_create(actor=worker, node=b2, purpose=PURPOSE)
    r = services.export_request_approve(actor=street_officer, request=r)
    made = services.export_download(actor=worker, request=r)
    dwellings = _book(made.content)["房屋"]
    numbers = [row[4] for row in _data(dwellings)]
    assert numbers == ["909"] and made.counts == {"dwellings": 1, "people": 0}


def test_street_export_spans_its_communities(street_officer, district_officer, small_tree, residents):
    from gongzhi.tree import services as tree

    c2 = tree.node_create(
        actor=district_officer,
        parent=small_tree["street"],
        name="潮音社区",
        level="community",
        code="330502001002",
    )
    k = tree.node_create(actor=district_officer, parent=c2, name="潮音小区", level="compound")
    b = tree.node_create(actor=district_officer, parent=k, name="9幢", level="building")
    w = tree.node_create(actor=district_officer, parent=b, name="1单元", level="stairwell")
    tree.dwelling_create(actor=district_officer, stairwell=w, number="901", area="70.00")
    r = services.export_request_create(actor=street_officer, node=small_tree["street"], purpose=PURPOSE)
    r = services.export_request_approve(actor=district_officer, request=r)
    made = services.export_download(actor=street_officer, request=r)
    assert made.counts["dwellings"] == Dwelling.objects.count() == 4
    codes = {row[0] for row in _data(_book(made.content)["房屋"])}
    assert codes == {"330502001001", "330502001002"}


def test_hidden_categories_stay_hidden_for_a_role_without_the_need():
    view = kinds.RowView(
        False, PersonView(sensitive_tags=False, party_membership=False, hidden=frozenset({"disabled"}))
    )
    row = [""] * len(PEOPLE_COLUMNS)
    row[POS["id_number"]], row[POS["phone"]] = ID_WANG, PHONE_WANG
    row[POS["is_party_member"]], row[POS["tags"]] = "是", "独居老人、残疾人"
    out = kinds._person_row(row, view)
    assert out[POS["is_party_member"]] == kinds.NOT_SHOWN and out[POS["tags"]] == "独居老人"


def test_operator_export_with_clear_identifiers_imports_again_unchanged(
    actor, small_tree, residents, tmp_path
):
    """The band does not break the template: an export is still a roster file the importer accepts."""
    made = services.export_by_operator(node=small_tree["community"], purpose=PURPOSE, clear_identifiers=True)
    path = tmp_path / "export.xlsx"
    path.write_bytes(made.content)
    # number, exporter (no --as-user) and approver
    assert _book(made.content)["房屋"]["A1"].value.count(watermark.OPERATOR) == 3
    result = roster_import(actor=actor, source=path)
    assert result.ok, [e.message for e in result.errors]
    assert not result.changed and result.rows == 3 + 2


def test_bench_exports_the_largest_street(small_tree, residents, other_street):
    from gongzhi.exports.bench import bench_export, largest

    assert largest("street") == small_tree["street"]  # 3 dwellings against 1
    result = bench_export()
    assert result["export_street_rows"] == str(3 + 2) and int(result["export_street_rows_per_s"]) > 0
