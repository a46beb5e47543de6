import datetime as dt

import pytest

from gongzhi.accounts import services as accounts
from gongzhi.accounts.models import RoleAssignment
from gongzhi.accounts.selectors import active_roles
from gongzhi.audit.models import AuditEntry
from gongzhi.core.errors import InvalidInput
from gongzhi.tree import services as tree

pytestmark = pytest.mark.django_db


def test_role_assignment_scope_path(actor, small_tree):
    user = accounts.user_create(actor=actor, username="grid1", password="x-123456")
    grid = tree.grid_create(actor=actor, community=small_tree["community"], name="第一网格")
    ra = accounts.role_assign(
        actor=actor, user=user, role="grid_worker", grid=grid, start=dt.date(2026, 1, 1)
    )
    assert ra.scope_path == small_tree["community"].path
    assert AuditEntry.objects.filter(action="accounts.role_assigned", object_id=str(ra.pk)).exists()


@pytest.mark.parametrize(
    ("role", "level"),
    [
        ("street_officer", "community"),
        ("community_worker", "street"),
        ("owners_committee_member", "building"),
    ],
)
def test_role_must_fit_level(actor, small_tree, role, level):
    user = accounts.user_create(actor=actor, username="u", password="x-123456")
    with pytest.raises(InvalidInput):
        accounts.role_assign(
            actor=actor, user=user, role=role, node=small_tree[level], start=dt.date(2026, 1, 1)
        )
    assert not RoleAssignment.objects.exists()


def test_ended_role_is_not_active(actor, small_tree):
    user = accounts.user_create(actor=actor, username="w", password="x-123456")
    ra = accounts.role_assign(
        actor=actor,
        user=user,
        role="community_worker",
        node=small_tree["community"],
        start=dt.date(2026, 1, 1),
    )
    accounts.role_end(actor=actor, assignment=ra, end=dt.date(2026, 3, 1))
    assert active_roles(user, dt.date(2026, 2, 1)).count() == 1
    assert active_roles(user, dt.date(2026, 3, 2)).count() == 0
