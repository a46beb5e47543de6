import datetime as dt

import pytest

from gongzhi.audit.models import AuditEntry
from gongzhi.bodies import services as bodies
from gongzhi.bodies.models import Body, BodyMembership
from gongzhi.core.errors import InvalidInput

pytestmark = pytest.mark.django_db


def test_member_added_is_audited(actor, small_tree, a_person):
    oc = bodies.body_create(actor=actor, kind="owners_committee", node=small_tree["compound"], name="业委会")
    m = bodies.member_add(
        actor=actor,
        body=oc,
        person=a_person,
        position="chair",
        elected_how="owners_assembly",
        term_start=dt.date(2024, 1, 1),
        term_end=dt.date(2028, 12, 31),
    )
    entry = AuditEntry.objects.get(action="bodies.member_added")
    assert entry.object_id == str(m.pk)
    assert entry.after["position"] == "chair"


def test_body_kind_must_fit_level(actor, small_tree):
    with pytest.raises(InvalidInput):
        bodies.body_create(actor=actor, kind="owners_committee", node=small_tree["community"], name="x")
    assert not Body.objects.exists()


def test_member_end_keeps_history(actor, small_tree, a_person):
    rc = bodies.body_create(
        actor=actor, kind="residents_committee", node=small_tree["community"], name="居委会"
    )
    m = bodies.member_add(actor=actor, body=rc, person=a_person, term_start=dt.date(2024, 1, 1))
    bodies.member_end(actor=actor, membership=m, ended_on=dt.date(2025, 1, 1))
    again = bodies.member_add(actor=actor, body=rc, person=a_person, term_start=dt.date(2025, 6, 1))
    assert BodyMembership.objects.filter(body=rc, person=a_person).count() == 2
    assert again.ended_on is None
