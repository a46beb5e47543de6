"""Open a roster file (.xlsx workbook or .csv) as tables of raw cell values. Pure Python, no Django models.

A workbook is read with python-calamine; rows are turned into Python objects one at a time. A CSV is one
table whose type (房屋 or 人员) is told by its header row; it is decoded as UTF-8 (with or without BOM), else
as GB18030 (what Excel on Chinese Windows writes).
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gongzhi.roster.columns import DWELLINGS_SHEET, PEOPLE_SHEET, SHEET_ALIASES, SHEET_COLUMNS, WATERMARK_MARK

CSV_ENCODINGS = ("utf-8-sig", "gb18030")
# Headers equal to one of these (after normalising) mark a CSV file's table type.
_SIGNATURE = {DWELLINGS_SHEET: {"面积(㎡)", "area"}, PEOPLE_SHEET: {"姓名", "name"}}


class FileProblem(Exception):
    """The whole file (or a whole sheet) cannot be used; `code` names the reason for the error report."""

    def __init__(self, code: str, sheet: str = "", **params: Any):
        super().__init__(code)
        self.code = code
        self.sheet = sheet
        self.params = params


@dataclass
class Table:
    """One sheet: its template type (房屋/人员), display name, header row and a stream of (row number, cells)."""

    kind: str
    name: str
    headers: list[str]
    rows: Iterator[tuple[int, Sequence[Any]]]
    total: int = 0  # data rows if known in advance (for progress), else 0


def normalise_header(raw: Any) -> str:
    text = "" if raw is None else str(raw)
    text = text.strip().rstrip("*").strip().replace("（", "(").replace("）", ")")
    return text.lower() if text.isascii() else text


def column_index(headers: list[str], kind: str) -> dict[str, int]:
    """{column key: position} for the template columns present (by Chinese header or internal key)."""
    found: dict[str, int] = {}
    for column in SHEET_COLUMNS[kind]:
        for pos, header in enumerate(headers):
            if header in (column.header, column.key) and column.key not in found:
                found[column.key] = pos
    return found


def _blank(cells: Sequence[Any]) -> bool:
    return not any(c is not None and str(c).strip() for c in cells)


def _is_watermark(cells: Sequence[Any]) -> bool:
    """The band an export writes above the header (roster.workbook): not part of the table."""
    return bool(cells) and str(cells[0] or "").startswith(WATERMARK_MARK)


def _numbered(rows: Iterator[tuple[int, Sequence[Any]]]) -> Iterator[tuple[int, Sequence[Any]]]:
    """(row number, cells) of the non-blank rows (an export's closing watermark band is no data either)."""
    return ((number, cells) for number, cells in rows if not _blank(cells) and not _is_watermark(cells))


def looks_like_xlsx(path: Path, display_name: str) -> bool:
    if display_name.lower().endswith(".xlsx"):
        return True
    if display_name.lower().endswith(".csv"):
        return False
    return zipfile.is_zipfile(path)


def open_tables(path: Path, display_name: str) -> list[Table]:
    """The roster tables in the file; raises FileProblem when it cannot be read at all."""
    if looks_like_xlsx(path, display_name):
        return _xlsx_tables(path)
    return [_csv_table(path, display_name)]


def _xlsx_tables(path: Path) -> list[Table]:
    # python-calamine (Rust) reads cells more than ten times faster than openpyxl's read-only mode, which
    # dominated the 100,000-row benchmark; openpyxl still writes the template and exports.
    from python_calamine import CalamineWorkbook

    if not zipfile.is_zipfile(path):
        raise FileProblem("not_xlsx")
    try:
        workbook = CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # a zip that is no workbook, or a damaged one
        raise FileProblem("xlsx_unreadable") from exc
    tables = []
    for title in workbook.sheet_names:
        kind = SHEET_ALIASES.get(title.strip().lower(), title.strip())
        if kind not in SHEET_COLUMNS:
            continue
        try:
            sheet = workbook.get_sheet_by_name(title)
            # Rows come numbered from the sheet's top, but cells from the used range's first column.
            pad: list[Any] = [""] * (sheet.start[1] if sheet.start else 0)
            rows = ((number, pad + list(cells)) for number, cells in enumerate(sheet.iter_rows(), start=1))
            # The first non-blank row that is not an export's watermark band; none: an empty sheet.
            header = next((cells for _, cells in rows if not _blank(cells) and not _is_watermark(cells)), [])
        except Exception as exc:
            raise FileProblem("xlsx_unreadable", sheet=title) from exc
        headers = [normalise_header(h) for h in header]
        tables.append(
            Table(
                kind=kind, name=title, headers=headers, rows=_numbered(rows), total=max(sheet.height - 1, 0)
            )
        )
    if not tables:
        raise FileProblem("no_sheets")
    return tables


def decode_csv(data: bytes) -> str:
    for encoding in CSV_ENCODINGS:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise FileProblem("encoding")


def _csv_table(path: Path, display_name: str) -> Table:
    text = decode_csv(path.read_bytes())
    lines = list(csv.reader(io.StringIO(text, newline="")))
    if not lines or not any(cell.strip() for cell in lines[0]):
        raise FileProblem("empty_sheet", sheet=display_name)
    headers = [normalise_header(h) for h in lines[0]]
    kind = next((k for k, sig in _SIGNATURE.items() if sig & set(headers)), None)
    if kind is None:
        raise FileProblem("unknown_table", sheet=display_name)
    rows = enumerate(lines[1:], start=2)
    return Table(kind=kind, name=display_name, headers=headers, rows=_numbered(rows), total=len(lines) - 1)
