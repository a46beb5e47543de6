"""On PostgreSQL: two workers of one community acknowledging and completing at once — one succeeds, the
other is told the assignment already changed; nothing is written twice."""

from __future__ import annotations

import pytest

from gongzhi.accounts import services as accounts
from gongzhi.audit.models import AuditEntry
from gongzhi.core.errors import Conflict
from gongzhi.directives import services

from .conftest import START, issue


@pytest.mark.django_db(transaction=True)
def test_two_workers_acknowledge_at_once(postgres, run_at_once, actor, site):
    other = accounts.user_create(actor=actor, username="d-cw-b", password="pw-dir-2026", is_staff=True)
    accounts.role_assign(
        actor=actor, user=other, role="community_worker", node=site["community"], start=START
    )
    d = issue(site["users"]["cw"], site["community"], [site["compound"]])
    row = d.assignments.get()
    outcomes = run_at_once(
        [
            lambda: services.assignment_acknowledge(actor=site["users"]["cw"], assignment=row),
            lambda: services.assignment_acknowledge(actor=other, assignment=row),
        ]
    )
    assert sum(isinstance(o, Conflict) for o in outcomes) == 1
    assert AuditEntry.objects.filter(action="directives.acknowledged").count() == 1
