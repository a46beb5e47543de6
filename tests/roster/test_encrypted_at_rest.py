"""The roster import (COPY on PostgreSQL) stores ID numbers and phones encrypted; export reads them clear."""

from __future__ import annotations

import pytest
from django.db import connection
from openpyxl import load_workbook

from gongzhi.exports.services import export_by_operator
from gongzhi.people.models import Person
from gongzhi.roster.services import roster_import

from .conftest import ID_A, ID_B

pytestmark = pytest.mark.django_db


def test_imported_numbers_are_sealed_and_still_found_and_exported(actor, small_tree, good_file, tmp_path):
    assert roster_import(actor=actor, source=good_file).ok
    with connection.cursor() as cur:
        cur.execute("SELECT id_number, id_number_hash, phone, phone_hash FROM people_person")
        dump = repr(cur.fetchall())
    for clear in (ID_A, ID_B, "13900001111", "13900002222"):
        assert clear not in dump
    assert Person.objects.get(id_number=ID_A).phone == "13900001111"
    assert Person.objects.get(id_number="", phone="13900002222").name == "赵敏"
    out = tmp_path / "export.xlsx"  # an export with full identifiers (the operator's, gongzhi.exports)
    made = export_by_operator(
        node=small_tree["community"], purpose="核对加密存储后的导出", clear_identifiers=True, actor=actor
    )
    out.write_bytes(made.content)
    cells = {c for row in load_workbook(out, read_only=True)["人员"].iter_rows(values_only=True) for c in row}
    assert {ID_A, ID_B, "13900001111", "13900002222"} <= cells


def test_reimport_with_a_new_phone_updates_it_and_its_hash(actor, small_tree, good_file, tmp_path):
    from .conftest import dwelling, person, write_xlsx

    assert roster_import(actor=actor, source=good_file).ok
    changed = write_xlsx(tmp_path / "again.xlsx", [dwelling()], [person(phone="13700007777")])
    assert roster_import(actor=actor, source=changed).ok
    assert Person.objects.get(phone="13700007777").id_number == ID_A
    assert not Person.objects.filter(phone="13900001111").exists()
