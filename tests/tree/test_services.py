from decimal import Decimal

import pytest

from gongzhi.audit.models import AuditEntry
from gongzhi.core.errors import InvalidInput
from gongzhi.tree import services as tree
from gongzhi.tree.models import Dwelling, Node
from gongzhi.tree.selectors import ancestors_of, subtree_counts

pytestmark = pytest.mark.django_db


def test_subtree_counts_use_paths(small_tree):
    assert subtree_counts(small_tree["district"]).dwellings == 3
    assert subtree_counts(small_tree["street"]).residents == 0


def test_ancestors_root_first(small_tree):
    names = [n.name for n in ancestors_of(small_tree["stairwell"])]
    assert names == ["吴兴区", "月河街道", "月河社区", "锦绣小区", "1幢"]


def test_node_create_is_audited(small_tree):
    entry = AuditEntry.objects.filter(
        action="tree.node_created", object_id=str(small_tree["compound"].pk)
    ).get()
    assert entry.after["name"] == "锦绣小区"


def test_level_must_fit_parent(actor, small_tree):
    before = Node.objects.count()
    with pytest.raises(InvalidInput):
        tree.node_create(actor=actor, parent=small_tree["street"], name="x", level="building")
    assert Node.objects.count() == before


def test_community_code_must_extend_street(actor, small_tree):
    with pytest.raises(InvalidInput) as exc:
        tree.node_create(
            actor=actor, parent=small_tree["street"], name="x", level="community", code="330502002001"
        )
    assert exc.value.code == "code_parent_mismatch"


@pytest.mark.parametrize("raw", ["-1", "12.345", "abc", "nan", "Infinity"])
def test_bad_area_rejected(actor, small_tree, raw):
    with pytest.raises(InvalidInput):
        tree.dwelling_create(actor=actor, stairwell=small_tree["stairwell"], number="999", area=raw)
    assert not Dwelling.objects.filter(number="999").exists()


def test_area_is_decimal_two_places(actor, small_tree):
    d = tree.dwelling_create(actor=actor, stairwell=small_tree["stairwell"], number="501", area="100.5")
    d.refresh_from_db()
    assert d.area == Decimal("100.50")
