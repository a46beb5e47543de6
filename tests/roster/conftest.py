"""Roster test helpers: small template files built from dicts keyed by column key."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook

from gongzhi.audit.models import AuditEntry
from gongzhi.people import idcard
from gongzhi.people.models import Ownership, Person, PersonTag, Residency
from gongzhi.roster.columns import DWELLING_COLUMNS, DWELLINGS_SHEET, PEOPLE_COLUMNS, PEOPLE_SHEET
from gongzhi.tree.models import Dwelling, Grid, Node

CODE = "330502001001"  # the community of tests/conftest.py small_tree
ID_A = idcard.make("330502", dt.date(1970, 5, 1), 11)
ID_B = idcard.make("330502", dt.date(1972, 8, 9), 22)
ID_C = idcard.make("330502", dt.date(2001, 2, 3), 33)


def dwelling(**over: Any) -> dict[str, Any]:
    row = {
        "community_code": CODE,
        "compound": "锦绣小区",
        "building": "2幢",
        "stairwell": "1单元",
        "number": "101",
        "floor": 1,
        "use": "住宅",
        "area": "95.5",
        "area_source": "测绘",
        "is_sold": "是",
        "is_delivered": "是",
        "grid": "",
    }
    return {**row, **over}


def person(**over: Any) -> dict[str, Any]:
    row = {
        "community_code": CODE,
        "compound": "锦绣小区",
        "building": "2幢",
        "stairwell": "1单元",
        "number": "101",
        "name": "王芳",
        "id_number": ID_A,
        "phone": "13900001111",
        "relation": "业主",
        "is_representative": "是",
        "is_owner": "是",
        "owner_since": "2015-06-01",
        "moved_in": "2015-07-01",
        "is_party_member": "否",
        "tags": "",
    }
    return {**row, **over}


def write_xlsx(path: Path, dwellings: list[dict[str, Any]], people: list[dict[str, Any]]) -> Path:
    wb = Workbook()
    wb.remove(wb.active)
    for title, columns, rows in (
        (DWELLINGS_SHEET, DWELLING_COLUMNS, dwellings),
        (PEOPLE_SHEET, PEOPLE_COLUMNS, people),
    ):
        ws = wb.create_sheet(title)
        ws.append([c.header for c in columns])
        for row in rows:
            ws.append([row.get(c.key) for c in columns])
    wb.save(path)
    return path


def write_csv(path: Path, columns: Any, rows: list[dict[str, Any]], encoding: str = "utf-8-sig") -> Path:
    with path.open("w", encoding=encoding, newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow([c.header for c in columns])
        for row in rows:
            writer.writerow(["" if row.get(c.key) is None else row.get(c.key) for c in columns])
    return path


def counts() -> dict[str, int]:
    models = {
        "node": Node,
        "dwelling": Dwelling,
        "person": Person,
        "ownership": Ownership,
        "residency": Residency,
        "tag": PersonTag,
        "grid": Grid,
        "audit": AuditEntry,
    }
    return {name: model.objects.count() for name, model in models.items()}


@pytest.fixture
def good_file(tmp_path: Path) -> Path:
    dwellings = [
        dwelling(),
        dwelling(number="102", area="88.00", is_sold="否"),
        dwelling(stairwell="2单元", number="201"),
    ]
    people = [
        person(),
        person(
            name="李强",
            id_number=ID_B,
            phone="",
            relation="家庭成员",
            is_representative="否",
            is_owner="是",
            tags="独居老人、残疾人",
        ),
        person(
            number="102",
            name="赵敏",
            id_number="",
            phone="13900002222",
            relation="租户",
            is_representative="是",
            is_owner="否",
            owner_since="",
            is_party_member="是",
        ),
        person(number="102", name="王芳", id_number=ID_A, relation="", is_representative="否", is_owner="是"),
    ]
    return write_xlsx(tmp_path / "roster.xlsx", dwellings, people)
