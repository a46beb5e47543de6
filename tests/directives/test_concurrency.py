"""On PostgreSQL: two workers of one community acknowledging and completing at once — one succeeds, the
other is told the assignment already changed; nothing is written twice."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from gongzhi.accounts import services as accounts
from gongzhi.audit.models import AuditEntry
from gongzhi.core.errors import Conflict
from gongzhi.directives import services

from .conftest import START, issue


@pytest.fixture
def postgres():
    if connection.vendor != "postgresql":
        pytest.skip(
            "PostgreSQL only: SQLite serialises every write, so there is no race to test (SQLite run)"
        )


def _run(jobs):
    barrier = threading.Barrier(len(jobs))
    outcomes: list[object] = [None] * len(jobs)

    def work(index, job):
        try:
            barrier.wait()
            outcomes[index] = job()
        except Exception as exc:  # noqa: BLE001 (collected and asserted below)
            outcomes[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=(i, job)) for i, job in enumerate(jobs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return outcomes


@pytest.mark.django_db(transaction=True)
def test_two_workers_acknowledge_at_once(postgres, actor, site):
    other = accounts.user_create(actor=actor, username="d-cw-b", password="pw-dir-2026", is_staff=True)
    accounts.role_assign(
        actor=actor, user=other, role="community_worker", node=site["community"], start=START
    )
    d = issue(site["users"]["cw"], site["community"], [site["compound"]])
    row = d.assignments.get()
    outcomes = _run(
        [
            lambda: services.assignment_acknowledge(actor=site["users"]["cw"], assignment=row),
            lambda: services.assignment_acknowledge(actor=other, assignment=row),
        ]
    )
    assert sum(isinstance(o, Conflict) for o in outcomes) == 1
    assert AuditEntry.objects.filter(action="directives.acknowledged").count() == 1
