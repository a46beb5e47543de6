"""ID numbers and phones are encrypted at rest and looked up by keyed hash (issue 3 §2, LAW-PIPL)."""

from __future__ import annotations

import pytest
from django.core.exceptions import FieldError
from django.db import IntegrityError, connection, transaction

from gongzhi.core.fields import keyring
from gongzhi.people import services as people
from gongzhi.people.models import Person, PersonTag

pytestmark = pytest.mark.django_db
ID = "11010519491231002X"
PHONE = "13812345678"


def raw_people() -> list[tuple]:
    """What a database dump shows: the stored columns, read with a plain cursor (no model field involved)."""
    with connection.cursor() as cur:
        cur.execute("SELECT id_number, id_number_hash, phone, phone_hash FROM people_person")
        return cur.fetchall()


def assert_no_clear_value(clear: set[str]) -> None:
    clear.discard("")
    assert clear, "nothing to look for"
    dump = repr(raw_people())
    leaked = sorted(v for v in clear if v in dump)
    assert not leaked, f"clear values in the table: {leaked[:3]}"


def test_service_writes_neither_clear_id_number_nor_phone(actor):
    p = people.person_create(actor=actor, name="李四", id_number=ID, phone=PHONE)
    people.person_update(actor=actor, person=p, phone="13900001111")
    assert_no_clear_value({ID, PHONE, "13900001111"})
    p.refresh_from_db()
    assert (p.id_number, p.phone) == (ID, "13900001111")


def test_lookup_by_id_number_and_phone_goes_through_the_hash(actor):
    p = people.person_create(actor=actor, name="李四", id_number=ID, phone=PHONE)
    assert list(Person.objects.filter(id_number=ID)) == [p]
    assert list(Person.objects.filter(phone__in=[PHONE, "13000000000"])) == [p]
    assert list(PersonTag.objects.filter(person__id_number=ID)) == []  # across a join too
    assert not Person.objects.filter(id_number="110105194912310039").exists()
    assert Person.objects.filter(id_number="").count() == 0


def test_partial_matches_on_ciphertext_are_refused_not_silently_empty():
    with pytest.raises(FieldError):
        list(Person.objects.filter(id_number__startswith="1101"))
    with pytest.raises(FieldError):
        list(Person.objects.filter(phone__icontains="1234"))


def test_unique_id_number_is_enforced_on_the_hash(actor):
    people.person_create(actor=actor, name="李四", id_number=ID)
    with pytest.raises(IntegrityError), transaction.atomic():
        Person.objects.create(name="冒名", id_number=ID)  # same ID, different ciphertext: the hash collides


def test_bulk_update_and_update_keep_the_hash_in_step(actor):
    p = people.person_create(actor=actor, name="李四", phone=PHONE)
    p.phone = "13900001111"
    Person.objects.bulk_update([p], ["phone"])
    assert Person.objects.filter(phone="13900001111").get() == p
    Person.objects.filter(pk=p.pk).update(phone="13700002222")
    assert Person.objects.filter(phone="13700002222").get() == p
    assert not Person.objects.filter(phone="13900001111").exists()


def test_stored_hash_is_the_lookup_hash(actor):
    p = people.person_create(actor=actor, name="李四", id_number=ID, phone=PHONE)
    ring = keyring()
    [(sealed_id, id_hash, sealed_phone, phone_hash)] = raw_people()
    assert id_hash == ring.lookup(ID, "people.person.id_number")
    assert phone_hash == ring.lookup(PHONE, "people.person.phone")
    assert ring.decrypt(sealed_id, "people.person.id_number") == p.id_number


def test_person_search_by_full_id_number_in_the_api_still_finds_them(actor, client):
    people.person_create(actor=actor, name="李四", id_number=ID)
    client.force_login(actor)
    body = client.get("/api/v1/people", {"q": ID}).json()
    assert [p["name"] for p in body["items"]] == ["李四"]


def test_admin_search_matches_whole_numbers(actor, client):
    people.person_create(actor=actor, name="李四", id_number=ID, phone=PHONE)
    client.force_login(actor)
    assert "李四" in client.get("/admin/people/person/", {"q": PHONE}).content.decode()
    assert "李四" not in client.get("/admin/people/person/", {"q": PHONE[:5]}).content.decode()
