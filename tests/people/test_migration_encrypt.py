"""Migration people 0002 seals the clear ID numbers and phones already stored (issue 3 §2), and reverses."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from gongzhi.core.fields import keyring
from gongzhi.people.models import Person

ID = "11010519491231002X"


def migrate(target: list[tuple[str, str]]) -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(target)


@pytest.mark.django_db(transaction=True)
def test_existing_clear_values_are_encrypted_and_hashed():
    latest = MigrationExecutor(connection).loader.graph.leaf_nodes("people")
    migrate([("people", "0001_initial")])
    try:
        with connection.cursor() as cur:
            cur.execute(
                "INSERT INTO people_person (name, gender, id_number, phone, is_party_member, "
                "is_registered_resident, created_at) VALUES "
                "('甲', 'F', %s, '13812345678', false, true, CURRENT_TIMESTAMP), "
                "('乙', '', '', '', false, true, CURRENT_TIMESTAMP)",
                [ID],
            )
    finally:
        migrate(latest)
    with connection.cursor() as cur:
        cur.execute("SELECT id_number, id_number_hash, phone, phone_hash FROM people_person ORDER BY id")
        (sealed_id, id_hash, sealed_phone, phone_hash), empty = cur.fetchall()
    assert ID not in sealed_id + id_hash and "13812345678" not in sealed_phone + phone_hash
    assert id_hash == keyring().lookup(ID, "people.person.id_number")
    assert empty == ("", "", "", "")
    assert Person.objects.get(id_number=ID).phone == "13812345678"
    assert Person.objects.get(phone="13812345678").id_number == ID
