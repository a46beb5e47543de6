"""Write the roster template (instructions + 房屋 + 人员 sheets) with openpyxl in write-only mode (streamed).

An export carries a watermark (exports.watermark builds it): a band above the header of every sheet, a closing
band after the rows of each data sheet, the same text in each sheet's printed header and footer, and the
workbook's document properties. The importer skips the bands (roster.reading), so an approved export can be
edited and imported again.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.packaging.custom import StringProperty
from openpyxl.styles import Font, PatternFill
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from gongzhi.roster.columns import (
    AREA_SOURCE_WORDS,
    CARE_TAG_WORDS,
    DWELLING_COLUMNS,
    DWELLINGS_SHEET,
    INSTRUCTIONS_SHEET,
    PEOPLE_COLUMNS,
    PEOPLE_SHEET,
    RELATION_WORDS,
    USE_WORDS,
    WATERMARK_MARK,
    Column,
)

TEXT_COLUMNS = frozenset(
    {"community_code", "number", "id_number", "phone"}
)  # never let Excel make them numbers
INSTRUCTIONS = [
    "共治 · 房屋与人员花名册导入模板",
    "",
    "1. 本工作簿有三张表：说明（本表，导入时忽略）、房屋、人员。表头（第1行）请勿修改；列的顺序可以调整，多余的列会被忽略。",
    "2. 也可以导入CSV：每个CSV文件放一张表（房屋或人员，按表头识别），编码为UTF-8（可带BOM）或GB18030。",
    "3. 导入前先检查所有行；只要有一处错误，就不写入任何数据，并列出表、行、列和原因。",
    "4. 社区须已在系统中（按12位社区代码识别）；小区、楼栋、单元不存在时自动创建（可在导入时关闭，关闭后不存在即报错）。",
    "5. 房屋按“单元+房号”识别，人员按身份证号识别（无身份证号时按姓名+电话）。重复导入同一文件不会产生任何变化；"
    "文件中的面积等信息与系统不同时，以文件为准更新。",
    "6. 导入不会结束文件中未列出的产权或居住关系；迁出、过户请在系统中办理。",
    "7. 一人可以是多套房屋的产权人，但只能在一处居住（与户关系）；每户至多一名户代表。",
    "8. 面积按不动产登记、测绘、合同的顺序确定（最高人民法院建筑物区分所有权解释第八条，LAW-SPC-8），请在“面积来源”中注明。",
    "",
]


@dataclass(frozen=True)
class Watermark:
    """Who exported, when, why: `band` is shown above each sheet, `footer` closes each data sheet (after its
    rows, with their count) and, with `header`, prints on every page;
    `title`/`subject`/`creator`/`keywords` and `custom` go into the document properties."""

    band: str
    header: str
    footer: str
    title: str
    subject: str
    creator: str
    keywords: str
    custom: dict[str, str] = field(default_factory=dict)


BAND_FONT = Font(bold=True, color="9C0006")
BAND_FILL = PatternFill("solid", fgColor="FFEB9C")
# Excel stops at 255 characters in a header or footer section; "&" starts a formatting code there.
HEADER_FOOTER_MAX = 240


def _hf_text(text: str) -> str:
    return text.replace("&", "&&")[:HEADER_FOOTER_MAX]


def _mark_sheet(ws: WriteOnlyWorksheet, watermark: Watermark | None) -> None:
    """The band row (first row; must be written before any other) and the printed header and footer."""
    if watermark is None:
        return
    ws.oddHeader.center.text = _hf_text(watermark.header)
    ws.oddFooter.center.text = _hf_text(watermark.footer)
    ws.oddFooter.right.text = "&P / &N"
    _band(ws, watermark.band)


def _band(ws: WriteOnlyWorksheet, text: str) -> None:
    cell = WriteOnlyCell(ws, value=f"{WATERMARK_MARK} {text}")
    cell.font = BAND_FONT
    cell.fill = BAND_FILL
    ws.append([cell])


def _mark_properties(wb: Workbook, watermark: Watermark) -> None:
    props = wb.properties
    props.title = watermark.title
    props.subject = watermark.subject
    props.creator = props.lastModifiedBy = watermark.creator
    props.keywords = watermark.keywords
    props.description = watermark.band
    props.category = WATERMARK_MARK
    for name, value in watermark.custom.items():
        wb.custom_doc_props.append(StringProperty(name=name, value=value))


def _header_row(ws: WriteOnlyWorksheet, columns: Iterable[Column]) -> list[WriteOnlyCell]:
    cells = []
    for column in columns:
        cell = WriteOnlyCell(ws, value=column.header)
        cell.font = Font(bold=True)
        cells.append(cell)
    return cells


def _instructions(ws: WriteOnlyWorksheet) -> None:
    for line in INSTRUCTIONS:
        ws.append([line])
    for sheet, columns in ((DWELLINGS_SHEET, DWELLING_COLUMNS), (PEOPLE_SHEET, PEOPLE_COLUMNS)):
        ws.append([f"“{sheet}”表的列", "内部键名", "必填", "说明"])
        for column in columns:
            ws.append([column.header, column.key, "是" if column.required else "否", column.help])
        ws.append([])
    for title, words in (
        ("用途", USE_WORDS),
        ("面积来源", AREA_SOURCE_WORDS),
        ("与户关系", RELATION_WORDS),
        ("关怀标签", CARE_TAG_WORDS),
    ):
        ws.append([f"{title}的取值", "、".join(words)])


def _data_sheet(
    wb: Workbook,
    title: str,
    columns: tuple[Column, ...],
    rows: Iterable[list[Any]],
    watermark: Watermark | None,
) -> None:
    ws = wb.create_sheet(title)
    if watermark is not None:
        ws.freeze_panes = "A3"  # the band and the header stay in view while scrolling
        ws.print_title_rows = "1:2"  # and are printed on every page
    _mark_sheet(ws, watermark)
    ws.append(_header_row(ws, columns))
    text_positions = [i for i, c in enumerate(columns) if c.key in TEXT_COLUMNS]
    count = 0
    for row in rows:
        cells: list[Any] = list(row)
        for pos in text_positions:
            cell = WriteOnlyCell(ws, value=cells[pos])
            cell.number_format = "@"
            cells[pos] = cell
        ws.append(cells)
        count += 1
    if watermark is not None:  # the closing band: where the sheet ends, and how many rows it should hold
        _band(ws, f"本表共{count}行数据，至此结束｜{watermark.footer}")


def write_workbook(
    target: Path | IO[bytes],
    dwellings: Iterable[list[Any]],
    people: Iterable[list[Any]],
    watermark: Watermark | None = None,
) -> None:
    """The template with the given rows (values in DWELLING_COLUMNS / PEOPLE_COLUMNS order); an export passes
    its watermark, the empty template none."""
    wb = Workbook(write_only=True)
    instructions = wb.create_sheet(INSTRUCTIONS_SHEET)
    _mark_sheet(instructions, watermark)
    _instructions(instructions)
    _data_sheet(wb, DWELLINGS_SHEET, DWELLING_COLUMNS, dwellings, watermark)
    _data_sheet(wb, PEOPLE_SHEET, PEOPLE_COLUMNS, people, watermark)
    if watermark is not None:
        _mark_properties(wb, watermark)
    wb.save(target)
