import pytest
from django.db import transaction

from gongzhi.audit.models import AuditEntry
from gongzhi.audit.services import audit_record
from gongzhi.core.errors import InvalidInput
from gongzhi.tree import services as tree
from gongzhi.tree.models import Node

pytestmark = pytest.mark.django_db


@pytest.mark.django_db(transaction=True)
def test_audit_outside_a_transaction_is_refused(actor):
    with pytest.raises(RuntimeError):
        audit_record(actor=actor, action="x", obj=actor)


def test_failed_service_leaves_no_audit(actor, small_tree):
    before = AuditEntry.objects.count()
    with pytest.raises(InvalidInput):
        tree.node_create(actor=actor, parent=small_tree["community"], name="", level="compound")
    assert AuditEntry.objects.count() == before


def test_source_ip_is_recorded_from_the_request(client, actor):
    """The middleware passes REMOTE_ADDR to entries written while serving a request."""
    from gongzhi.audit.context import current_ip

    token = current_ip.set("10.1.2.3")
    try:
        with transaction.atomic():
            tree.node_create(actor=actor, parent=None, name="南湖区", level="district")
    finally:
        current_ip.reset(token)
    node = Node.objects.get(name="南湖区")
    assert AuditEntry.objects.get(object_id=str(node.pk), action="tree.node_created").source_ip == "10.1.2.3"


def test_audit_entries_hold_masked_id_and_phone(actor):
    """PIPL: the append-only trail must not keep clear ID numbers or phones."""
    from gongzhi.people import services as people

    person = people.person_create(
        actor=actor, name="李四", id_number="11010519491231002X", phone="13812345678"
    )
    people.person_update(actor=actor, person=person, phone="13900001111")
    entries = AuditEntry.objects.filter(object_type="people.person", object_id=str(person.pk))
    dumped = str(list(entries.values("before", "after")))
    assert "11010519491231002X" not in dumped and "13812345678" not in dumped and "13900001111" not in dumped
    assert "110105********002X" in dumped and "139****1111" in dumped
