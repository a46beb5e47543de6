"""`gongzhi rotate-key` (issue 3 §2): every value moves to the newest keys, resumably, audited; the old keys
can then be removed; a value whose key is gone fails clearly."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from gongzhi.audit.models import AuditEntry
from gongzhi.core.crypto import DataKeyError, key_id
from gongzhi.core.models import KeyRotation
from gongzhi.core.rotation import data_keys_rotate
from gongzhi.people import services as people
from gongzhi.people.models import Person

pytestmark = pytest.mark.django_db
NEW_DATA, NEW_LOOKUP, STRANGER = bytes([7]) * 32, bytes([8]) * 32, bytes([9]) * 32
ID = "11010519491231002X"


@pytest.fixture
def three(actor):
    return [
        people.person_create(actor=actor, name="甲", id_number=ID, phone="13812345678"),
        people.person_create(actor=actor, name="乙", phone="13900001111"),
        people.person_create(actor=actor, name="丙"),
    ]


def stored() -> list[tuple[str, str, str, str]]:
    with connection.cursor() as cur:
        cur.execute("SELECT id_number, id_number_hash, phone, phone_hash FROM people_person ORDER BY id")
        return cur.fetchall()


def rotate(**options: object) -> str:
    out = io.StringIO()
    call_command("rotate-key", stdout=out, **options)
    return out.getvalue()


def test_rotate_with_two_keys_then_drop_the_old_ones(settings, three):
    settings.GONGZHI_DATA_KEYS = [NEW_DATA, *settings.GONGZHI_DATA_KEYS]
    settings.GONGZHI_LOOKUP_KEYS = [NEW_LOOKUP, *settings.GONGZHI_LOOKUP_KEYS]
    assert Person.objects.get(id_number=ID) == three[0]  # found under the old hash during the rotation
    assert "checked 3 rows: re-encrypted 3 values" in rotate()
    settings.GONGZHI_DATA_KEYS, settings.GONGZHI_LOOKUP_KEYS = [NEW_DATA], [NEW_LOOKUP]
    for sealed_id, id_hash, sealed_phone, phone_hash in stored():
        for value in (sealed_id, id_hash, sealed_phone, phone_hash):
            assert value == "" or value[:6] in (key_id(NEW_DATA), key_id(NEW_LOOKUP))
    assert [(p.id_number, p.phone) for p in Person.objects.order_by("id")] == [
        (ID, "13812345678"),
        ("", "13900001111"),
        ("", ""),
    ]
    assert Person.objects.get(id_number=ID) == three[0]
    assert Person.objects.get(phone="13900001111") == three[1]


def test_rotation_is_audited_with_counts(settings, three):
    settings.GONGZHI_DATA_KEYS = [NEW_DATA, *settings.GONGZHI_DATA_KEYS]
    rotate()
    entry = AuditEntry.objects.get(action="core.data_keys_rotated")
    assert entry.after["resealed"] == 3 and entry.after["rehashed"] == 0
    assert entry.after["data_key"] == key_id(NEW_DATA)


def test_a_second_run_has_nothing_to_do(settings, three):
    settings.GONGZHI_DATA_KEYS = [NEW_DATA, *settings.GONGZHI_DATA_KEYS]
    rotate()
    before = stored()
    assert "re-encrypted 0 values" in rotate() and "re-hashed 0" in rotate()
    assert stored() == before


def test_interrupted_rotation_resumes_where_it_stopped(settings, three):
    settings.GONGZHI_DATA_KEYS = [NEW_DATA, *settings.GONGZHI_DATA_KEYS]

    def stop_after_first_batch(counts):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        data_keys_rotate(actor=None, batch_size=1, progress=stop_after_first_batch)
    assert [row[2][:6] for row in stored()] == [key_id(NEW_DATA), settings_old_id(settings), ""]  # phones
    assert not KeyRotation.objects.exists()
    assert "checked 3 rows: re-encrypted 1 values" in rotate(batch=1)


def settings_old_id(settings) -> str:
    return key_id(settings.GONGZHI_DATA_KEYS[1])


def test_missing_old_key_fails_clearly_and_changes_nothing(settings, three):
    before = stored()
    settings.GONGZHI_DATA_KEYS = [STRANGER]
    with pytest.raises(CommandError, match="GONGZHI_DATA_KEYS does not hold"):
        rotate()
    assert stored() == before
    with pytest.raises(DataKeyError):
        Person.objects.get(pk=three[0].pk)


def test_new_key_prints_a_usable_key():
    from gongzhi.core.crypto import parse_keys

    assert len(parse_keys("K", rotate(new_key=True).strip())[0]) == 32
