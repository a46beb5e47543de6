import datetime as dt

import pytest
from django.db import IntegrityError

from gongzhi.audit.models import AuditEntry
from gongzhi.core.errors import InvalidInput
from gongzhi.people import services as people
from gongzhi.people.models import Person, Residency
from gongzhi.people.selectors import owners_of, roll_on
from gongzhi.tree.selectors import subtree_counts

pytestmark = pytest.mark.django_db


def test_person_from_id_number_derives_birth_and_gender(a_person):
    assert a_person.birth_date == dt.date(1949, 12, 31)
    assert a_person.gender == "F"


def test_bad_checksum_writes_nothing(actor):
    before = (Person.objects.count(), AuditEntry.objects.count())
    with pytest.raises(InvalidInput) as exc:
        people.person_create(actor=actor, name="李四", id_number="110105194912310021")
    assert exc.value.code == "id_checksum"
    assert (Person.objects.count(), AuditEntry.objects.count()) == before


def test_duplicate_id_number_refused(actor, a_person):
    with pytest.raises(InvalidInput) as exc:
        people.person_create(actor=actor, name="王五", id_number=a_person.id_number)
    assert exc.value.code == "id_taken"


def test_roll_at_past_date_is_reconstructed(actor, small_tree, a_person):
    d = small_tree["dwellings"][0]
    buyer = people.person_create(actor=actor, name="李四")
    sale = people.ownership_open(actor=actor, dwelling=d, person=a_person, start=dt.date(2020, 1, 1))
    people.ownership_close(actor=actor, ownership=sale, end=dt.date(2025, 6, 1))
    people.ownership_open(actor=actor, dwelling=d, person=buyer, start=dt.date(2025, 6, 1))
    assert owners_of(d, dt.date(2025, 5, 31)) == [a_person.pk]
    assert owners_of(d, dt.date(2025, 6, 1)) == [buyer.pk]
    assert roll_on(small_tree["compound"], dt.date(2019, 1, 1))[d.pk] == []


def test_co_owners(actor, small_tree, a_person):
    d = small_tree["dwellings"][0]
    spouse = people.person_create(actor=actor, name="张三妻")
    for p in (a_person, spouse):
        people.ownership_open(actor=actor, dwelling=d, person=p, start=dt.date(2020, 1, 1))
    assert owners_of(d, dt.date(2021, 1, 1)) == sorted([a_person.pk, spouse.pk])


def test_moving_closes_the_old_membership(actor, small_tree, a_person):
    d1, d2 = small_tree["dwellings"][:2]
    first = people.residency_move_in(
        actor=actor,
        dwelling=d1,
        person=a_person,
        relation="owner",
        start=dt.date(2020, 1, 1),
        is_representative=True,
    )
    people.residency_move_in(
        actor=actor, dwelling=d2, person=a_person, relation="tenant", start=dt.date(2024, 1, 1)
    )
    first.refresh_from_db()
    assert first.end == dt.date(2024, 1, 1)
    assert not first.is_representative
    assert Residency.objects.filter(person=a_person).count() == 2  # nothing deleted
    assert subtree_counts(small_tree["street"]).residents == 1


def test_one_representative_per_dwelling(actor, small_tree, a_person):
    d = small_tree["dwellings"][0]
    other = people.person_create(actor=actor, name="赵六")
    r1 = people.residency_move_in(
        actor=actor,
        dwelling=d,
        person=a_person,
        relation="owner",
        start=dt.date(2020, 1, 1),
        is_representative=True,
    )
    r2 = people.residency_move_in(
        actor=actor, dwelling=d, person=other, relation="family", start=dt.date(2020, 1, 1)
    )
    people.household_representative_set(actor=actor, residency=r2)
    r1.refresh_from_db()
    assert not r1.is_representative
    assert AuditEntry.objects.filter(action="people.representative_set").count() == 1


def test_representative_constraint_in_database(actor, small_tree, a_person):
    d = small_tree["dwellings"][0]
    other = people.person_create(actor=actor, name="赵六")
    Residency.objects.create(
        dwelling=d,
        person=a_person,
        relation="owner",
        start=dt.date(2020, 1, 1),
        is_representative=True,
        path=d.path,
    )
    with pytest.raises(IntegrityError):
        Residency.objects.create(
            dwelling=d,
            person=other,
            relation="owner",
            start=dt.date(2020, 1, 1),
            is_representative=True,
            path=d.path,
        )
