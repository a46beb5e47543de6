"""PIPL access right: a resident sees what the platform holds about them and who changed it."""

import datetime as dt

import pytest

from gongzhi.accounts import services as accounts
from gongzhi.people import services as people

pytestmark = pytest.mark.django_db


def test_resident_sees_own_record_masked_and_its_history(client, actor, small_tree, a_person):
    home = small_tree["dwellings"][0]
    people.residency_move_in(
        actor=actor, dwelling=home, person=a_person, relation="owner", start=dt.date(2024, 1, 1)
    )
    people.person_update(actor=actor, person=a_person, phone="13900001111")
    neighbour = people.person_create(actor=actor, name="邻居王五")
    user = accounts.user_create(actor=actor, username="res", password="x-123456", person=a_person)
    client.force_login(user)
    html = client.get("/me/").content.decode()
    assert a_person.name in html and "139****1111" in html and "13900001111" not in html
    assert "110105********002X" in html and a_person.id_number not in html
    assert "people.person_updated" in html and "admin" in html  # who changed it
    assert "people.moved_in" in html
    assert neighbour.name not in html


def test_staff_without_a_person_record(client, actor):
    client.force_login(actor)
    assert client.get("/me/").status_code == 200
